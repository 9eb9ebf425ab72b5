/**
 * The stack's own uses of its resources, each of which must still be allowed with the SCP and without:
 * a policy that denied everything would pass every attack.
 */
import { serviceRequest } from './attacker';
import {
  appliedEventsBus,
  decisionKey,
  linkKey,
  MissingDefence,
  roleRequest,
  type PreparedAttack,
} from './attack-targets';
import type { StackUnderAttack } from './stack-under-attack';

/** One use the stack makes of a resource. */
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
