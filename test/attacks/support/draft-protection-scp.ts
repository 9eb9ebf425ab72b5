/**
 * Stand-in for the shipped protection SCP until the stack's own (lib/) is on main: denies changing
 * or using the stack's functions, roles, keys, table, topic, queues and bus to everyone but the
 * deploy role and, for their data, the stack's own roles. The suite evaluates whatever document it
 * is handed; this one only lets the machinery run.
 */
import type { PolicyDocument } from './resource-policies';
import { ACCOUNT, REGION, type StackUnderAttack } from './stack-under-attack';

export const DEPLOY_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`;

const PROTECTED_TYPES = [
  'AWS::Lambda::Function',
  'AWS::IAM::Role',
  'AWS::KMS::Key',
  'AWS::DynamoDB::Table',
  'AWS::SNS::Topic',
  'AWS::SQS::Queue',
  'AWS::Events::EventBus',
  'AWS::SecretsManager::Secret',
];

export function draftProtectionScp(stack: StackUnderAttack): PolicyDocument {
  const protectedArns: string[] = [];
  const stackRoleArns: string[] = [];
  for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
    if (!PROTECTED_TYPES.includes(resource.Type)) continue;
    const arn = stack.resolver.arnOf(logicalId);
    protectedArns.push(arn);
    if (resource.Type === 'AWS::IAM::Role') stackRoleArns.push(arn);
  }
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyTheDeployRoleChangesPassRoleDoctor',
        Effect: 'Deny',
        Action: [
          'lambda:Update*',
          'lambda:Put*',
          'lambda:Delete*',
          'lambda:AddPermission',
          'lambda:RemovePermission',
          'iam:*',
          'kms:PutKeyPolicy',
          'kms:CreateGrant',
          'kms:ScheduleKeyDeletion',
          'kms:DisableKey',
          'dynamodb:PutResourcePolicy',
          'dynamodb:DeleteResourcePolicy',
          'dynamodb:DeleteTable',
          'sns:SetTopicAttributes',
          'sns:AddPermission',
          'sns:RemovePermission',
          'sqs:SetQueueAttributes',
          'sqs:AddPermission',
          'secretsmanager:PutResourcePolicy',
          'secretsmanager:DeleteResourcePolicy',
          'secretsmanager:PutSecretValue',
        ],
        Resource: protectedArns,
        Condition: { ArnNotLike: { 'aws:PrincipalArn': DEPLOY_ROLE_ARN } },
      },
      {
        Sid: 'OnlyPassRoleDoctorUsesItsResources',
        Effect: 'Deny',
        Action: [
          'lambda:InvokeFunction',
          'sts:AssumeRole',
          'kms:Sign',
          'kms:GenerateMac',
          'kms:VerifyMac',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'sns:Publish',
          'sns:Subscribe',
          'sqs:SendMessage',
          'events:PutEvents',
          'secretsmanager:GetSecretValue',
        ],
        Resource: protectedArns,
        Condition: { ArnNotLike: { 'aws:PrincipalArn': [DEPLOY_ROLE_ARN, ...stackRoleArns] } },
      },
      {
        // No resource type: a bus's policy can only be protected account-wide.
        Sid: 'OnlyTheDeployRoleChangesEventBusPolicies',
        Effect: 'Deny',
        Action: ['events:PutPermission', 'events:RemovePermission'],
        Resource: '*',
        Condition: { ArnNotLike: { 'aws:PrincipalArn': DEPLOY_ROLE_ARN } },
      },
    ],
  };
}
