/**
 * The diagnose function: a Node.js 22 ARM64 Lambda bundled by the local esbuild (never Docker) into
 * one ESM file, fed by the denial queue in batches with partial batch failure reporting.
 *
 * Its role is written out statement by statement: read-only IAM, STS decoding, its two tables,
 * publishing to its topic, its log group and X-Ray. No IAM write action, ever.
 */
import * as path from 'node:path';
import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { InvalidInputError } from '../../lambda/core/errors';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const DIAGNOSE_ENTRY = path.join(PROJECT_ROOT, 'lambda', 'handlers', 'diagnose', 'index.ts');

export const POWERTOOLS_SERVICE_NAME = 'passrole-doctor';
export const METRICS_NAMESPACE = 'PassRoleDoctor';

/** The IAM and STS reads the diagnosis makes (README: "The CLI", live mode). */
export const IAM_READ_ACTIONS = [
  'iam:GetAccountAuthorizationDetails',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
  'iam:SimulatePrincipalPolicy',
  'iam:GetContextKeysForPrincipalPolicy',
] as const;

export const FUNCTION_TIMEOUT = Duration.minutes(2);
export const MAX_BATCHING_WINDOW = Duration.seconds(5);
export const BATCH_SIZE = 10;

/** Makes CommonJS dependencies that call require() work inside an ESM bundle. */
const CREATE_REQUIRE_BANNER =
  "import { createRequire as topLevelCreateRequire } from 'node:module';const require = topLevelCreateRequire(import.meta.url);";

export interface DiagnoseFunctionProps {
  readonly queue: sqs.IQueue;
  readonly proposalsTable: dynamodb.ITable;
  readonly idempotencyTable: dynamodb.ITable;
  readonly topic: sns.ITopic;
  /** The topic's key: publishing to an encrypted topic needs it. */
  readonly topicKey: kms.IKey;
  readonly proposalTtlHours: number;
  readonly renotifyAfterHours: number;
  /** Lambda's SQS maximumConcurrency (2 to 1000): caps parallel diagnoses so IAM's rate limits hold. */
  readonly maxConcurrency: number;
  /** The handler's source. @default lambda/handlers/diagnose/index.ts */
  readonly entry?: string;
  /** @default 1 month */
  readonly logRetention?: logs.RetentionDays;
}

export class DiagnoseFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: DiagnoseFunctionProps) {
    super(scope, id);
    requireLocalEsbuild();

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // An explicit role instead of AWSLambdaBasicExecutionRole: logs go to this one log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'PassRole Doctor diagnose function: read-only IAM, its tables and topic',
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAccountAuthorizationDetails',
        // GetAccountAuthorizationDetails has no resource type: IAM only accepts "*".
        actions: ['iam:GetAccountAuthorizationDetails'],
        resources: ['*'],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadManagedPolicies',
        actions: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
        resources: [iamArn('aws', 'policy/*'), iamArn(Aws.ACCOUNT_ID, 'policy/*')],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SimulateAccountPrincipals',
        actions: ['iam:SimulatePrincipalPolicy', 'iam:GetContextKeysForPrincipalPolicy'],
        resources: ['user/*', 'role/*', 'group/*'].map((resource) => iamArn(Aws.ACCOUNT_ID, resource)),
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DecodeEc2AuthorizationMessages',
        // DecodeAuthorizationMessage has no resource type either.
        actions: ['sts:DecodeAuthorizationMessage'],
        resources: ['*'],
      }),
    );

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      description: 'PassRole Doctor: diagnoses iam:PassRole denials and proposes a verified fix',
      entry: props.entry ?? DIAGNOSE_ENTRY,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024,
      timeout: FUNCTION_TIMEOUT,
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        PROPOSALS_TABLE_NAME: props.proposalsTable.tableName,
        IDEMPOTENCY_TABLE_NAME: props.idempotencyTable.tableName,
        TOPIC_ARN: props.topic.topicArn,
        PROPOSAL_TTL_HOURS: String(props.proposalTtlHours),
        RENOTIFY_AFTER_HOURS: String(props.renotifyAfterHours),
        POWERTOOLS_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: CREATE_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        forceDockerBundling: false,
        // Bundle the SDK clients too: the deployed code runs the versions the tests ran.
        bundleAwsSDK: true,
        externalModules: [],
      },
    });

    props.proposalsTable.grantReadWriteData(this.role);
    props.idempotencyTable.grantReadWriteData(this.role);
    // Written out rather than topic.grantPublish(), which adds kms:GenerateDataKey* for no reason.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishProposals',
        actions: ['sns:Publish'],
        resources: [props.topic.topicArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptForTheTopic',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.topicKey.keyArn],
      }),
    );

    this.eventSource = new SqsEventSource(props.queue, {
      batchSize: BATCH_SIZE,
      maxBatchingWindow: MAX_BATCHING_WINDOW,
      reportBatchItemFailures: true,
      maxConcurrency: props.maxConcurrency,
    });
    this.function.addEventSource(this.eventSource);

    acknowledgeFindings(this.role, this.function, props.proposalsTable);
  }
}

/**
 * An IAM ARN with the partition and account as CloudFormation pseudo parameters (never literals), so
 * the policy, and cdk-nag's finding ids acknowledged below, read the same in every environment.
 */
function iamArn(account: string, resource: string): string {
  return `arn:${Aws.PARTITION}:iam::${account}:${resource}`;
}

/** The cdk-nag findings this function's design accepts, each as narrow as cdk-nag can name it. */
function acknowledgeFindings(role: iam.Role, fn: lambda.Function, proposalsTable: dynamodb.ITable): void {
  const policy = Validations.of(role.node.findChild('DefaultPolicy'));
  policy.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Three actions only accept "*": iam:GetAccountAuthorizationDetails and sts:DecodeAuthorizationMessage ' +
      'have no resource type, and xray:PutTraceSegments/PutTelemetryRecords (active tracing) neither.',
  });
  policy.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::aws:policy/*]',
    reason:
      'iam:GetPolicy/GetPolicyVersion read whichever AWS managed policy the denied principal has attached.',
  });
  policy.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:policy/*]',
    reason:
      "iam:GetPolicy/GetPolicyVersion read whichever of the account's customer managed policies is attached.",
  });
  for (const entity of ['user', 'role', 'group']) {
    policy.acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:${entity}/*]`,
      reason: `iam:SimulatePrincipalPolicy/GetContextKeysForPrincipalPolicy run as the denied ${entity}, any ${entity} of the account (read-only).`,
    });
  }
  const tableLogicalId = Stack.of(proposalsTable).resolve(
    (proposalsTable.node.defaultChild as dynamodb.CfnTable).logicalId,
  ) as string;
  policy.acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
    reason: "Table.grantReadWriteData covers the proposals table's indexes (byStatus) for Query.",
  });
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'Node.js 22 on purpose: the bundle targets node22 and is tested on that major; move to the next LTS deliberately.',
  });
}

/**
 * NodejsFunction falls back to bundling in Docker when it finds no esbuild; this project has no
 * Docker, so a missing esbuild is an error here rather than a Docker build later.
 */
function requireLocalEsbuild(): void {
  try {
    require.resolve('esbuild', { paths: [PROJECT_ROOT] });
  } catch (cause) {
    throw new InvalidInputError(
      'esbuild is not installed: run npm ci (the diagnose function is bundled locally, never in Docker)',
      'node_modules/esbuild',
      { cause },
    );
  }
}
