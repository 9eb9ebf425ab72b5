/**
 * A loopback HTTP proxy in front of a moto_server that keeps state per account. It does two jobs:
 *
 * 1. It names the account every request acts in, as moto picks it (the `x-moto-account-id` header,
 *    else the account of an assumed-role session's access key), with the request's operation, so a
 *    test can say which account's IAM a function read or wrote, whatever clients the function built.
 *
 * 2. A NAMED FAKE of what moto does not do in STS and IAM: moto's AssumeRole hands out credentials
 *    for any role ARN, existing or not, whatever its trust policy and external id, and moto honours
 *    credentials past their expiry. Following STS's published behaviour, for a caller that is an
 *    assumed-role session this proxy answers AssumeRole with AccessDenied unless the role exists in
 *    its account and its trust policy (evaluated with @cloud-copilot/iam-simulate, with the caller's
 *    aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalOrgID and the request's sts:ExternalId)
 *    allows sts:AssumeRole, and sts:SetSourceIdentity when a SourceIdentity is asked for; and it
 *    answers ExpiredToken to a session the test expired. Callers signing with the suite's fixed keys
 *    stand for Lambda handing a function its execution role: they are not checked.
 */
import { request as httpRequest, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { nameOf, parseArn } from '../../../../lambda/core/iam/arn';
import { MOTO_ACCOUNT_HEADER } from './moto-accounts';

/** One request the proxy saw. */
export interface AccountCall {
  /** The account the request acts in (moto's state it reads or writes). */
  account: string;
  /** `service:Operation`, e.g. `iam:GetRole`. */
  operation: string;
  /** The assumed-role session's role ARN; null for the suite's fixed keys. */
  roleArn: string | null;
  /** What the proxy answered itself instead of forwarding, if anything. */
  refused: 'AccessDenied' | 'ExpiredToken' | null;
}

/** An assumed-role session the proxy handed out (through moto). */
export interface TrackedSession {
  accessKeyId: string;
  account: string;
  roleArn: string;
  sessionName: string;
  sourceIdentity: string | null;
  externalId: string | null;
  expired: boolean;
}

export interface AccountsProxyOptions {
  upstream: string;
  /** Account id -> organization id, for aws:PrincipalOrgID (accounts outside any organization: absent). */
  organizationOf: (accountId: string) => string | null;
}

export interface AccountsProxy {
  endpoint: string;
  readonly calls: readonly AccountCall[];
  readonly sessions: readonly TrackedSession[];
  /** Calls of one service (`iam`) acting in `account`. */
  callsIn(account: string, service?: string): AccountCall[];
  /** Every session matching `which` now answers ExpiredToken, as STS's credentials past their expiry. */
  expireSessions(which: (session: TrackedSession) => boolean): number;
  /** Forgets the calls seen so far (the sessions stay). */
  clearCalls(): void;
  close(): Promise<void>;
}

const DEFAULT_ACCOUNT = '123456789012';
const ACCESS_KEY = /Credential=([A-Z0-9a-z]+)\/\d{8}\/[^/]+\/([a-z0-9-]+)\/aws4_request/;

export async function startAccountsProxy(options: AccountsProxyOptions): Promise<AccountsProxy> {
  const upstream = new URL(options.upstream);
  if (upstream.hostname !== '127.0.0.1' && upstream.hostname !== 'localhost') {
    throw new Error(`the accounts proxy forwards to loopback only, got ${options.upstream}`);
  }
  const calls: AccountCall[] = [];
  const sessions = new Map<string, TrackedSession>();
  const sockets = new Set<Socket>();

  const handle = async (incoming: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(incoming);
    const headers = incoming.headers;
    const [, accessKeyId = '', service = 'unknown'] =
      ACCESS_KEY.exec(String(headers.authorization ?? '')) ?? [];
    const form =
      service === 'iam' || service === 'sts' || service === 'sns'
        ? new URLSearchParams(body.toString('utf8'))
        : null;
    const target = String(headers['x-amz-target'] ?? '');
    const operation = `${service}:${form?.get('Action') ?? (target.split('.').pop() || 'unknown')}`;
    const session = sessions.get(accessKeyId) ?? null;
    const headerAccount = headers[MOTO_ACCOUNT_HEADER];
    const account = typeof headerAccount === 'string' ? headerAccount : (session?.account ?? DEFAULT_ACCOUNT);
    const call: AccountCall = { account, operation, roleArn: session?.roleArn ?? null, refused: null };
    calls.push(call);

    if (session?.expired === true) {
      call.refused = 'ExpiredToken';
      answerError(
        response,
        form !== null,
        'ExpiredToken',
        'The security token included in the request is expired',
      );
      return;
    }
    if (operation === 'sts:AssumeRole' && session !== null && form !== null) {
      const refusal = await assumeRoleRefusal(options, upstream, session, form);
      if (refusal !== null) {
        call.refused = 'AccessDenied';
        answerError(response, true, 'AccessDenied', refusal);
        return;
      }
    }
    const answer = await forward(upstream, incoming, body);
    if (operation === 'sts:AssumeRole' && form !== null && answer.status === 200) {
      const tracked = sessionOf(answer.body, form);
      if (tracked !== null) sessions.set(tracked.accessKeyId, tracked);
    }
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  };

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`accounts proxy: ${String(error)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    get sessions() {
      return [...sessions.values()];
    },
    callsIn: (which, service) =>
      calls.filter(
        (call) =>
          call.account === which && (service === undefined || call.operation.startsWith(`${service}:`)),
      ),
    expireSessions: (which) => {
      let count = 0;
      for (const session of sessions.values()) {
        if (!session.expired && which(session)) {
          session.expired = true;
          count++;
        }
      }
      return count;
    },
    clearCalls: () => {
      calls.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Why STS would refuse `caller` this AssumeRole, or null when it would not. */
async function assumeRoleRefusal(
  options: AccountsProxyOptions,
  upstream: URL,
  caller: TrackedSession,
  form: URLSearchParams,
): Promise<string | null> {
  const roleArn = form.get('RoleArn') ?? '';
  const callerArn = `arn:aws:sts::${caller.account}:assumed-role/${nameOf(caller.roleArn)}/${caller.sessionName}`;
  const denied = `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
  const parsed = parseArn(roleArn);
  if (parsed === null || parsed.service !== 'iam') return denied;
  const roleName = nameOf(roleArn);
  const trust = await trustPolicyOf(upstream, parsed.account, roleName);
  // STS answers a missing role exactly as a role that does not trust the caller.
  if (trust === null) return denied;
  const organizationId = options.organizationOf(caller.account);
  const externalId = form.get('ExternalId');
  const context: Record<string, string> = {
    'aws:PrincipalArn': caller.roleArn,
    'aws:PrincipalAccount': caller.account,
    'aws:PrincipalType': 'AssumedRole',
  };
  if (organizationId !== null) context['aws:PrincipalOrgID'] = organizationId;
  if (externalId !== null) context['sts:ExternalId'] = externalId;
  const actions = ['sts:AssumeRole'];
  if (form.get('SourceIdentity') !== null) {
    actions.push('sts:SetSourceIdentity');
    context['sts:SourceIdentity'] = form.get('SourceIdentity') ?? '';
  }
  for (const action of actions) {
    const outcome = await runSimulation(
      {
        request: {
          principal: callerArn,
          action,
          resource: { resource: roleArn, accountId: parsed.account },
          contextVariables: context,
        },
        // The hub roles' own sts:AssumeRole grants are the hub stack's (CDK assertions); here the
        // member's trust decides.
        identityPolicies: [
          {
            name: 'caller-may-assume',
            policy: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
            },
          },
        ],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: trust,
      },
      {},
    );
    if (outcome.resultType === 'error') throw new Error(`iam-simulate: ${JSON.stringify(outcome.errors)}`);
    if (outcome.resultType !== 'single' || outcome.overallResult !== 'Allowed') {
      return action === 'sts:AssumeRole'
        ? denied
        : `User: ${callerArn} is not authorized to perform: sts:SetSourceIdentity on resource: ${roleArn}`;
    }
  }
  return null;
}

/** The role's trust policy as moto holds it; null when the account has no such role. */
async function trustPolicyOf(upstream: URL, account: string, roleName: string): Promise<unknown> {
  const answer = await fetch(new URL('/', upstream), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
      [MOTO_ACCOUNT_HEADER]: account,
    },
    body: new URLSearchParams({ Action: 'GetRole', Version: '2010-05-08', RoleName: roleName }).toString(),
  });
  const text = await answer.text();
  if (answer.status !== 200) return null;
  const document = /<AssumeRolePolicyDocument>([\s\S]*?)<\/AssumeRolePolicyDocument>/.exec(text)?.[1] ?? '';
  return JSON.parse(decodeURIComponent(unescapeXml(document))) as unknown;
}

function sessionOf(xml: Buffer, form: URLSearchParams): TrackedSession | null {
  const text = xml.toString('utf8');
  const accessKeyId = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(text)?.[1];
  const roleArn = form.get('RoleArn') ?? '';
  const account = parseArn(roleArn)?.account;
  if (accessKeyId === undefined || account === undefined) return null;
  return {
    accessKeyId,
    account,
    roleArn,
    sessionName: form.get('RoleSessionName') ?? '',
    sourceIdentity: form.get('SourceIdentity'),
    externalId: form.get('ExternalId'),
    expired: false,
  };
}

function answerError(response: ServerResponse, query: boolean, code: string, message: string): void {
  if (query) {
    response.writeHead(403, { 'content-type': 'text/xml' });
    response.end(
      `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>` +
        '<RequestId>accounts-proxy</RequestId></ErrorResponse>',
    );
    return;
  }
  response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify({ __type: `${code}Exception`, message }));
}

interface Forwarded {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

function forward(upstream: URL, incoming: IncomingMessage, body: Buffer): Promise<Forwarded> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: upstream.host },
      },
      (answer) => {
        readBody(answer)
          .then((answerBody) => {
            const headers: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(answer.headers)) {
              if (value !== undefined && name !== 'transfer-encoding' && name !== 'connection')
                headers[name] = value;
            }
            headers['content-length'] = String(answerBody.length);
            resolve({ status: answer.statusCode ?? 502, headers, body: answerBody });
          })
          .catch(reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unescapeXml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
