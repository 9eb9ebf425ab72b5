import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsCallError, InvalidInputError, TransientAwsError } from '../../core/errors';

export interface ApiResponse {
  status: number;
  body: unknown;
}

/** The region of an execute-api endpoint (https://abc.execute-api.eu-west-1.amazonaws.com). */
export function regionOfApi(url: URL): string | null {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(url.hostname)?.[1] ?? null;
}

/**
 * Calls the approval API's IAM routes signed with the caller's own credentials (SigV4 for
 * execute-api), so API Gateway's AWS_IAM authorizer records who approved.
 */
/** API Gateway gives up on an integration after 30 s: an answer later than that is not coming. */
export const API_TIMEOUT_MS = 30_000;

export class SignedApiClient {
  private readonly signer: SignatureV4;

  constructor(
    private readonly baseUrl: URL,
    options: {
      region?: string;
      credentials?: AwsCredentialIdentityProvider;
      fetch?: typeof fetch;
      timeoutMs?: number;
    } = {},
  ) {
    const region = options.region ?? regionOfApi(baseUrl) ?? process.env['AWS_REGION'];
    if (!region) {
      throw new InvalidInputError('cannot tell the API region: set AWS_REGION', baseUrl.toString());
    }
    this.signer = new SignatureV4({
      service: 'execute-api',
      region,
      credentials: options.credentials ?? fromNodeProviderChain(),
      sha256: Sha256,
    });
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? API_TIMEOUT_MS;
  }

  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  async request(method: 'GET' | 'POST', path: string): Promise<ApiResponse> {
    const url = new URL(path.replace(/^\//, ''), this.baseUrl.toString().replace(/\/?$/, '/'));
    const request = new HttpRequest({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams.entries()),
      headers: { host: url.host, accept: 'application/json' },
    });
    const signed = await this.signer.sign(request);
    // One deadline for the answer and its body: a hung connection ends the command with a clear line.
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: signed.headers as Record<string, string>,
        signal,
      });
      text = await response.text();
    } catch (error) {
      const reason = signal.aborted
        ? `no answer within ${this.timeoutMs / 1000} s`
        : error instanceof Error
          ? error.message
          : String(error);
      throw new TransientAwsError(`cannot reach ${url.host}: ${reason}`, { cause: error });
    }
    let body: unknown = text;
    try {
      body = text === '' ? null : (JSON.parse(text) as unknown);
    } catch {
      // Not JSON (an API Gateway error page): keep the text for the message.
    }
    if (response.status === 403 && typeof body === 'object' && body !== null && 'message' in body) {
      throw new AwsCallError(
        `the API refused the signed request (${String((body as { message: unknown }).message)}): the caller needs execute-api:Invoke on the IAM routes`,
      );
    }
    return { status: response.status, body };
  }
}
