/**
 * What every PassRole Doctor function shares: Node.js 22 on ARM64, bundled by the local esbuild (never
 * Docker) into one minified ESM file that keeps class and function names (error classes are told
 * apart by name), active tracing, its own log group, and an explicit role whose only grant here is
 * writing to that log group. Each function's construct adds the rest of its permissions itself, with
 * the statements below where two functions need the same one.
 */
import * as path from 'node:path';
import { Aws, RemovalPolicy, Stack, Validations, type Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { InvalidInputError } from '../../lambda/core/errors';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export const POWERTOOLS_SERVICE_NAME = 'passrole-doctor';
export const METRICS_NAMESPACE = 'PassRoleDoctor';

/** The handlers bundled into functions, each `lambda/handlers/<name>/index.ts` exporting `handler`. */
export type HandlerName = 'diagnose' | 'approval' | 'apply' | 'reconcile';

export function handlerEntry(name: HandlerName): string {
  return path.join(PROJECT_ROOT, 'lambda', 'handlers', name, 'index.ts');
}

/** Makes CommonJS dependencies that call require() work inside an ESM bundle. */
const CREATE_REQUIRE_BANNER =
  "import { createRequire as topLevelCreateRequire } from 'node:module';const require = topLevelCreateRequire(import.meta.url);";

export const BUNDLING: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: CREATE_REQUIRE_BANNER,
  minify: true,
  // Minification would rename classes: `error.name` and `instanceof`-free checks need the real names.
  keepNames: true,
  sourceMap: true,
  sourcesContent: false,
  forceDockerBundling: false,
  // Bundle the SDK clients too: the deployed code runs the versions the tests ran.
  bundleAwsSDK: true,
  externalModules: [],
};

export interface HandlerFunctionOptions {
  readonly description: string;
  readonly roleDescription: string;
  readonly entry: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** The function's own variables; the Powertools ones and NODE_OPTIONS are added. */
  readonly environment: Record<string, string>;
  /** @default 1 month */
  readonly logRetention?: logs.RetentionDays;
}

export interface HandlerFunctionParts {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

/**
 * Creates `Logs`, `Role` and `Function` directly in `scope` (the ids the diagnose function has
 * always had, so its logical ids stay put).
 */
export function createHandlerFunction(
  scope: Construct,
  options: HandlerFunctionOptions,
): HandlerFunctionParts {
  requireLocalEsbuild();

  const logGroup = new logs.LogGroup(scope, 'Logs', {
    retention: options.logRetention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });

  // An explicit role instead of AWSLambdaBasicExecutionRole: logs go to this one log group only.
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: options.roleDescription,
  });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );

  const fn = new nodejs.NodejsFunction(scope, 'Function', {
    description: options.description,
    entry: options.entry,
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: options.memorySize,
    timeout: options.timeout,
    tracing: lambda.Tracing.ACTIVE,
    role,
    logGroup,
    environment: {
      ...options.environment,
      POWERTOOLS_SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    },
    bundling: BUNDLING,
  });

  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'Node.js 22 on purpose: the bundle targets node22 and is tested on that major; move to the next LTS deliberately.',
  });
  return { function: fn, role, logGroup };
}

/**
 * An IAM ARN with the partition and account as CloudFormation pseudo parameters (never literals), so
 * policies, and the cdk-nag finding ids acknowledged for them, read the same in every environment.
 */
export function iamArn(account: string, resource: string): string {
  return `arn:${Aws.PARTITION}:iam::${account}:${resource}`;
}

/** The role's default policy, where addToPrincipalPolicy and grants put their statements. */
export function defaultPolicyOf(role: iam.Role): Construct {
  return role.node.findChild('DefaultPolicy');
}

/** Table.grantReadWriteData also covers the table's indexes: cdk-nag reports that wildcard. */
export function acknowledgeTableIndexes(role: iam.Role, table: dynamodb.ITable, why: string): void {
  const tableLogicalId = Stack.of(table).resolve(
    (table.node.defaultChild as dynamodb.CfnTable).logicalId,
  ) as string;
  Validations.of(defaultPolicyOf(role)).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
    reason: why,
  });
}

/**
 * sns:Publish on the encrypted topic, and the key use publishing to it needs. Written out rather than
 * topic.grantPublish(), which adds kms:GenerateDataKey* for no reason.
 */
export function allowPublishing(
  role: iam.Role,
  topic: sns.ITopic,
  topicKey: kms.IKey,
  publishSid: string,
): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: publishSid,
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'EncryptForTheTopic',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [topicKey.keyArn],
    }),
  );
}

/**
 * GetSecretValue on the review links' signing key. Written out rather than secret.grantRead(), which
 * adds DescribeSecret the functions never call. The AWS managed key decrypts for Secrets Manager on
 * the caller's behalf: no kms grant needed.
 */
export function allowReadingApprovalSigningKey(role: iam.Role, approvalSecret: secretsmanager.ISecret): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadApprovalSigningKey',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [approvalSecret.secretArn],
    }),
  );
}

/**
 * lambda:InvokeFunction on the apply function. Written out rather than applyFunction.grantInvoke(),
 * which adds every version and alias (ARN:*).
 */
export function allowStartingApply(role: iam.Role, applyFunction: lambda.IFunction): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'StartApply',
      actions: ['lambda:InvokeFunction'],
      resources: [applyFunction.functionArn],
    }),
  );
}

/** X-Ray's PutTraceSegments/PutTelemetryRecords (active tracing) only accept "*". */
export const XRAY_WILDCARD_REASON =
  'xray:PutTraceSegments/PutTelemetryRecords (active tracing) have no resource type: IAM only accepts "*".';

/**
 * NodejsFunction falls back to bundling in Docker when it finds no esbuild; this project has no
 * Docker, so a missing esbuild is an error here rather than a Docker build later.
 */
function requireLocalEsbuild(): void {
  try {
    require.resolve('esbuild', { paths: [PROJECT_ROOT] });
  } catch (cause) {
    throw new InvalidInputError(
      'esbuild is not installed: run npm ci (the functions are bundled locally, never in Docker)',
      'node_modules/esbuild',
      { cause },
    );
  }
}
