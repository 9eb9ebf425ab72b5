/**
 * FAKE of the two sso-admin reads moto 5.2.1 lacks, in front of moto_server: ListTagsForResource and
 * GetPermissionsBoundaryForPermissionSet. It follows the service's published model (JSON 1.1,
 * `X-Amz-Target: SWBExternalService.<Operation>`; a set without a boundary answers
 * ResourceNotFoundException, as sso-admin does); the tests set tags and boundaries on it directly.
 * Every other request goes to moto unchanged. Each call's operation is recorded, so a test can assert
 * what a reader or writer sent.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeBoundary =
  { ManagedPolicyArn: string } | { CustomerManagedPolicyReference: { Name: string; Path?: string } };

export interface SsoAdminReadFake {
  /** Point SSOAdminClient here (the identitystore client may go to moto directly). */
  endpoint: string;
  setTags(permissionSetArn: string, tags: Record<string, string>): void;
  setBoundary(permissionSetArn: string, boundary: FakeBoundary | null): void;
  /** `Operation` names in the order received, with their JSON bodies. */
  readonly calls: { operation: string; body: Record<string, unknown> }[];
  stop(): Promise<void>;
}

const TARGET_PREFIX = 'SWBExternalService.';

export async function startSsoAdminReadFake(upstream: string): Promise<SsoAdminReadFake> {
  const upstreamUrl = new URL(upstream);
  if (!['127.0.0.1', 'localhost'].includes(upstreamUrl.hostname)) {
    throw new Error(`the fake forwards to loopback only, not ${upstream}`);
  }
  const tags = new Map<string, Record<string, string>>();
  const boundaries = new Map<string, FakeBoundary>();
  const calls: SsoAdminReadFake['calls'] = [];

  const answer = (response: ServerResponse, status: number, body: unknown, errorType?: string): void => {
    const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
    if (errorType !== undefined) headers['x-amzn-errortype'] = errorType;
    response.writeHead(status, headers);
    response.end(JSON.stringify(body));
  };

  const forward = (incoming: IncomingMessage, body: Buffer, response: ServerResponse): void => {
    const outgoing = httpRequest(
      {
        hostname: upstreamUrl.hostname,
        port: upstreamUrl.port,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
      },
      (reply) => {
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(response);
      },
    );
    outgoing.on('error', (error) => answer(response, 502, { message: error.message }, 'FakeProxyError'));
    outgoing.end(body);
  };

  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(incoming.headers['x-amz-target'] ?? '');
      const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
      let parsed: Record<string, unknown> = {};
      try {
        parsed = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        parsed = {};
      }
      calls.push({ operation, body: parsed });
      if (operation === 'ListTagsForResource') {
        const held = tags.get(String(parsed['ResourceArn'])) ?? {};
        answer(response, 200, { Tags: Object.entries(held).map(([Key, Value]) => ({ Key, Value })) });
        return;
      }
      if (operation === 'GetPermissionsBoundaryForPermissionSet') {
        const held = boundaries.get(String(parsed['PermissionSetArn']));
        if (held === undefined) {
          answer(
            response,
            400,
            { __type: 'ResourceNotFoundException', Message: 'No permissions boundary attached' },
            'ResourceNotFoundException',
          );
        } else {
          answer(response, 200, { PermissionsBoundary: held });
        }
        return;
      }
      forward(incoming, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setTags: (arn, held) => void tags.set(arn, { ...held }),
    setBoundary: (arn, boundary) => {
      if (boundary === null) boundaries.delete(arn);
      else boundaries.set(arn, boundary);
    },
    calls,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
