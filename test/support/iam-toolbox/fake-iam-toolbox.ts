/**
 * A FAKE of IAM Toolbox's GetRequestAuthorizationDetails on the loopback interface, for tests only
 * (moto has no IAM Toolbox). It answers as the service model (a copy in test/fixtures/iam-toolbox/)
 * says: GET /authorization-details/{authorizationId}?nextToken=, pages of `evaluations`, each of the
 * model's error shapes with its status and the restJson x-amzn-errortype header. It verifies each
 * request's SigV4 signature (signing name 'iam', its region) and checks every response it serves
 * against the model's shapes; what breaks the model is recorded in `violations`. Only
 * `serveUncheckedNext` serves a response outside the model, for the adapter's invalid-response tests.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { shapeProblem } from '../../../lambda/adapters/aws/iam-toolbox/wire-model';
import { ERROR_STATUS, type ModelErrorShape, OPERATION, SERVICE_MODEL, modelShapes } from './service-model';

export const FAKE_CREDENTIALS = {
  accessKeyId: 'AKIAFAKETOOLBOX00001',
  secretAccessKey: 'fake-toolbox-secret',
};

/** A record in the model's wire form (evaluations are paged by the fake). */
export interface FakeRecord {
  requestContext: Record<string, unknown>;
  evaluations: Record<string, unknown>[];
  policies: Record<string, unknown>[];
}

export interface ReceivedRequest {
  path: string;
  nextToken: string | null;
  /** The region and service of the signature's credential scope. */
  region: string | null;
  service: string | null;
  signatureValid: boolean;
}

/** AWS's answers outside this model's errors: its front door's throttling and unavailability. */
type ServiceWide = 'ThrottlingException' | 'ServiceUnavailable';
const SERVICE_WIDE_STATUS: Record<ServiceWide, number> = {
  ThrottlingException: 429,
  ServiceUnavailable: 503,
};

type Scripted =
  | { kind: 'pass' }
  | { kind: 'error'; type: ModelErrorShape | ServiceWide }
  | { kind: 'unchecked'; status: number; body: string; headers: Record<string, string> }
  | { kind: 'hang' };

const OUTPUT_SHAPES = modelShapes(OPERATION.output.shape);
const ID_PATTERN = (() => {
  const input = SERVICE_MODEL.shapes[OPERATION.input.shape];
  const idShape = input?.members?.['authorizationId']?.shape ?? '';
  // Smithy patterns are not anchored: as the service would read it.
  return new RegExp(SERVICE_MODEL.shapes[idShape]?.pattern ?? '(?!)');
})();
const ERROR_SHAPES = Object.fromEntries(Object.keys(ERROR_STATUS).map((name) => [name, modelShapes(name)]));
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/;

export class FakeIamToolbox {
  readonly requests: ReceivedRequest[] = [];
  /** Responses the fake would have served that break the model: a test asserts none. */
  readonly violations: string[] = [];
  private readonly records = new Map<string, FakeRecord>();
  private readonly script: Scripted[] = [];
  private readonly hanging: ServerResponse[] = [];
  private server: Server | null = null;

  constructor(private readonly options: { region: string; pageSize?: number }) {}

  async start(): Promise<URL> {
    const server = createServer((request, response) => {
      void this.handle(request, response);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new URL(`http://127.0.0.1:${port}`);
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    const server = this.server;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  put(authorizationId: string, record: FakeRecord): void {
    this.records.set(authorizationId, record);
  }

  /** The next requests are answered with these errors, in order, before the records are looked at. */
  failNext(...types: (ModelErrorShape | ServiceWide)[]): void {
    this.script.push(...types.map((type) => ({ kind: 'error' as const, type })));
  }

  /** The next `count` requests are answered as usual (a later scripted answer hits a later page). */
  passNext(count: number): void {
    for (let index = 0; index < count; index += 1) this.script.push({ kind: 'pass' });
  }

  /** Serves this response as it is, without the model check: only for invalid-response tests. */
  serveUncheckedNext(status: number, body: string, headers: Record<string, string> = {}): void {
    this.script.push({ kind: 'unchecked', status, body, headers });
  }

  /** Never answers the next request (a timeout test). */
  hangNext(): void {
    this.script.push({ kind: 'hang' });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    const nextToken = url.searchParams.get('nextToken');
    const signature = await this.verify(request, url);
    this.requests.push({ path: url.pathname, nextToken, ...signature });
    const scripted = this.script.shift();
    if (scripted?.kind === 'hang') {
      this.hanging.push(response);
      return;
    }
    if (scripted?.kind === 'unchecked') {
      response.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers });
      response.end(scripted.body);
      return;
    }
    if (!signature.signatureValid) {
      // Not one of the operation's errors: AWS's answer to a bad signature, kept out of the model check.
      response.writeHead(403, {
        'x-amzn-errortype': 'InvalidSignatureException',
        'content-type': 'application/json',
      });
      response.end(JSON.stringify({ message: 'The request signature we calculated does not match' }));
      return;
    }
    if (scripted?.kind === 'error') return this.error(response, scripted.type, `scripted ${scripted.type}`);

    const match = /^\/authorization-details\/([^/]+)$/.exec(url.pathname);
    if (request.method !== OPERATION.http.method || match === null) {
      return this.error(response, 'ValidationException', 'no such operation');
    }
    const id = decodeURIComponent(match[1] ?? '');
    if (!ID_PATTERN.test(id)) return this.error(response, 'ValidationException', 'invalid authorizationId');
    const record = this.records.get(id);
    if (record === undefined) {
      return this.error(response, 'ResourceNotFoundException', 'authorization details not found or expired');
    }
    const pageSize = this.options.pageSize ?? 100;
    const offset = nextToken === null ? 0 : this.offsetOf(nextToken);
    if (offset === null) return this.error(response, 'ValidationException', 'invalid nextToken');
    const end = offset + pageSize;
    const page: Record<string, unknown> = {
      requestContext: record.requestContext,
      evaluations: record.evaluations.slice(offset, end),
      policies: record.policies,
      ...(end < record.evaluations.length ? { nextToken: this.tokenOf(end) } : {}),
    };
    this.serve(response, 200, page, OUTPUT_SHAPES, OPERATION.output.shape, {});
  }

  /** Opaque tokens with the characters a base64 token has, so that their encoding is exercised. */
  private tokenOf(offset: number): string {
    return `pg+/${offset}==`;
  }

  private offsetOf(token: string): number | null {
    const match = /^pg\+\/(\d+)==$/.exec(token);
    return match === null ? null : Number(match[1]);
  }

  private error(response: ServerResponse, type: ModelErrorShape | ServiceWide, message: string): void {
    const headers = {
      'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.iamtoolbox/`,
    };
    if (type === 'ThrottlingException' || type === 'ServiceUnavailable') {
      // Outside the model; AWS's service-wide error body is the same { message }.
      response.writeHead(SERVICE_WIDE_STATUS[type], { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify({ message }));
      return;
    }
    this.serve(response, ERROR_STATUS[type] ?? 0, { message }, ERROR_SHAPES[type] ?? {}, type, headers);
  }

  private serve(
    response: ServerResponse,
    status: number,
    body: unknown,
    shapes: ReturnType<typeof modelShapes>,
    shape: string,
    headers: Record<string, string>,
  ): void {
    const problem = shapeProblem(shapes, shape, body, { strict: true });
    if (problem !== null) this.violations.push(`${shape}: ${problem}`);
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  }

  /** Recomputes the request's SigV4 signature with the fake's credentials, its region and 'iam'. */
  private async verify(
    request: IncomingMessage,
    url: URL,
  ): Promise<{ region: string | null; service: string | null; signatureValid: boolean }> {
    const authorization = AUTHORIZATION.exec(String(request.headers['authorization'] ?? ''));
    const amzDate = String(request.headers['x-amz-date'] ?? '');
    const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (authorization === null || date === null)
      return { region: null, service: null, signatureValid: false };
    const [, keyId, , region = '', service = '', signedHeaders = ''] = authorization;
    const headers: Record<string, string> = {};
    for (const name of signedHeaders.split(';')) headers[name] = String(request.headers[name] ?? '');
    const signer = new SignatureV4({
      service: SERVICE_MODEL.metadata.signingName,
      region: this.options.region,
      credentials: FAKE_CREDENTIALS,
      sha256: Sha256,
    });
    const [, y, mo, d, h, mi, s] = date;
    const expected = await signer.sign(
      new HttpRequest({
        method: request.method ?? 'GET',
        hostname: headers['host'] ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams.entries()),
        headers,
      }),
      { signingDate: new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`) },
    );
    const signatureValid =
      keyId === FAKE_CREDENTIALS.accessKeyId &&
      expected.headers['authorization'] === request.headers['authorization'];
    return { region, service, signatureValid };
  }
}
