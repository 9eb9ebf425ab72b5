/**
 * Which gained actions are sensitive, as data: the rules below sort each gained (action, resource)
 * into the categories of model.ts GainCategory. A gain no rule matches is `other` (new access that
 * makes a grant `contained`). Action patterns use IAM's wildcard grammar.
 */
import type { GainCategory } from './model';
import type { AccessLevel } from './action-space';

/**
 * `any-resource`: on any resource; `wildcard`: only on a resource pattern with a wildcard (beyond named
 * resources); `account`: only on a pattern naming no particular resource (`*`, `arn:aws:s3:::*`,
 * `arn:aws:dynamodb:*:*:table/*`), i.e. all of the account's resources of that kind.
 */
export type ResourceScope = 'any-resource' | 'wildcard' | 'account';

export interface CategoryRule {
  category: Exclude<GainCategory, 'admin' | 'own-resources' | 'other'>;
  /** Service keys (`*`: all) whose actions of `levels` match, or explicit action patterns. */
  services?: string[];
  levels?: AccessLevel[];
  actions?: string[];
  scope: ResourceScope;
  /** Runs code only under a role it is given: sensitive only when R may also pass a role. */
  withPassRole?: boolean;
}

export const CATEGORY_RULES: readonly CategoryRule[] = [
  // IAM writes, IAM Identity Center included (users, permission sets, account assignments): whoever
  // has them can grant themselves more. Tagging too, as tags drive attribute-based access.
  {
    category: 'iam-write',
    services: ['iam', 'sso', 'sso-directory', 'identitystore'],
    levels: ['Write', 'Tagging', 'Permissions management'],
    scope: 'any-resource',
  },
  // Access-control writes anywhere beyond named resources: resource policies (bucket, key, secret,
  // queue, topic, table, function policies), boundaries, grants. They let R open resources to anyone.
  { category: 'iam-write', services: ['*'], levels: ['Permissions management'], scope: 'wildcard' },
  // Organizations writes (SCPs, accounts, delegated admins) and the account's own settings.
  {
    category: 'organizations-write',
    services: ['organizations', 'account'],
    levels: ['Write', 'Tagging', 'Permissions management'],
    scope: 'any-resource',
  },
  // Becoming roles beyond named ones.
  {
    category: 'assume-role',
    actions: ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'],
    scope: 'wildcard',
  },
  // Code or commands that run as another identity (an existing function's, instance's, job's role...).
  {
    category: 'code-execution',
    actions: [
      'lambda:UpdateFunctionCode',
      'lambda:UpdateFunctionConfiguration',
      'ssm:SendCommand',
      'ssm:StartSession',
      'ssm:StartAutomationExecution',
      'ssm:CreateAssociation',
      'ec2-instance-connect:SendSSHPublicKey',
      'ec2-instance-connect:SendSerialConsoleSSHPublicKey',
      'ec2:ModifyInstanceAttribute',
      'ecs:ExecuteCommand',
      'glue:UpdateJob',
      'glue:UpdateDevEndpoint',
      'glue:RunStatement',
      'codebuild:StartBuild',
      'codebuild:StartBuildBatch',
      'codebuild:UpdateProject',
      'cloudformation:UpdateStack',
      'cloudformation:CreateChangeSet',
      'cloudformation:ExecuteChangeSet',
      'cloudformation:UpdateStackSet',
      'sagemaker:CreatePresignedNotebookInstanceUrl',
      'sagemaker:CreatePresignedDomainUrl',
      'states:UpdateStateMachine',
      'batch:SubmitJob',
      'elasticmapreduce:AddJobFlowSteps',
      'datapipeline:PutPipelineDefinition',
    ],
    scope: 'any-resource',
  },
  // Invoking others' functions with input of one's choosing.
  { category: 'code-execution', actions: ['lambda:InvokeFunction'], scope: 'wildcard' },
  // Compute created under a role it is given (iam:PassRole).
  {
    category: 'code-execution',
    actions: [
      'lambda:CreateFunction',
      'ec2:RunInstances',
      'ec2:AssociateIamInstanceProfile',
      'ec2:ReplaceIamInstanceProfileAssociation',
      'ecs:RunTask',
      'ecs:StartTask',
      'ecs:RegisterTaskDefinition',
      'ecs:CreateService',
      'glue:CreateJob',
      'glue:CreateDevEndpoint',
      'glue:CreateSession',
      'sagemaker:CreateNotebookInstance',
      'sagemaker:CreateTrainingJob',
      'sagemaker:CreateProcessingJob',
      'codebuild:CreateProject',
      'cloudformation:CreateStack',
      'cloudformation:CreateStackSet',
      'states:CreateStateMachine',
      'batch:RegisterJobDefinition',
      'elasticmapreduce:RunJobFlow',
      'datapipeline:CreatePipeline',
      'apprunner:CreateService',
      'autoscaling:CreateLaunchConfiguration',
      'ec2:CreateLaunchTemplate',
    ],
    scope: 'any-resource',
    withPassRole: true,
  },
  // Secrets and key material.
  {
    category: 'secrets',
    actions: [
      'secretsmanager:GetSecretValue',
      'secretsmanager:BatchGetSecretValue',
      'kms:Decrypt',
      'kms:Sign',
      'kms:GenerateMac',
      'kms:CreateGrant',
      'kms:PutKeyPolicy',
      'ssm:GetParameter*',
    ],
    scope: 'wildcard',
  },
  // Writes across all of the account's data.
  {
    category: 'data-write',
    services: [
      's3',
      's3express',
      's3-object-lambda',
      'dynamodb',
      'dax',
      'rds',
      'rds-data',
      'redshift',
      'redshift-data',
      'redshift-serverless',
      'es',
      'aoss',
      'elasticache',
      'memorydb',
      'docdb-elastic',
      'neptune-db',
      'neptune-graph',
      'cassandra',
      'timestream',
      'qldb',
      'kinesis',
      'firehose',
      'sqs',
      'sns',
      'glue',
      'athena',
      'lakeformation',
      'elasticfilesystem',
      'fsx',
      'backup',
      'ebs',
      'logs',
      'secretsmanager',
    ],
    levels: ['Write'],
    scope: 'account',
  },
];

/** Actions shown first among a gain's examples, as the ones a reviewer recognizes. */
export const NOTABLE_ACTIONS: readonly string[] = [
  'iam:PassRole',
  'iam:PutRolePolicy',
  'iam:AttachRolePolicy',
  'iam:CreatePolicyVersion',
  'iam:CreateAccessKey',
  'iam:UpdateAssumeRolePolicy',
  'iam:CreateRole',
  'iam:AddUserToGroup',
  'organizations:UpdatePolicy',
  'organizations:DetachPolicy',
  'organizations:CreateAccount',
  'sts:AssumeRole',
  'lambda:UpdateFunctionCode',
  'lambda:CreateFunction',
  'lambda:InvokeFunction',
  'ssm:SendCommand',
  'ssm:StartSession',
  'ec2:RunInstances',
  'glue:UpdateJob',
  'glue:CreateJob',
  'codebuild:StartBuild',
  'cloudformation:UpdateStack',
  'cloudformation:CreateStack',
  'secretsmanager:GetSecretValue',
  'kms:Decrypt',
  'kms:Sign',
  'ssm:GetParameter',
  's3:PutBucketPolicy',
  'kms:PutKeyPolicy',
  's3:PutObject',
  's3:DeleteObject',
  's3:GetObject',
  'dynamodb:PutItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'rds:DeleteDBInstance',
  'sqs:SendMessage',
  'sns:Publish',
];
