/**
 * A fault-injecting HTTP proxy on loopback in front of moto_server, for the integration tests.
 *
 * SDK clients pointed at it reach moto through it. It names each request's operation the way AWS
 * routes it (`dynamodb:PutItem`, `iam:PutGroupPolicy`): the service from the SigV4 credential scope,
 * the operation from `X-Amz-Target` (JSON protocols: DynamoDB, SQS, EventBridge) or from `Action=` in
 * the form body (query protocol: IAM, STS, SNS). Per operation, at chosen rates drawn from a seeded
 * PRNG (one stream per operation, so a run repeats whatever other services do), it injects:
 *
 *   throttle      a Throttling error in the protocol's own shape, before moto sees the request
 *   server-error  an HTTP 500 in the protocol's own shape, before moto sees the request
 *   latency       a delay before forwarding
 *   timeout       forwards (the write lands), then holds the answer past the client's timeout
 *   drop          forwards (the write lands), then destroys the connection instead of answering
 *
 * and, armed one at a time, a failure of the Nth call from now (`armFailure`): refused with a
 * non-retryable error, or forwarded and its answer lost, or a crash (forwarded, answer lost, every
 * later call refused until `recover()`), which is what a function dying between two steps looks like
 * from AWS's side.
 *
 * Requests are forwarded to moto one at a time: moto's conditional writes are not atomic under
 * concurrent requests (see serialized-dynamodb.ts), while AWS orders conflicting writes itself.
 * Everything it counts is in `stats()`; every request it saw is in `log`.
 */
import { request as httpRequest, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type InjectedFault = 'throttle' | 'server-error' | 'latency' | 'timeout' | 'drop';

/** Probabilities from 0 to 1 per request; their sum must not exceed 1. */
export interface FaultRates {
  throttle?: number;
  serverError?: number;
  latency?: number;
  timeout?: number;
  drop?: number;
}

/**
 * Rates by operation: an exact operation (`dynamodb:UpdateItem`) wins over its service
 * (`dynamodb:*`), which wins over every operation (`*`).
 */
export type FaultRatesByOperation = Record<string, FaultRates>;

/**
 * `reject`: refused with a non-retryable error, never reaching moto. `lost-answer`: reaches moto, the
 * connection is dropped instead of the answer. `crash`: as lost-answer, then every later call is
 * refused (non-retryable) until recover(): nothing after it reaches moto.
 */
export type ArmedFailureMode = 'reject' | 'lost-answer' | 'crash';

export interface FaultProxyOptions {
  /** moto's endpoint; only loopback addresses are accepted. */
  upstream: string;
  /** Seed of the PRNG: the same seed and the same calls give the same faults. */
  seed: number;
  rates?: FaultRatesByOperation;
  /** Range of an injected latency, in ms (default 20 to 120). */
  latencyMs?: { min: number; max: number };
  /** How long an injected timeout holds the answer at most: longer than the clients' timeout. */
  timeoutHoldMs?: number;
}

/** One request the proxy saw. */
export interface ProxiedCall {
  seq: number;
  /** `service:Operation`, e.g. `iam:PutGroupPolicy`; `moto:<path>` for moto's own API. */
  operation: string;
  /** The SDK's amz-sdk-invocation-id: the same for every attempt of one command. */
  invocationId: string | null;
  /** From amz-sdk-request (`attempt=2; max=3`); null when absent. */
  attempt: number | null;
  /** The form fields of a query-protocol request (IAM, STS, SNS). */
  params: Record<string, string> | null;
  /** What the call is about, in a few words: a DynamoDB update's expression, an IAM policy's name. */
  detail: string;
  /** Whether the request reached moto. */
  forwarded: boolean;
  /** How long moto took to answer it (0 when it did not reach moto). */
  upstreamMs: number;
  /** What was done to it, if anything. */
  fault: InjectedFault | 'armed-reject' | 'armed-lost-answer' | 'armed-crash' | 'crashed' | null;
}

/** Everything the proxy can do to a request: a random fault, the armed failure, or refusing after a crash. */
export type AppliedFault = NonNullable<ProxiedCall['fault']>;

export interface OperationStats {
  requests: number;
  forwarded: number;
  injected: Partial<Record<AppliedFault, number>>;
}

export interface FaultProxyStats {
  requests: number;
  forwarded: number;
  /** Every fault injected, random and armed, by kind. */
  injected: Partial<Record<AppliedFault, number>>;
  /** Total of `injected`. */
  faults: number;
  byOperation: Record<string, OperationStats>;
}

export interface FaultProxy {
  /** Base URL to hand to SDK clients. */
  endpoint: string;
  readonly log: readonly ProxiedCall[];
  setRates(rates: FaultRatesByOperation): void;
  /**
   * Fails the `callNumber`-th request from now (1 = the next one), once, as `mode` says. Requests
   * whose operation `uncounted` accepts are not counted (and never failed).
   */
  armFailure(callNumber: number, mode: ArmedFailureMode, uncounted?: (operation: string) => boolean): void;
  /** Whether the armed failure has happened. */
  armedFailureFired(): boolean;
  /** Ends a crash (and disarms a failure that has not fired): calls pass again. */
  recover(): void;
  stats(): FaultProxyStats;
  /** Forwarded requests of one operation (what reached moto). */
  forwardedCalls(operation: string): ProxiedCall[];
  /** Closes the server and every connection it holds. */
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const DEFAULT_LATENCY = { min: 20, max: 120 };
const DEFAULT_TIMEOUT_HOLD_MS = 2_000;

// ---------------------------------------------------------------- the PRNG

/** mulberry32: a tiny seeded PRNG, good enough to spread faults and repeat them exactly. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of the operation name mixed with the seed: one independent stream per operation. */
function streamSeed(seed: number, operation: string): number {
  let hash = 0x811c9dc5 ^ seed;
  for (let index = 0; index < operation.length; index++) {
    hash ^= operation.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// ---------------------------------------------------------------- reading a request

type Protocol = 'json' | 'query' | 'other';

interface RequestFacts {
  operation: string;
  protocol: Protocol;
  service: string;
  params: Record<string, string> | null;
  contentType: string;
  detail: string;
}

/** How much of an update expression a detail keeps. */
const DETAIL_MAX = 60;
/** JSON bodies beyond this are not parsed for a detail (a proposal item is a few KB). */
const DETAIL_BODY_MAX = 256 * 1024;

/** A DynamoDB request's table and the start of its update expression; '' for other JSON calls. */
function jsonDetail(body: Buffer): string {
  if (body.length > DETAIL_BODY_MAX) return '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return '';
  }
  if (typeof parsed !== 'object' || parsed === null) return '';
  const request = parsed as Record<string, unknown>;
  const items = Array.isArray(request['TransactItems']) ? (request['TransactItems'] as unknown[]) : [];
  const first = items[0];
  const inner =
    typeof first === 'object' && first !== null
      ? (Object.values(first as Record<string, unknown>)[0] as Record<string, unknown> | undefined)
      : undefined;
  const source = inner ?? request;
  const expression = source['UpdateExpression'];
  const table = source['TableName'];
  const what =
    typeof expression === 'string'
      ? expression
      : items.length > 0
        ? `${Object.keys(first as Record<string, unknown>)[0] ?? ''} x${items.length}`
        : '';
  return `${typeof table === 'string' ? table : ''} ${what.slice(0, DETAIL_MAX)}`.trim();
}

/** `Credential=testing/20260617/us-east-1/iam/aws4_request` -> `iam`. */
function serviceOf(authorization: string | undefined): string | null {
  const match = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  return match?.[1] ?? null;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function factsOf(request: IncomingMessage, body: Buffer): RequestFacts {
  const contentType = header(request, 'content-type') ?? '';
  const service = serviceOf(header(request, 'authorization'));
  const target = header(request, 'x-amz-target');
  if (service !== null && target !== undefined) {
    // DynamoDB_20120810.PutItem, AmazonSQS.ReceiveMessage, AWSEvents.PutEvents
    const operation = target.slice(target.lastIndexOf('.') + 1);
    return {
      operation: `${service}:${operation}`,
      protocol: 'json',
      service,
      params: null,
      contentType,
      detail: jsonDetail(body),
    };
  }
  if (service !== null && contentType.startsWith('application/x-www-form-urlencoded')) {
    const params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
    const action = params['Action'] ?? 'Unknown';
    const detail = ['GroupName', 'UserName', 'RoleName', 'PolicyName']
      .map((name) => params[name])
      .filter((value) => value !== undefined)
      .join(' ');
    return { operation: `${service}:${action}`, protocol: 'query', service, params, contentType, detail };
  }
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  return {
    operation: `moto:${path}`,
    protocol: 'other',
    service: 'moto',
    params: null,
    contentType,
    detail: '',
  };
}

// ---------------------------------------------------------------- error answers

interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const SERVICE_NAMESPACES: Record<string, string> = {
  dynamodb: 'com.amazonaws.dynamodb.v20120810',
  events: 'com.amazonaws.eventbridge',
  sqs: 'com.amazonaws.sqs',
};

/** An AWS error as the protocol carries it: JSON `__type` with x-amzn-ErrorType, or a query ErrorResponse. */
function errorAnswer(
  facts: RequestFacts,
  status: number,
  code: string,
  message: string,
  fault: 'Sender' | 'Receiver',
  seq: number,
): ErrorAnswer {
  const requestId = `fault-proxy-${seq}`;
  if (facts.protocol === 'query') {
    const body =
      `<ErrorResponse xmlns="https://${facts.service}.amazonaws.com/doc/"><Error><Type>${fault}</Type>` +
      `<Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    return {
      status,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      body,
    };
  }
  const namespace = SERVICE_NAMESPACES[facts.service] ?? `com.amazonaws.${facts.service}`;
  return {
    status,
    headers: {
      'content-type': facts.contentType || 'application/x-amz-json-1.0',
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': code,
    },
    body: JSON.stringify({ __type: `${namespace}#${code}`, message }),
  };
}

function throttleAnswer(facts: RequestFacts, seq: number): ErrorAnswer {
  // IAM, STS and SNS say `Throttling` (query); DynamoDB, EventBridge and SQS `ThrottlingException`.
  const code = facts.protocol === 'query' ? 'Throttling' : 'ThrottlingException';
  return errorAnswer(facts, 400, code, 'Rate exceeded (injected by the fault proxy)', 'Sender', seq);
}

function serverErrorAnswer(facts: RequestFacts, seq: number): ErrorAnswer {
  const code = facts.service === 'dynamodb' ? 'InternalServerError' : 'InternalFailure';
  return errorAnswer(facts, 500, code, 'Internal failure (injected by the fault proxy)', 'Receiver', seq);
}

/** An error no SDK retries: the call fails at once, as if the caller had died. */
function nonRetryableAnswer(facts: RequestFacts, seq: number): ErrorAnswer {
  return facts.protocol === 'query'
    ? errorAnswer(facts, 403, 'AccessDenied', 'Refused (injected by the fault proxy)', 'Sender', seq)
    : errorAnswer(
        facts,
        400,
        'AccessDeniedException',
        'Refused (injected by the fault proxy)',
        'Sender',
        seq,
      );
}

// ---------------------------------------------------------------- the proxy

interface ArmedFailure {
  remaining: number;
  mode: ArmedFailureMode;
  uncounted: (operation: string) => boolean;
  fired: boolean;
}

interface UpstreamAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

function assertLoopback(url: URL): void {
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new Error(`the fault proxy forwards to loopback http only, not ${url.origin}`);
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body over ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  assertLoopback(upstream);
  const latency = options.latencyMs ?? DEFAULT_LATENCY;
  const timeoutHoldMs = options.timeoutHoldMs ?? DEFAULT_TIMEOUT_HOLD_MS;
  let rates: FaultRatesByOperation = options.rates ?? {};
  const streams = new Map<string, () => number>();
  const log: ProxiedCall[] = [];
  const sockets = new Set<Socket>();
  let armed: ArmedFailure | null = null;
  let crashed = false;
  let seq = 0;
  /** moto sees one request at a time: each forward waits for the one before it. */
  let upstreamQueue: Promise<unknown> = Promise.resolve();

  const random = (operation: string): number => {
    let stream = streams.get(operation);
    if (stream === undefined) {
      stream = mulberry32(streamSeed(options.seed, operation));
      streams.set(operation, stream);
    }
    return stream();
  };

  const ratesFor = (operation: string): FaultRates => {
    const service = operation.split(':')[0] ?? '';
    return rates[operation] ?? rates[`${service}:*`] ?? rates['*'] ?? {};
  };

  /** The random fault for this request, drawn from its operation's stream (one draw per request). */
  const drawFault = (facts: RequestFacts): { fault: InjectedFault | null; latencyMs: number } => {
    if (facts.protocol === 'other') return { fault: null, latencyMs: 0 };
    const r = ratesFor(facts.operation);
    const draw = random(facts.operation);
    const spread = random(facts.operation);
    const order: [InjectedFault, number | undefined][] = [
      ['throttle', r.throttle],
      ['server-error', r.serverError],
      ['timeout', r.timeout],
      ['drop', r.drop],
      ['latency', r.latency],
    ];
    let cumulative = 0;
    for (const [fault, rate] of order) {
      cumulative += rate ?? 0;
      if (draw < cumulative) {
        const latencyMs = fault === 'latency' ? latency.min + spread * (latency.max - latency.min) : 0;
        return { fault, latencyMs };
      }
    }
    return { fault: null, latencyMs: 0 };
  };

  /** Whether this request is the armed one (counting it when it is counted at all). */
  const takeArmed = (operation: string): ArmedFailureMode | null => {
    if (armed === null || armed.fired || armed.uncounted(operation)) return null;
    armed.remaining -= 1;
    if (armed.remaining > 0) return null;
    armed.fired = true;
    return armed.mode;
  };

  const forward = (request: IncomingMessage, body: Buffer, call: ProxiedCall): Promise<UpstreamAnswer> => {
    call.forwarded = true;
    const run = (): Promise<UpstreamAnswer> => {
      const started = performance.now();
      const answered = new Promise<UpstreamAnswer>((resolve, reject) => {
        const headers = { ...request.headers, host: upstream.host };
        const outgoing = httpRequest(
          {
            protocol: upstream.protocol,
            hostname: upstream.hostname,
            port: upstream.port,
            method: request.method,
            path: request.url,
            headers,
          },
          (answer) => {
            const chunks: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => chunks.push(chunk));
            answer.on('end', () =>
              resolve({
                status: answer.statusCode ?? 502,
                headers: answer.headers as Record<string, string | string[]>,
                body: Buffer.concat(chunks),
              }),
            );
            answer.on('error', reject);
          },
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      });
      return answered.finally(() => {
        call.upstreamMs = performance.now() - started;
      });
    };
    const result = upstreamQueue.then(run, run);
    upstreamQueue = result.catch(() => undefined);
    return result;
  };

  const send = (response: ServerResponse, answer: ErrorAnswer | UpstreamAnswer): void => {
    const headers = { ...answer.headers };
    // The body is sent whole: a length of our own, not moto's chunking.
    delete headers['transfer-encoding'];
    delete headers['content-length'];
    // AWS's clock agrees with the caller's. The test's clock may be faked (and ahead of moto's): the SDK
    // would take the difference for clock skew and retry errors it must not retry.
    headers['date'] = new Date().toUTCString();
    const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
    response.writeHead(answer.status, { ...headers, 'content-length': String(body.length) });
    response.end(body);
  };

  /** Holds the request until the client gives up (closes its socket) or the hold ends. */
  const holdPastClientTimeout = (request: IncomingMessage): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, timeoutHoldMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      request.socket.once('close', done);
    });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(request);
    const facts = factsOf(request, body);
    const attemptHeader = /attempt=(\d+)/.exec(header(request, 'amz-sdk-request') ?? '');
    const call: ProxiedCall = {
      seq: ++seq,
      operation: facts.operation,
      invocationId: header(request, 'amz-sdk-invocation-id') ?? null,
      attempt: attemptHeader ? Number(attemptHeader[1]) : null,
      params: facts.params,
      detail: facts.detail,
      forwarded: false,
      upstreamMs: 0,
      fault: null,
    };
    log.push(call);

    if (facts.protocol !== 'other') {
      if (crashed) {
        call.fault = 'crashed';
        send(response, nonRetryableAnswer(facts, call.seq));
        return;
      }
      const mode = takeArmed(facts.operation);
      if (mode === 'reject') {
        call.fault = 'armed-reject';
        send(response, nonRetryableAnswer(facts, call.seq));
        return;
      }
      if (mode !== null) {
        await forward(request, body, call);
        call.fault = mode === 'crash' ? 'armed-crash' : 'armed-lost-answer';
        if (mode === 'crash') crashed = true;
        request.socket.destroy();
        return;
      }
    }

    const { fault, latencyMs } = drawFault(facts);
    call.fault = fault;
    if (fault === 'throttle') return send(response, throttleAnswer(facts, call.seq));
    if (fault === 'server-error') return send(response, serverErrorAnswer(facts, call.seq));
    if (fault === 'latency') await sleep(latencyMs);
    const answer = await forward(request, body, call);
    if (fault === 'timeout') {
      await holdPastClientTimeout(request);
      request.socket.destroy();
      return;
    }
    if (fault === 'drop') {
      request.socket.destroy();
      return;
    }
    send(response, answer);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // moto unreachable, or the body was too large: a gateway error the SDK sees as a 502.
      if (!response.headersSent) {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`fault proxy: ${error instanceof Error ? error.message : String(error)}`);
      } else {
        response.destroy();
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;

  const count = (calls: readonly ProxiedCall[]): Omit<FaultProxyStats, 'byOperation'> => {
    const injected: FaultProxyStats['injected'] = {};
    for (const call of calls) {
      if (call.fault !== null) injected[call.fault] = (injected[call.fault] ?? 0) + 1;
    }
    return {
      requests: calls.length,
      forwarded: calls.filter((call) => call.forwarded).length,
      injected,
      faults: Object.values(injected).reduce((sum, value) => sum + value, 0),
    };
  };

  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    log,
    setRates(next) {
      rates = next;
    },
    armFailure(callNumber, mode, uncounted = () => false) {
      if (!Number.isInteger(callNumber) || callNumber < 1) {
        throw new Error(`armFailure takes a call number from 1, got ${callNumber}`);
      }
      armed = { remaining: callNumber, mode, uncounted, fired: false };
    },
    armedFailureFired: () => armed?.fired ?? false,
    recover() {
      crashed = false;
      armed = null;
    },
    stats() {
      const byOperation: Record<string, OperationStats> = {};
      const grouped = new Map<string, ProxiedCall[]>();
      for (const call of log) {
        const calls = grouped.get(call.operation);
        if (calls === undefined) grouped.set(call.operation, [call]);
        else calls.push(call);
      }
      for (const [operation, calls] of grouped) {
        const { requests, forwarded, injected } = count(calls);
        byOperation[operation] = { requests, forwarded, injected };
      }
      return { ...count(log), byOperation };
    },
    forwardedCalls: (operation) => log.filter((call) => call.operation === operation && call.forwarded),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
