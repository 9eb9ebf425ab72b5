/**
 * A NAMED FAKE of the IAM Identity Center steps moto 5.2.1 does not do, in a loopback proxy in front
 * of moto_server. moto's sso-admin keeps permission sets, their inline, managed and customer-managed
 * policies and account assignments (every such call is forwarded unchanged); it has no
 * DescribePermissionSetProvisioningStatus, its ListAccountsForProvisionedPermissionSet knows only its
 * own account, its ProvisionPermissionSet ignores the target and creates no role, and it has no tags
 * or permissions boundary on permission sets. Following the sso-admin API reference, this fake answers:
 *
 * - ProvisionPermissionSet: ASSERTS TargetType=AWS_ACCOUNT and an account the test allowed (the
 *   denial's), else records a violation and refuses (an apply that provisions everywhere fails its
 *   test). It reads the set's whole current definition from moto as the caller (what Identity Center
 *   pushes, edits of others included) and, once the request SUCCEEDS, creates or updates the
 *   `AWSReservedSSO_<set>_<16 hex>` role under `/aws-reserved/sso.amazonaws.com/` (plus the instance's
 *   region when it is not us-east-1) in the member account's IAM on moto: the inline policy as
 *   `AwsSSOInlinePolicy`, the managed policies, the customer-managed references resolved by path and
 *   name in the member (a missing one FAILS the request, as Identity Center does), the boundary.
 * - DescribePermissionSetProvisioningStatus: scriptable per request (`scriptProvisioning`):
 *   IN_PROGRESS n times, then SUCCEEDED or FAILED. Every observation counts, the ProvisionPermissionSet
 *   answer being the first. A second ProvisionPermissionSet of the same set to the same account while
 *   one is IN_PROGRESS is refused (ConflictException): an apply must resume its request.
 * - ListAccountsForProvisionedPermissionSet: the accounts a provisioning has succeeded in.
 * - TagResource, UntagResource, ListTagsForResource (tags given to CreatePermissionSet included) and
 *   Put/Get/DeletePermissionsBoundary(To|For|From)PermissionSet.
 *
 * moto names a permission set `<instance ARN>/ps-…`; sso-admin names it
 * `arn:aws:sso:::permissionSet/ssoins-…/ps-…` (the Service Authorization Reference's pattern, which
 * role policies are scoped by). The fake rewrites moto's form to sso-admin's in every answer and back
 * in every request, so clients only ever see sso-admin's.
 *
 * Calls by an assumed-role session are authorized as IAM would (identity-center-authorization.ts):
 * refused with AccessDeniedException when the role's policies do not allow them on every resource
 * the action requires. It also refuses, as IAM does (`UnmodifiableEntity`), any IAM write to an
 * `AWSReservedSSO_` role that reaches it: only provisioning changes those roles. Everything else is
 * forwarded unchanged.
 */
import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { motoIamOf } from './member-role-sts-fake';
import { ssoAuthorizer } from './identity-center-authorization';

const SSO_TARGET_PREFIX = 'SWBExternalService.';
/** What Identity Center names the provisioned role's inline policy. */
export const RESERVED_INLINE_POLICY_NAME = 'AwsSSOInlinePolicy';
const RESERVED_PATH = '/aws-reserved/sso.amazonaws.com/';
const MOTO_SET_ARN = /arn:(aws[a-z-]*):sso:::instance\/(ssoins-[A-Za-z0-9.-]+)\/(ps-[A-Za-z0-9.-]+)/g;
const SSO_SET_ARN = /arn:(aws[a-z-]*):sso:::permissionSet\/(ssoins-[A-Za-z0-9.-]+)\/(ps-[A-Za-z0-9.-]+)/g;
/** moto's permission set ARN -> sso-admin's. */
const toSsoArns = (text: string): string => text.replace(MOTO_SET_ARN, 'arn:$1:sso:::permissionSet/$2/$3');
/** sso-admin's permission set ARN -> moto's. */
const toMotoArns = (text: string): string => text.replace(SSO_SET_ARN, 'arn:$1:sso:::instance/$2/$3');

export type ProvisioningOutcome = 'SUCCEEDED' | 'FAILED';

/** How the next ProvisionPermissionSet request goes: `inProgress` observations, then `outcome`. */
export interface ProvisioningScript {
  inProgress: number;
  outcome: ProvisioningOutcome;
  failureReason?: string;
}

export interface CustomerManagedReference {
  Name: string;
  Path?: string;
}

/** What a provisioning pushed, as read from moto when it was requested. */
export interface PushedDefinition {
  name: string;
  inlinePolicy: string;
  managedPolicyArns: string[];
  customerManagedPolicies: { name: string; path: string }[];
  boundary: { ManagedPolicyArn?: string; CustomerManagedPolicyReference?: CustomerManagedReference } | null;
}

export interface ProvisioningRequest {
  requestId: string;
  instanceArn: string;
  permissionSetArn: string;
  accountId: string;
  definition: PushedDefinition;
  state: 'IN_PROGRESS' | ProvisioningOutcome;
  failureReason: string | null;
  /** Observations left before the outcome. */
  remaining: number;
  outcome: ProvisioningOutcome;
  scriptedFailure: string | null;
  createdAt: number;
  /** How many times the status was read (the ProvisionPermissionSet answer included). */
  observations: number;
}

/** One sso-admin or identitystore call the fake saw (forwarded or answered). */
export interface IdentityCenterCall {
  operation: string;
  input: Record<string, unknown>;
}

export interface IdentityCenterProvisioningFake {
  endpoint: string;
  /** Which accounts a ProvisionPermissionSet may target; any other, or none set, is a violation. */
  allowProvisioningTo(...accountIds: string[]): void;
  /** Queues how the next ProvisionPermissionSet requests go (default: SUCCEEDED at once). */
  scriptProvisioning(...scripts: ProvisioningScript[]): void;
  /**
   * Provisions as the management account's Identity Center would, outside any test's assertion:
   * the harness's seeding ("the set was provisioned there before the denial").
   */
  seedProvisioned(
    instanceAccountId: string,
    instanceArn: string,
    permissionSetArn: string,
    accountId: string,
  ): Promise<void>;
  /** `AWSReservedSSO_<name>_<hash>`: the hash is stable per set and account, as Identity Center's. */
  reservedRoleName(name: string, permissionSetArn: string, accountId: string): string;
  reservedRolePath: string;
  readonly requests: readonly ProvisioningRequest[];
  readonly calls: readonly IdentityCenterCall[];
  /** What the fake refused because the test's assertions forbid it (must end empty). */
  readonly violations: string[];
  /** IAM writes to reserved roles refused as UnmodifiableEntity. */
  readonly unmodifiableRefusals: string[];
  /** sso-admin calls IAM would refuse the calling role (AccessDeniedException). */
  readonly accessDenials: string[];
  close(): Promise<void>;
}

export interface IdentityCenterFakeOptions {
  /** moto_server, keeping state per account. */
  upstream: string;
  /** The instance's region: the reserved role's path names it unless it is us-east-1. */
  instanceRegion?: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

class SsoError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const IAM_ROLE_WRITES = new Set([
  'PutRolePolicy',
  'DeleteRolePolicy',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'PutRolePermissionsBoundary',
  'DeleteRolePermissionsBoundary',
  'UpdateAssumeRolePolicy',
  'UpdateRole',
  'UpdateRoleDescription',
  'DeleteRole',
  'TagRole',
  'UntagRole',
]);

export async function startIdentityCenterProvisioningFake(
  options: IdentityCenterFakeOptions,
): Promise<IdentityCenterProvisioningFake> {
  const upstream = new URL(options.upstream);
  const region = options.instanceRegion ?? 'us-east-1';
  const reservedRolePath = region === 'us-east-1' ? RESERVED_PATH : `${RESERVED_PATH}${region}/`;
  const requests: ProvisioningRequest[] = [];
  const calls: IdentityCenterCall[] = [];
  const violations: string[] = [];
  const unmodifiableRefusals: string[] = [];
  const accessDenials: string[] = [];
  const scripts: ProvisioningScript[] = [];
  let allowedTargets: Set<string> | null = null;
  const tags = new Map<string, Map<string, string>>();
  const boundaries = new Map<string, NonNullable<PushedDefinition['boundary']>>();
  const provisioned = new Map<string, Set<string>>();
  const iamClients = new Map<string, IAMClient>();
  const sockets = new Set<Socket>();

  const iamOf = (account: string): IAMClient => {
    let client = iamClients.get(account);
    if (client === undefined) {
      client = motoIamOf(options.upstream, account);
      iamClients.set(account, client);
    }
    return client;
  };
  const authorizer = ssoAuthorizer(options.upstream, iamOf);
  const tagsOf = (arn: string): Record<string, string> => Object.fromEntries(tags.get(arn) ?? []);
  const reservedRoleName = (name: string, permissionSetArn: string, accountId: string): string =>
    `AWSReservedSSO_${name}_${createHash('sha256').update(`${permissionSetArn}|${accountId}`).digest('hex').slice(0, 16)}`;

  /** An sso-admin call to moto with the caller's identity (moto finds the account from it). */
  async function ssoAs<T>(headers: IncomingMessage['headers'], operation: string, input: object): Promise<T> {
    const caller: Record<string, string> = {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${SSO_TARGET_PREFIX}${operation}`,
      authorization: String(headers.authorization ?? ''),
    };
    for (const name of ['x-moto-account-id', 'x-amz-security-token']) {
      const value = headers[name];
      if (typeof value === 'string') caller[name] = value;
    }
    const answer = await send(upstream, 'POST', '/', caller, Buffer.from(toMotoArns(JSON.stringify(input))));
    const body = JSON.parse(toSsoArns(answer.body.toString('utf8')) || '{}') as Record<string, unknown>;
    if (answer.status !== 200) {
      const type =
        String(body.__type ?? 'InternalServerException')
          .split('#')
          .pop() ?? 'Error';
      throw new SsoError(type, String(body.Message ?? body.message ?? type));
    }
    return body as T;
  }

  async function definitionOf(
    headers: IncomingMessage['headers'],
    instanceArn: string,
    permissionSetArn: string,
  ): Promise<PushedDefinition> {
    const ids = { InstanceArn: instanceArn, PermissionSetArn: permissionSetArn };
    const described = await ssoAs<{ PermissionSet: { Name: string } }>(headers, 'DescribePermissionSet', ids);
    const inline = await ssoAs<{ InlinePolicy?: string }>(headers, 'GetInlinePolicyForPermissionSet', ids);
    const managed = await ssoAs<{ AttachedManagedPolicies?: { Arn: string }[] }>(
      headers,
      'ListManagedPoliciesInPermissionSet',
      ids,
    );
    const references = await ssoAs<{ CustomerManagedPolicyReferences?: CustomerManagedReference[] }>(
      headers,
      'ListCustomerManagedPolicyReferencesInPermissionSet',
      ids,
    );
    return {
      name: described.PermissionSet.Name,
      inlinePolicy: inline.InlinePolicy ?? '',
      managedPolicyArns: (managed.AttachedManagedPolicies ?? []).map((policy) => policy.Arn),
      customerManagedPolicies: (references.CustomerManagedPolicyReferences ?? []).map((reference) => ({
        name: reference.Name,
        path: reference.Path ?? '/',
      })),
      boundary: boundaries.get(permissionSetArn) ?? null,
    };
  }

  /** Creates or updates the reserved role in `accountId`; the failure reason, or null. */
  async function pushRole(request: ProvisioningRequest): Promise<string | null> {
    const { definition, accountId } = request;
    const iam = iamOf(accountId);
    const policyArn = (reference: { name: string; path: string }): string =>
      `arn:aws:iam::${accountId}:policy${reference.path}${reference.name}`;
    const boundaryReference = definition.boundary?.CustomerManagedPolicyReference;
    const references = [
      ...definition.customerManagedPolicies,
      ...(boundaryReference === undefined
        ? []
        : [{ name: boundaryReference.Name, path: boundaryReference.Path ?? '/' }]),
    ];
    for (const reference of references) {
      try {
        await iam.send(new GetPolicyCommand({ PolicyArn: policyArn(reference) }));
      } catch {
        return `Customer managed policy ${reference.path}${reference.name} does not exist in account ${accountId}`;
      }
    }
    const roleName = reservedRoleName(definition.name, request.permissionSetArn, accountId);
    const exists = await iam.send(new GetRoleCommand({ RoleName: roleName })).then(
      () => true,
      () => false,
    );
    if (!exists) {
      const hash = roleName.slice(-16);
      await iam.send(
        new CreateRoleCommand({
          RoleName: roleName,
          Path: reservedRolePath,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: {
                  Federated: `arn:aws:iam::${accountId}:saml-provider/AWSSSO_${hash}_DO_NOT_DELETE`,
                },
                Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
                Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
              },
            ],
          }),
        }),
      );
    }
    if (definition.inlinePolicy !== '') {
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: roleName,
          PolicyName: RESERVED_INLINE_POLICY_NAME,
          PolicyDocument: definition.inlinePolicy,
        }),
      );
    } else {
      await iam
        .send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: RESERVED_INLINE_POLICY_NAME }))
        .catch(() => undefined);
    }
    const wanted = new Set([
      ...definition.managedPolicyArns,
      ...definition.customerManagedPolicies.map(policyArn),
    ]);
    const attached =
      (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies ?? [];
    for (const policy of attached) {
      if (policy.PolicyArn !== undefined && !wanted.has(policy.PolicyArn)) {
        await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policy.PolicyArn }));
      }
    }
    const have = new Set(attached.map((policy) => policy.PolicyArn));
    for (const arn of wanted) {
      if (!have.has(arn)) await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn }));
    }
    const boundaryArn =
      definition.boundary?.ManagedPolicyArn ??
      (boundaryReference === undefined
        ? undefined
        : policyArn({ name: boundaryReference.Name, path: boundaryReference.Path ?? '/' }));
    if (boundaryArn !== undefined) {
      await iam.send(
        new PutRolePermissionsBoundaryCommand({ RoleName: roleName, PermissionsBoundary: boundaryArn }),
      );
    } else {
      await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: roleName })).catch(() => undefined);
    }
    return null;
  }

  /** One read of a request's status: counts down, then settles (pushing the role on success). */
  async function observe(request: ProvisioningRequest): Promise<ProvisioningRequest> {
    request.observations++;
    if (request.state !== 'IN_PROGRESS') return request;
    if (request.remaining > 0) {
      request.remaining--;
      return request;
    }
    if (request.outcome === 'FAILED') {
      request.state = 'FAILED';
      request.failureReason = request.scriptedFailure ?? 'Provisioning failed (scripted by the test)';
      return request;
    }
    const failure = await pushRole(request);
    request.state = failure === null ? 'SUCCEEDED' : 'FAILED';
    request.failureReason = failure;
    if (failure === null) {
      const accounts = provisioned.get(request.permissionSetArn) ?? new Set<string>();
      accounts.add(request.accountId);
      provisioned.set(request.permissionSetArn, accounts);
    }
    return request;
  }

  const statusOf = (request: ProvisioningRequest): Record<string, unknown> => ({
    AccountId: request.accountId,
    CreatedDate: request.createdAt,
    PermissionSetArn: request.permissionSetArn,
    RequestId: request.requestId,
    Status: request.state,
    ...(request.failureReason === null ? {} : { FailureReason: request.failureReason }),
  });

  async function provision(
    headers: IncomingMessage['headers'],
    input: Record<string, unknown>,
    asserted: boolean,
  ): Promise<ProvisioningRequest> {
    const instanceArn = String(input.InstanceArn ?? '');
    const permissionSetArn = String(input.PermissionSetArn ?? '');
    const targetType = input.TargetType;
    const targetId = input.TargetId;
    if (asserted) {
      if (targetType !== 'AWS_ACCOUNT' || typeof targetId !== 'string') {
        violations.push(
          `ProvisionPermissionSet with TargetType=${String(targetType)} (only AWS_ACCOUNT is allowed)`,
        );
        throw new SsoError(
          'ValidationException',
          'IdentityCenterProvisioningFake: TargetType must be AWS_ACCOUNT',
        );
      }
      if (allowedTargets === null || !allowedTargets.has(targetId)) {
        violations.push(`ProvisionPermissionSet to account ${targetId}, not the denial's`);
        throw new SsoError(
          'ValidationException',
          `IdentityCenterProvisioningFake: ${targetId} is not the denial's account`,
        );
      }
    }
    // Identity Center takes one provisioning of a set to an account at a time: a second request while
    // one runs is refused, so an apply that asks again instead of resuming its request fails.
    const running = requests.find(
      (request) =>
        request.state === 'IN_PROGRESS' &&
        request.permissionSetArn === permissionSetArn &&
        request.accountId === String(targetId),
    );
    if (running !== undefined) {
      throw new SsoError(
        'ConflictException',
        `A provisioning of ${permissionSetArn} to ${String(targetId)} is already in progress (request ${running.requestId})`,
      );
    }
    const definition = await definitionOf(headers, instanceArn, permissionSetArn);
    const script = scripts.shift() ?? { inProgress: 0, outcome: 'SUCCEEDED' };
    const request: ProvisioningRequest = {
      requestId: randomUUID(),
      instanceArn,
      permissionSetArn,
      accountId: String(targetId),
      definition,
      state: 'IN_PROGRESS',
      failureReason: null,
      remaining: script.inProgress,
      outcome: script.outcome,
      scriptedFailure: script.failureReason ?? null,
      createdAt: Math.floor(Date.now() / 1000),
      observations: 0,
    };
    requests.push(request);
    return observe(request);
  }

  /** The sso-admin operations this fake answers itself; null: forward to moto. */
  async function answerSso(
    operation: string,
    input: Record<string, unknown>,
    headers: IncomingMessage['headers'],
  ): Promise<Record<string, unknown> | null> {
    const instanceArn = String(input.InstanceArn ?? '');
    const setArn = String(input.PermissionSetArn ?? input.ResourceArn ?? '');
    // The caller must reach the set (its account holds the instance), as for any sso-admin call.
    const described = (): Promise<unknown> =>
      ssoAs(headers, 'DescribePermissionSet', { InstanceArn: instanceArn, PermissionSetArn: setArn });
    switch (operation) {
      case 'ProvisionPermissionSet':
        return { PermissionSetProvisioningStatus: statusOf(await provision(headers, input, true)) };
      case 'DescribePermissionSetProvisioningStatus': {
        const request = requests.find(
          (candidate) =>
            candidate.requestId === input.ProvisionPermissionSetRequestId &&
            candidate.instanceArn === instanceArn,
        );
        if (request === undefined) {
          throw new SsoError(
            'ResourceNotFoundException',
            'The specified provisioning request does not exist',
          );
        }
        await ssoAs(headers, 'DescribePermissionSet', {
          InstanceArn: instanceArn,
          PermissionSetArn: request.permissionSetArn,
        });
        return { PermissionSetProvisioningStatus: statusOf(await observe(request)) };
      }
      case 'ListAccountsForProvisionedPermissionSet':
        await described();
        return { AccountIds: [...(provisioned.get(setArn) ?? [])].sort() };
      case 'ListTagsForResource':
        await described();
        return {
          Tags: [...(tags.get(setArn) ?? new Map<string, string>())].map(([Key, Value]) => ({ Key, Value })),
        };
      case 'TagResource': {
        await described();
        const held = tags.get(setArn) ?? new Map<string, string>();
        for (const tag of (input.Tags ?? []) as { Key: string; Value: string }[])
          held.set(tag.Key, tag.Value);
        tags.set(setArn, held);
        return {};
      }
      case 'UntagResource':
        await described();
        for (const key of (input.TagKeys ?? []) as string[]) tags.get(setArn)?.delete(key);
        return {};
      case 'PutPermissionsBoundaryToPermissionSet':
        await described();
        boundaries.set(setArn, input.PermissionsBoundary as NonNullable<PushedDefinition['boundary']>);
        return {};
      case 'GetPermissionsBoundaryForPermissionSet': {
        await described();
        const boundary = boundaries.get(setArn);
        if (boundary === undefined) throw new SsoError('ResourceNotFoundException', 'Policy does not exist');
        return { PermissionsBoundary: boundary };
      }
      case 'DeletePermissionsBoundaryFromPermissionSet':
        await described();
        boundaries.delete(setArn);
        return {};
      default:
        return null;
    }
  }

  const handle = async (incoming: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(incoming);
    const target = String(incoming.headers['x-amz-target'] ?? '');
    if (target.startsWith(SSO_TARGET_PREFIX)) {
      const operation = target.slice(SSO_TARGET_PREFIX.length);
      const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      calls.push({ operation: `sso:${operation}`, input });
      const accessKeyId =
        /Credential=([^/]+)\//.exec(String(incoming.headers.authorization ?? ''))?.[1] ?? '';
      const refused = await authorizer.refusal({ accessKeyId, operation, input }, tagsOf);
      if (refused !== null) {
        accessDenials.push(refused);
        reply(response, {
          status: 400,
          headers: { ...jsonHeaders(), 'x-amzn-errortype': 'AccessDeniedException' },
          body: Buffer.from(JSON.stringify({ __type: 'AccessDeniedException', Message: refused })),
        });
        return;
      }
      try {
        const answered = await answerSso(operation, input, incoming.headers);
        if (answered !== null) {
          reply(response, {
            status: 200,
            headers: jsonHeaders(),
            body: Buffer.from(JSON.stringify(answered)),
          });
          return;
        }
      } catch (error) {
        if (!(error instanceof SsoError)) throw error;
        reply(response, {
          status: 400,
          headers: { ...jsonHeaders(), 'x-amzn-errortype': error.type },
          body: Buffer.from(JSON.stringify({ __type: error.type, Message: error.message })),
        });
        return;
      }
      const answer = await send(
        upstream,
        incoming.method ?? 'POST',
        incoming.url ?? '/',
        incoming.headers,
        Buffer.from(toMotoArns(body.toString('utf8'))),
      );
      const forwarded = { ...answer, body: Buffer.from(toSsoArns(answer.body.toString('utf8'))) };
      if (operation === 'CreatePermissionSet' && forwarded.status === 200) {
        const created = JSON.parse(forwarded.body.toString('utf8')) as {
          PermissionSet?: { PermissionSetArn?: string };
        };
        const arn = created.PermissionSet?.PermissionSetArn;
        const given = (input.Tags ?? []) as { Key: string; Value: string }[];
        if (arn !== undefined) tags.set(arn, new Map(given.map((tag) => [tag.Key, tag.Value])));
      }
      reply(response, forwarded);
      return;
    }
    if (target.startsWith('AWSIdentityStore.')) {
      calls.push({
        operation: `identitystore:${target.split('.').pop() ?? ''}`,
        input: JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>,
      });
    }
    const form = new URLSearchParams(body.toString('utf8'));
    const action = form.get('Action') ?? '';
    const roleName = form.get('RoleName') ?? '';
    if (IAM_ROLE_WRITES.has(action) && roleName.startsWith('AWSReservedSSO_')) {
      unmodifiableRefusals.push(`${action} ${roleName}`);
      reply(response, {
        status: 409,
        headers: { 'content-type': 'text/xml' },
        body: Buffer.from(
          '<ErrorResponse><Error><Type>Sender</Type><Code>UnmodifiableEntity</Code>' +
            `<Message>Cannot perform the operation on the protected role '${roleName}' - this role is only modifiable by AWS</Message>` +
            '</Error><RequestId>identity-center-provisioning-fake</RequestId></ErrorResponse>',
        ),
      });
      return;
    }
    reply(
      response,
      await send(upstream, incoming.method ?? 'POST', incoming.url ?? '/', incoming.headers, body),
    );
  };

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`identity center provisioning fake: ${String(error)}`);
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
    allowProvisioningTo: (...accountIds) => {
      allowedTargets = new Set(accountIds);
    },
    scriptProvisioning: (...next) => {
      scripts.push(...next);
    },
    seedProvisioned: async (instanceAccountId, instanceArn, permissionSetArn, accountId) => {
      const headers = {
        authorization:
          'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sso/aws4_request, SignedHeaders=host, Signature=0',
        'x-moto-account-id': instanceAccountId,
      };
      const request = await provision(
        headers,
        {
          InstanceArn: instanceArn,
          PermissionSetArn: permissionSetArn,
          TargetType: 'AWS_ACCOUNT',
          TargetId: accountId,
        },
        false,
      );
      if (request.state !== 'SUCCEEDED')
        throw new Error(`seeding a provisioning failed: ${request.failureReason}`);
      requests.splice(requests.indexOf(request), 1);
    },
    reservedRoleName,
    reservedRolePath,
    requests,
    calls,
    violations,
    unmodifiableRefusals,
    accessDenials,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of iamClients.values()) client.destroy();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function jsonHeaders(): Record<string, string> {
  return { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() };
}

function reply(response: ServerResponse, answer: Answer): void {
  response.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
  response.end(answer.body);
}

function send(
  upstream: URL,
  method: string,
  path: string,
  headers: IncomingMessage['headers'] | Record<string, string>,
  body: Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method,
        path,
        headers: { ...headers, host: upstream.host, 'content-length': String(body.length) },
      },
      (answer) => {
        readBody(answer)
          .then((answerBody) => {
            const kept: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(answer.headers)) {
              if (
                value !== undefined &&
                !['transfer-encoding', 'connection', 'content-length'].includes(name)
              ) {
                kept[name] = value;
              }
            }
            resolve({ status: answer.statusCode ?? 502, headers: kept, body: answerBody });
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
