/**
 * A NAMED FAKE of what STS checks and moto does not: moto's AssumeRole answers for any role ARN,
 * existing or not, whatever its trust says. This loopback proxy in front of moto_server refuses an
 * AssumeRole, as STS does (HTTP 403, query-protocol `AccessDenied`), when the role does not exist in
 * its account or its trust policy's `sts:ExternalId` condition differs from the request's. Everything
 * else is forwarded unchanged.
 *
 * Sessions can be expired early (`expireSessionsOf`): a call signed with one is then refused as IAM
 * and STS refuse an expired token (HTTP 403, `ExpiredToken`), as a revoked session or a clock that
 * ran behind would see it.
 *
 * It also records every call with the account it acted in: the `x-moto-account-id` header's, else
 * the account of the role whose AssumeRole returned the signing access key, else moto's default
 * (the hub's `testing` key). That is how the tests see where each read landed.
 */
import { request as httpRequest, createServer, type IncomingMessage, type Server } from 'node:http';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { MOTO_ACCOUNT_ID } from './moto';

export interface ProxiedAccountCall {
  /** e.g. `iam:GetRole`, `sts:AssumeRole`. */
  operation: string;
  /** The account the call acted in. */
  account: string;
  /** An AssumeRole's form fields (RoleArn, ExternalId, SourceIdentity, ...); null for other calls. */
  params: Record<string, string> | null;
}

export interface MemberRoleStsFake {
  endpoint: string;
  calls: ProxiedAccountCall[];
  /** Every session issued so far for `account` is refused from now on as expired. */
  expireSessionsOf(account: string): void;
  /** Calls whose operation starts with `prefix` (`iam:`, `sts:AssumeRole`; all when omitted) by account. */
  countByAccount(prefix?: string): Record<string, number>;
  stop(): Promise<void>;
}

/** An IAM client of moto that acts in `account` (moto's `x-moto-account-id` header). */
export function motoIamOf(endpoint: string, account: string): IAMClient {
  const iam = new IAMClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
  iam.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers !== undefined) request.headers['x-moto-account-id'] = account;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return iam;
}

const ROLE_ARN = /^arn:[a-z-]+:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/;

export async function startMemberRoleStsFake(upstream: string): Promise<MemberRoleStsFake> {
  const target = new URL(upstream);
  const calls: ProxiedAccountCall[] = [];
  const accountOfKey = new Map<string, string>();
  const expiredKeys = new Set<string>();
  const iamClients = new Map<string, IAMClient>();
  const iamOf = (account: string): IAMClient => {
    let client = iamClients.get(account);
    if (client === undefined) {
      client = motoIamOf(upstream, account);
      iamClients.set(account, client);
    }
    return client;
  };

  async function refusal(form: URLSearchParams): Promise<string | null> {
    const roleArn = form.get('RoleArn') ?? '';
    const match = ROLE_ARN.exec(roleArn);
    if (match === null) return `not a role ARN: ${roleArn}`;
    const [, account = '', name = ''] = match;
    let document: string | undefined;
    try {
      document = (await iamOf(account).send(new GetRoleCommand({ RoleName: name }))).Role
        ?.AssumeRolePolicyDocument;
    } catch {
      return `is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
    }
    const trust = JSON.parse(decodeURIComponent(document ?? '{}')) as {
      Statement?: { Condition?: { StringEquals?: Record<string, unknown> } }[];
    };
    const required = trust.Statement?.flatMap((statement) => {
      const value = statement.Condition?.StringEquals?.['sts:ExternalId'];
      return value === undefined ? [] : [value];
    });
    if (required !== undefined && required.length > 0 && !required.includes(form.get('ExternalId'))) {
      return `is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
    }
    return null;
  }

  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const authorization = String(incoming.headers.authorization ?? '');
        const [, accessKey = '', service = 'unknown'] =
          /Credential=([^/]+)\/\d{8}\/[^/]+\/([^/]+)\//.exec(authorization) ?? [];
        const form = new URLSearchParams(body.toString('utf8'));
        const operation = `${service}:${form.get('Action') ?? 'unknown'}`;
        const header = incoming.headers['x-moto-account-id'];
        const account =
          typeof header === 'string' ? header : (accountOfKey.get(accessKey) ?? MOTO_ACCOUNT_ID);
        const params = operation === 'sts:AssumeRole' ? Object.fromEntries(form.entries()) : null;
        calls.push({ operation, account, params });
        if (expiredKeys.has(accessKey)) {
          outgoing.writeHead(403, { 'content-type': 'text/xml' });
          outgoing.end(
            `<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code>` +
              `<Message>The security token included in the request is expired</Message></Error>` +
              `<RequestId>member-role-sts-fake</RequestId></ErrorResponse>`,
          );
          return;
        }
        if (operation === 'sts:AssumeRole') {
          const refused = await refusal(form);
          if (refused !== null) {
            outgoing.writeHead(403, { 'content-type': 'text/xml' });
            outgoing.end(
              `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
                `<Code>AccessDenied</Code><Message>User: hub ${refused}</Message></Error>` +
                `<RequestId>member-role-sts-fake</RequestId></ErrorResponse>`,
            );
            return;
          }
        }
        forward(incoming, body, (status, headers, answer) => {
          if (operation === 'sts:AssumeRole') {
            const key = /<AccessKeyId>([A-Z0-9]+)<\/AccessKeyId>/.exec(answer.toString('utf8'))?.[1];
            const roleAccount = ROLE_ARN.exec(form.get('RoleArn') ?? '')?.[1];
            if (key !== undefined && roleAccount !== undefined) accountOfKey.set(key, roleAccount);
          }
          outgoing.writeHead(status, headers);
          outgoing.end(answer);
        }).catch((error: unknown) => outgoing.destroy(error as Error));
      })().catch((error: unknown) => outgoing.destroy(error as Error));
    });
  });

  function forward(
    incoming: IncomingMessage,
    body: Buffer,
    answer: (status: number, headers: IncomingMessage['headers'], body: Buffer) => void,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const forwarded = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (chunk: Buffer) => parts.push(chunk));
          response.on('end', () => {
            answer(response.statusCode ?? 502, response.headers, Buffer.concat(parts));
            resolve();
          });
          response.on('error', reject);
        },
      );
      forwarded.on('error', reject);
      forwarded.end(body);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the STS fake has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    calls,
    expireSessionsOf: (account) => {
      for (const [key, keyAccount] of accountOfKey) if (keyAccount === account) expiredKeys.add(key);
    },
    countByAccount: (prefix = '') => {
      const counts: Record<string, number> = {};
      for (const call of calls) {
        if (call.operation.startsWith(prefix)) {
          counts[call.account] = (counts[call.account] ?? 0) + 1;
        }
      }
      return counts;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of iamClients.values()) client.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
