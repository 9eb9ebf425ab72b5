/**
 * AWS's evaluation record of a denied request, read from IAM Toolbox's GetRequestAuthorizationDetails
 * (public preview; no npm client exists): GET /authorization-details/{authorizationId}?nextToken=,
 * REST-JSON, SigV4 with signing name 'iam' (the SDK's signer), every page of `evaluations`. Throttling
 * and server faults are retried a bounded number of times; every failure is an `unavailable` lookup
 * with its reason, so a missing record never fails the incident.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsAuthorizationRecord,
  AwsEvaluatedPolicy,
  AwsEvaluation,
  AwsRecordLookup,
  AwsRecordUnavailableReason,
} from '../../../core/evidence/aws-evaluation';
import type { AuthorizationRecordReader } from '../../../ports/authorization-record-reader';
import { decodePage, type RecordPage } from './decode-output';
import { iamToolboxEndpoint } from './endpoint';
import { errorVerdict } from './error-response';

export const SIGNING_NAME = 'iam';
/** IDs as AWS writes them (the model: [0-9a-z]+; the User Guide's example has capitals); a path segment. */
const ID_PATTERN = /^[0-9A-Za-z]{1,256}$/;

export interface IamToolboxRecordReaderOptions {
  /** Default: the Node.js provider chain (the function's role). */
  credentials?: AwsCredentialIdentityProvider;
  /** One endpoint for every region (tests: the loopback fake); the region still signs the request. */
  endpoint?: URL;
  fetch?: typeof fetch;
  /** Attempts per page, the first included (default 3). */
  maxAttempts?: number;
  /** Per attempt, the answer and its body (default 5 s). */
  timeoutMs?: number;
  /**
   * The whole lookup, every page and retry included (default 20 s): the diagnosis goes on without
   * the record rather than run into the function's timeout.
   */
  budgetMs?: number;
  /** More pages than this is a service that does not stop (default 50). */
  maxPages?: number;
  /** Largest body read (default 4 MiB): a record of one request is a few KB. */
  maxResponseBytes?: number;
  /** Waits between attempts (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** The clock of the lookup's budget (tests pass their own). */
  now?: () => number;
}

type Attempt =
  | { kind: 'page'; page: RecordPage }
  | { kind: 'failed'; reason: AwsRecordUnavailableReason; retryable: boolean; detail: string };

const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 2_000;

function unavailable(reason: AwsRecordUnavailableReason, detail: string): AwsRecordLookup {
  return { kind: 'unavailable', reason, detail };
}

function attemptsText(count: number): string {
  return count === 1 ? '1 attempt' : `${count} attempts`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The body as text, or null when it is larger than `limit` bytes (read no further). */
async function readCapped(response: Response, limit: number): Promise<string | null> {
  if (Number(response.headers.get('content-length') ?? 0) > limit) {
    await response.body?.cancel();
    return null;
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class IamToolboxRecordReader implements AuthorizationRecordReader {
  private readonly credentials: AwsCredentialIdentityProvider;
  private readonly fetchImpl: typeof fetch;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly budgetMs: number;
  private readonly maxPages: number;
  private readonly maxResponseBytes: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly signers = new Map<string, SignatureV4>();

  constructor(private readonly options: IamToolboxRecordReaderOptions = {}) {
    this.credentials = options.credentials ?? fromNodeProviderChain();
    this.fetchImpl = options.fetch ?? fetch;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.budgetMs = options.budgetMs ?? 20_000;
    this.maxPages = options.maxPages ?? 50;
    this.maxResponseBytes = options.maxResponseBytes ?? 4 * 1024 * 1024;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  async read(authorizationId: string, region: string): Promise<AwsRecordLookup> {
    try {
      return await this.readRecord(authorizationId, region);
    } catch (error) {
      // Never rejects: whatever escaped the mapping below is a call that did not complete.
      return unavailable('network', errorText(error));
    }
  }

  private async readRecord(authorizationId: string, region: string): Promise<AwsRecordLookup> {
    if (!ID_PATTERN.test(authorizationId)) {
      return unavailable('invalid-request', 'not an authorization ID: not looked up');
    }
    const endpoint = this.options.endpoint ?? iamToolboxEndpoint(region);
    if (endpoint === null) return unavailable('invalid-request', 'not a region name: not looked up');

    const deadline = this.now() + this.budgetMs;
    let first: RecordPage | null = null;
    const evaluations: AwsEvaluation[] = [];
    const policies = new Map<string, AwsEvaluatedPolicy>();
    const tokens = new Set<string>();
    let token: string | null = null;
    for (let pageNumber = 1; ; pageNumber += 1) {
      if (pageNumber > this.maxPages) {
        return unavailable('invalid-response', `more than ${this.maxPages} pages of evaluations`);
      }
      const answer = await this.pageWithRetries(endpoint, region, authorizationId, token, deadline);
      if (answer.kind === 'failed') {
        return unavailable(
          answer.reason,
          pageNumber > 1 ? `page ${pageNumber}: ${answer.detail}` : answer.detail,
        );
      }
      const page = answer.page;
      first ??= page;
      evaluations.push(...page.evaluations);
      // The model pages `evaluations`; policies may repeat on each page: each is kept once.
      for (const policy of page.policies) policies.set(JSON.stringify(policy), policy);
      if (page.nextToken === null) break;
      if (tokens.has(page.nextToken)) {
        return unavailable('invalid-response', 'the service gave a page token it had already given');
      }
      tokens.add(page.nextToken);
      token = page.nextToken;
    }
    const record: AwsAuthorizationRecord = {
      authorizationId,
      region,
      requestContext: first.requestContext,
      evaluations,
      policies: [...policies.values()],
    };
    return { kind: 'found', record };
  }

  private async pageWithRetries(
    endpoint: URL,
    region: string,
    authorizationId: string,
    token: string | null,
    deadline: number,
  ): Promise<Attempt> {
    let last: Extract<Attempt, { kind: 'failed' }> | null = null;
    for (let attempt = 1; ; attempt += 1) {
      const remaining = deadline - this.now();
      if (remaining <= 0) {
        const spent = `the lookup's ${this.budgetMs / 1000} s spent`;
        // A throttled service whose retries outlast the budget is still counted as throttled.
        if (last !== null)
          return { ...last, detail: `${last.detail} (after ${attemptsText(attempt - 1)}, ${spent})` };
        return { kind: 'failed', reason: 'network', retryable: false, detail: `no record: ${spent}` };
      }
      const answer = await this.attempt(
        endpoint,
        region,
        authorizationId,
        token,
        Math.min(this.timeoutMs, remaining),
      );
      if (answer.kind === 'page' || !answer.retryable) return answer;
      if (attempt >= this.maxAttempts) {
        return { ...answer, detail: `${answer.detail} (after ${attemptsText(attempt)})` };
      }
      last = answer;
      // Full jitter: parallel diagnoses throttled together do not retry together.
      const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
      await this.sleep(Math.min(Math.floor(this.random() * ceiling), Math.max(0, deadline - this.now())));
    }
  }

  private signerFor(region: string): SignatureV4 {
    let signer = this.signers.get(region);
    if (signer === undefined) {
      signer = new SignatureV4({
        service: SIGNING_NAME,
        region,
        credentials: this.credentials,
        sha256: Sha256,
      });
      this.signers.set(region, signer);
    }
    return signer;
  }

  private async attempt(
    endpoint: URL,
    region: string,
    authorizationId: string,
    token: string | null,
    timeoutMs: number,
  ): Promise<Attempt> {
    const base = endpoint.pathname.replace(/\/$/, '');
    const path = `${base}/authorization-details/${authorizationId}`;
    const query: Record<string, string> = token === null ? {} : { nextToken: token };
    const url = new URL(endpoint.toString());
    url.pathname = path;
    url.search = new URLSearchParams(query).toString();
    const request = new HttpRequest({
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path,
      query,
      headers: { host: url.host, accept: 'application/json' },
    });
    let headers: Record<string, string>;
    try {
      headers = (await this.signerFor(region).sign(request)).headers as Record<string, string>;
    } catch (error) {
      return {
        kind: 'failed',
        reason: 'access-denied',
        retryable: false,
        detail: `cannot sign: ${errorText(error)}`,
      };
    }

    const signal = AbortSignal.timeout(timeoutMs);
    let response: Response;
    let text: string | null;
    try {
      response = await this.fetchImpl(url, { method: 'GET', headers, signal });
      text = await readCapped(response, this.maxResponseBytes);
    } catch (error) {
      const why = signal.aborted ? `no answer within ${timeoutMs / 1000} s` : errorText(error);
      return {
        kind: 'failed',
        reason: 'network',
        retryable: true,
        detail: `cannot reach ${url.host}: ${why}`,
      };
    }
    if (text === null) {
      const detail = `HTTP ${response.status}: a body over ${this.maxResponseBytes} bytes`;
      return { kind: 'failed', reason: 'invalid-response', retryable: false, detail };
    }
    let body: unknown = null;
    let json = true;
    try {
      body = text === '' ? null : (JSON.parse(text) as unknown);
    } catch {
      json = false;
    }
    if (response.status !== 200)
      return { kind: 'failed', ...errorVerdict(response.status, response.headers, body) };
    if (!json)
      return { kind: 'failed', reason: 'invalid-response', retryable: false, detail: 'HTTP 200: not JSON' };
    const decoded = decodePage(body);
    if (decoded.kind === 'invalid') {
      return { kind: 'failed', reason: 'invalid-response', retryable: false, detail: decoded.problem };
    }
    return decoded;
  }
}
