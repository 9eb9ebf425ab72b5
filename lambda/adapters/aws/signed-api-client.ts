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
export class SignedApiClient {
  private readonly signer: SignatureV4;

  constructor(
    private readonly baseUrl: URL,
    options: { region?: string; credentials?: AwsCredentialIdentityProvider; fetch?: typeof fetch } = {},
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
  }

  private readonly fetchImpl: typeof fetch;

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
    let response: Response;
    try {
      response = await this.fetchImpl(url, { method, headers: signed.headers as Record<string, string> });
    } catch (error) {
      throw new TransientAwsError(`cannot reach ${url.host}: ${(error as Error).message}`, { cause: error });
    }
    const text = await response.text();
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
