/**
 * AWS Organizations' JSON 1.1 protocol, signed here with the SDK's own SigV4 signer: POST / with
 * `X-Amz-Target: AWSOrganizationsV20161128.<Operation>` and a JSON body. Why not
 * @aws-sdk/client-organizations: it is not a dependency of this project, and the hub needs only six
 * read operations, each a small JSON request; the signer, hashing and HTTP types are the SDK's.
 * Throttling and server faults are retried a bounded number of times with jittered backoff; every
 * failure becomes the product's error through aws-errors.ts, so callers see TransientAwsError (worth
 * retrying the record) or AwsCallError (access denied names the permission).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsCallError } from '../../../core/errors';
import { awsError, isTransientAwsFailure } from '../aws-errors';
import type { OrganizationsEndpoint } from './endpoint';

export const TARGET_PREFIX = 'AWSOrganizationsV20161128';
export const SIGNING_NAME = 'organizations';

/** The read operations the hub calls; each is also the IAM action `organizations:<Operation>`. */
export type OrganizationsOperation =
  | 'DescribeAccount'
  | 'DescribeOrganization'
  | 'DescribeOrganizationalUnit'
  | 'DescribePolicy'
  | 'ListParents'
  | 'ListPoliciesForTarget'
  | 'ListRoots';

export interface OrganizationsApiOptions {
  endpoint: OrganizationsEndpoint;
  /** Default: the Node.js provider chain (the function's role). */
  credentials?: AwsCredentialIdentityProvider;
  fetch?: typeof fetch;
  /** Attempts per call, the first included (default 4): Organizations throttles at a few calls a second. */
  maxAttempts?: number;
  /** Per attempt (default 5 s). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** An Organizations error answer, shaped as the SDK's errors are so aws-errors.ts classifies it. */
export class OrganizationsServiceError extends Error {
  readonly $metadata: { httpStatusCode: number };
  readonly $fault: 'client' | 'server';

  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
    this.$fault = status >= 500 ? 'server' : 'client';
  }
}

const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2_000;

/** '...#Name' or 'Name:http://...' -> 'Name', as AWS's JSON clients read `__type`. */
function bareType(value: string): string {
  const withoutUrl = value.split(':')[0] ?? '';
  return withoutUrl.slice(withoutUrl.lastIndexOf('#') + 1).trim();
}

function errorOf(status: number, headers: Headers, body: unknown): OrganizationsServiceError {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const header = headers.get('x-amzn-errortype');
  const type = header ?? (typeof record['__type'] === 'string' ? record['__type'] : null);
  const message = record['message'] ?? record['Message'];
  return new OrganizationsServiceError(
    type === null || bareType(type) === '' ? `HTTP${status}` : bareType(type),
    typeof message === 'string' ? message : '',
    status,
  );
}

export class OrganizationsApi {
  private readonly signer: SignatureV4;
  private readonly fetchImpl: typeof fetch;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  /** Calls made, by operation (the bench and the tests read it). */
  readonly calls = new Map<OrganizationsOperation, number>();

  constructor(private readonly options: OrganizationsApiOptions) {
    this.signer = new SignatureV4({
      service: SIGNING_NAME,
      region: options.endpoint.signingRegion,
      credentials: options.credentials ?? fromNodeProviderChain(),
      sha256: Sha256,
    });
    this.fetchImpl = options.fetch ?? fetch;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /**
   * The operation's JSON answer; rejects with TransientAwsError or AwsCallError. With `absentOn`, an
   * error of one of those names is an answer: null (e.g. AccountNotFoundException).
   */
  async call(
    operation: OrganizationsOperation,
    input: Record<string, unknown>,
    absentOn: readonly string[] = [],
  ): Promise<unknown> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.attempt(operation, input);
      } catch (error) {
        if (error instanceof OrganizationsServiceError && absentOn.includes(error.name)) return null;
        if (error instanceof AwsCallError) throw error;
        if (!isTransientAwsFailure(error) || attempt >= this.maxAttempts) {
          throw awsError(error, `organizations:${operation}`);
        }
        // Full jitter: diagnoses throttled together do not retry together.
        const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
        await this.sleep(Math.floor(this.random() * ceiling));
      }
    }
  }

  private async attempt(operation: OrganizationsOperation, input: Record<string, unknown>): Promise<unknown> {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    const url = this.options.endpoint.url;
    const body = JSON.stringify(input);
    const request = new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname === '' ? '/' : url.pathname,
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `${TARGET_PREFIX}.${operation}`,
      },
      body,
    });
    const signed = await this.signer.sign(request);
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method: 'POST',
        headers: signed.headers as Record<string, string>,
        body,
        signal,
      });
      text = await response.text();
    } catch (error) {
      // A request that never completed: shaped as a timeout so it is retried, then transient.
      const reason = signal.aborted ? `no answer within ${this.timeoutMs / 1000} s` : String(error);
      const failure = new OrganizationsServiceError('TimeoutError', `cannot reach ${url.host}: ${reason}`, 0);
      throw Object.assign(failure, { cause: error });
    }
    let parsed: unknown = null;
    try {
      parsed = text === '' ? {} : (JSON.parse(text) as unknown);
    } catch {
      if (response.status === 200) {
        throw new AwsCallError(`organizations:${operation} answered HTTP 200 with a body that is not JSON`);
      }
    }
    if (response.status !== 200) throw errorOf(response.status, response.headers, parsed);
    return parsed;
  }
}
