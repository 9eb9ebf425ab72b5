/**
 * What part A's attacks aim at and who makes them: the stack's resources found by what they are (a
 * key's spec, the bus), the roles' identity policies as the template and AWS's managed policies give
 * them, and the requests of the attacker, of a service, or of a session of one of the stack's roles.
 */
import type { IConstruct } from 'constructs';
import cloudWatchReadOnlyAccess from '../../fixtures/attacks/cloudwatch-read-only-access.json';
import { ATTACKER_POLICIES, attackerRequest, sessionArnOf, sessionContext } from './attacker';
import type { AttackRequest } from './policy-evaluator';
import type { PolicyDocument } from './resource-policies';
import { ACCOUNT, REGION, type StackUnderAttack, type Target } from './stack-under-attack';

export interface PreparedAttack {
  request: AttackRequest;
  identityPolicies: { name: string; document: PolicyDocument }[];
  target: Target;
  /** Further policies that must also allow (Chatbot's guardrail intersects the channel role). */
  alsoBoundedBy?: { name: string; document: PolicyDocument }[];
}

export interface ResourceAttack {
  /** What the attacker tries, as the residual-risk line says it. */
  name: string;
  /** The finding of issue 10 it replays. */
  finding: number;
  /** Succeeds without the SCP by design (only the SCP stops it). */
  residual?: true;
  prepare(stack: StackUnderAttack): PreparedAttack;
}

/** A defence the template lacks altogether (no key, no bus): the attack case fails with this. */
export class MissingDefence extends Error {}

const DEFAULT_BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`;
/** Lambda's basic execution policies give logs only; they cannot touch the attacked resources. */
const HARMLESS_MANAGED_POLICIES = [
  /:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole$/,
  /:iam::aws:policy\/AWSXRayDaemonWriteAccess$/,
];
const KNOWN_MANAGED_POLICIES: Record<string, PolicyDocument> = {
  CloudWatchReadOnlyAccess: JSON.parse(JSON.stringify(cloudWatchReadOnlyAccess)) as PolicyDocument,
};

// ---------------------------------------------------------------- the attacked resources

export function decisionKey(stack: StackUnderAttack): Target {
  const key = stack.findTarget(
    'the decision signing key',
    'AWS::KMS::Key',
    (resource) =>
      resource.Properties?.['KeySpec'] === 'ECC_NIST_P256' &&
      resource.Properties['KeyUsage'] === 'SIGN_VERIFY',
  );
  if (key === null)
    throw new MissingDefence('the template has no ECC_NIST_P256 SIGN_VERIFY key: decisions are not signed');
  return key;
}

/** The link MAC key, or (finding 3 unfixed) the Secrets Manager secret that holds the link key. */
export function linkKey(stack: StackUnderAttack): { kind: 'hmac-key' | 'secret'; target: Target } {
  const key = stack.findTarget(
    'the review-link MAC key',
    'AWS::KMS::Key',
    (resource) => resource.Properties?.['KeySpec'] === 'HMAC_256',
  );
  if (key !== null) return { kind: 'hmac-key', target: key };
  const secret = stack.findTarget('the review-link secret', 'AWS::SecretsManager::Secret');
  if (secret === null) throw new MissingDefence('the template has neither an HMAC_256 key nor a link secret');
  return { kind: 'secret', target: secret };
}

/** The stack's own bus for "Proposal Applied", or (finding 10 unfixed) the account's default bus. */
export function appliedEventsBus(stack: StackUnderAttack): Target {
  return (
    stack.findTarget("the stack's event bus", 'AWS::Events::EventBus') ?? {
      logicalId: '(default bus)',
      arn: DEFAULT_BUS_ARN,
      policy: undefined,
      tags: {},
    }
  );
}

export function chatbotRole(stack: StackUnderAttack): IConstruct {
  const role = stack.remediation.notificationChannel.chatbotRole;
  if (role === undefined)
    throw new Error('the attack context configures Slack and Teams: a Chatbot role must exist');
  return role;
}

/** The function roles, by what the function does. */
export function functionRoles(stack: StackUnderAttack): { name: string; role: IConstruct }[] {
  const { remediation } = stack;
  return [
    { name: 'diagnose', role: remediation.functionRole },
    { name: 'approval', role: remediation.approvalFunctionRole },
    { name: 'apply', role: remediation.applyFunctionRole },
    { name: 'reconcile', role: remediation.reconciler.role },
  ];
}

/** A role's identity policies, including the AWS managed ones it attaches (which must be known). */
export function roleIdentity(
  stack: StackUnderAttack,
  role: IConstruct,
): { name: string; document: PolicyDocument }[] {
  const managed = stack.roleManagedPolicies(role).flatMap((arn) => {
    // Customer managed policies of the template are among roleIdentityPolicies already.
    if (!arn.includes(':iam::aws:policy/')) return [];
    if (HARMLESS_MANAGED_POLICIES.some((pattern) => pattern.test(arn))) return [];
    const name = arn.split('/').pop() ?? arn;
    const document = KNOWN_MANAGED_POLICIES[name];
    if (document === undefined) {
      throw new Error(`role attaches ${arn}: copy its document into test/fixtures/attacks/ to evaluate it`);
    }
    return [{ name, document }];
  });
  return [...stack.roleIdentityPolicies(role), ...managed];
}

/** A request by a session of one of the stack's own roles. */
export function roleRequest(
  stack: StackUnderAttack,
  role: IConstruct,
  action: string,
  target: Target,
  extra: Record<string, string> = {},
): PreparedAttack {
  const roleArn = stack.roleArn(role);
  return {
    request: {
      principal: sessionArnOf(roleArn, 'function'),
      action,
      resourceArn: target.arn,
      context: { ...sessionContext(roleArn, 'function'), ...tagContext(target), ...extra },
    },
    identityPolicies: roleIdentity(stack, role),
    target,
  };
}

export function tagContext(target: Target): Record<string, string> {
  return Object.fromEntries(
    Object.entries(target.tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]),
  );
}

/** The attacker's request on `target`. */
export function byAttacker(
  action: string,
  target: Target,
  extra: Record<string, string | string[]> = {},
): PreparedAttack {
  return {
    request: attackerRequest(action, target.arn, { ...tagContext(target), ...extra }),
    identityPolicies: ATTACKER_POLICIES,
    target,
  };
}

/** The Chatbot channel role reading a function's log group; the channel's guardrails bound it too. */
export function chatbotReadsLogs(stack: StackUnderAttack, action: string): PreparedAttack {
  const role = chatbotRole(stack);
  const functionName = stack.resolver.resolveString({ Ref: logicalIdOfFunction(stack) }, 'approval function');
  const logGroup = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${functionName}`;
  // GetLogEvents is authorized on the stream, the others on the group.
  const arn =
    action === 'logs:GetLogEvents' ? `${logGroup}:log-stream:2026/12/06/[$LATEST]0123abcd` : logGroup;
  const target: Target = {
    logicalId: "(the approval function's log group)",
    arn,
    policy: undefined,
    tags: {},
  };
  return { ...roleRequest(stack, role, action, target), alsoBoundedBy: guardrailsOf(stack) };
}

export function logicalIdOfFunction(stack: StackUnderAttack): string {
  return stack.targetOf(stack.remediation.approvalFunction).logicalId;
}

/** The channel configurations' guardrail policies: template policies, or the known AWS managed ones. */
export function guardrailsOf(stack: StackUnderAttack): { name: string; document: PolicyDocument }[] {
  const guardrails: { name: string; document: PolicyDocument }[] = [];
  for (const resource of Object.values(stack.template.Resources)) {
    if (!resource.Type.startsWith('AWS::Chatbot::')) continue;
    const list = stack.resolver.resolve(resource.Properties?.['GuardrailPolicies'] ?? []);
    for (const arn of Array.isArray(list) ? list.map(String) : []) {
      const name = arn.split('/').pop() ?? arn;
      const inTemplate = Object.entries(stack.template.Resources).find(
        ([logicalId, candidate]) =>
          candidate.Type === 'AWS::IAM::ManagedPolicy' && stack.resolver.resolve({ Ref: logicalId }) === arn,
      );
      const document = inTemplate
        ? (stack.resolver.resolve(inTemplate[1].Properties?.['PolicyDocument'] ?? {}) as PolicyDocument)
        : KNOWN_MANAGED_POLICIES[name];
      // AWS's ReadOnlyAccess (the old guardrail) includes logs:Get* and logs:FilterLogEvents: as good as allowing.
      guardrails.push({
        name,
        document: document ?? {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        },
      });
    }
  }
  return guardrails;
}
