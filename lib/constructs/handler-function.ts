/**
 * What every PassRole Doctor function shares: Node.js 22 on ARM64, bundled by the local esbuild (never
 * Docker) into one minified ESM file that keeps class and function names (error classes are told
 * apart by name), active tracing, its own log group, and an explicit role whose only grant here is
 * writing to that log group. Each function's construct adds the rest of its permissions itself, with
 * the statements below where two functions need the same one.
 *
 * Where the code comes from: in this repository (the handler's TypeScript source is there) NodejsFunction
 * bundles it at synth, so a synth always runs the code beside it. The installed package has no sources:
 * it ships each function pre-bundled by that same NodejsFunction (scripts/build-functions.ts) in
 * `functions/<name>/`, used as a plain asset, so a consumer's synth needs neither esbuild nor this
 * project's lock file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Aws, RemovalPolicy, Validations, type Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { InvalidInputError } from '../../lambda/core/errors';
import { iamArn as iamArnIn } from '../../lambda/core/iam/arn';
import { METRICS_NAMESPACE, POWERTOOLS_ENV, POWERTOOLS_SERVICE_NAME } from '../../lambda/settings/common';
import { environmentOf } from '../../lambda/settings/env';
import { accountAuthorizationReadStatements } from './iam-statements';
import { HUB_ROLE_NAMES } from '../../lambda/settings/organization';
import {
  allowHubAccess,
  allowIdentityCenterAccess,
  type HubFunctionOrganization,
} from '../organization/hub-access';

export { METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME } from '../../lambda/settings/common';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The handlers bundled into functions, each `lambda/handlers/<name>/index.ts` exporting `handler`. */
export type HandlerName = 'diagnose' | 'approval' | 'apply' | 'reconcile';

export const HANDLER_NAMES: readonly HandlerName[] = ['diagnose', 'approval', 'apply', 'reconcile'];

export function handlerEntry(name: HandlerName, projectRoot: string = PROJECT_ROOT): string {
  return path.join(projectRoot, 'lambda', 'handlers', name, 'index.ts');
}

/**
 * Where the package keeps a function pre-bundled: `<package>/dist/functions/<name>/` (the compiled
 * construct's PROJECT_ROOT is `<package>/dist`).
 */
export function prebundledDirectory(name: HandlerName, projectRoot: string = PROJECT_ROOT): string {
  return path.join(projectRoot, 'functions', name);
}

/** A function's code: its TypeScript entry, bundled at synth, or the package's pre-bundled asset. */
export type FunctionCode =
  | { readonly kind: 'source'; readonly entry: string }
  | { readonly kind: 'prebundled'; readonly directory: string };

/**
 * The handler's own source where it exists (this repository), else the pre-bundled asset (the
 * installed package); `entry` (tests) always means source.
 */
export function functionCode(
  name: HandlerName,
  entry?: string,
  projectRoot: string = PROJECT_ROOT,
): FunctionCode {
  if (entry !== undefined) return { kind: 'source', entry };
  const source = handlerEntry(name, projectRoot);
  if (fs.existsSync(source)) return { kind: 'source', entry: source };
  const directory = prebundledDirectory(name, projectRoot);
  if (!fs.existsSync(path.join(directory, PREBUNDLED_FILE))) {
    throw new InvalidInputError(
      `the ${name} function's code is missing: neither ${source} nor ${path.join(directory, PREBUNDLED_FILE)} exists (build the package with npm run build:package)`,
      directory,
    );
  }
  return { kind: 'prebundled', directory };
}

/** The bundle NodejsFunction writes for an ESM function (and the pre-bundled copy keeps). */
export const PREBUNDLED_FILE = 'index.mjs';

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
  readonly code: FunctionCode;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** The function's own variables; the Powertools ones and NODE_OPTIONS are added. */
  readonly environment: Record<string, string>;
  /** @default 1 month */
  readonly logRetention?: logs.RetentionDays;
  /** A fixed role name (organization mode: the member roles trust the hub's roles by name). @default generated */
  readonly roleName?: string;
  /** What `cdk destroy` does with the function's log group. @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
}

export interface HandlerFunctionParts {
  readonly function: lambda.Function;
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
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    retention: options.logRetention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: options.logRemovalPolicy ?? RemovalPolicy.DESTROY,
  });

  // An explicit role instead of AWSLambdaBasicExecutionRole: logs go to this one log group only.
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: options.roleDescription,
    roleName: options.roleName,
  });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );

  const common: lambda.FunctionOptions & { readonly runtime: lambda.Runtime } = {
    description: options.description,
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: options.memorySize,
    timeout: options.timeout,
    tracing: lambda.Tracing.ACTIVE,
    role,
    logGroup,
    environment: {
      ...options.environment,
      ...environmentOf(POWERTOOLS_ENV, {
        serviceName: POWERTOOLS_SERVICE_NAME,
        metricsNamespace: METRICS_NAMESPACE,
        logLevel: 'INFO',
      }),
      NODE_OPTIONS: '--enable-source-maps',
    },
  };
  const code = options.code;
  let fn: lambda.Function;
  if (code.kind === 'source') {
    requireLocalEsbuild();
    fn = new nodejs.NodejsFunction(scope, 'Function', {
      ...common,
      entry: code.entry,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      bundling: BUNDLING,
    });
  } else {
    fn = new lambda.Function(scope, 'Function', {
      ...common,
      code: lambda.Code.fromAsset(code.directory),
      // What NodejsFunction sets for the same bundle: index.mjs exporting `handler`.
      handler: 'index.handler',
    });
  }

  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'Node.js 22 on purpose: the bundle targets node22 and is tested on that major; move to the next LTS deliberately.',
  });
  return { function: fn, role, logGroup };
}

/** What a caller may set on any of the functions. */
export interface HandlerFunctionProps {
  /** The handler's source. @default lambda/handlers/<name>/index.ts */
  readonly entry?: string;
  /** @default 1 month */
  readonly logRetention?: logs.RetentionDays;
  /** What `cdk destroy` does with the function's log group. @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Organization mode: the function acts in member accounts through their roles (its role gets the
   * hub's fixed name, sts:AssumeRole on the member roles it needs, and ORGANIZATION_ENV) and the
   * function's own construct leaves out its own-account IAM permissions. @default single-account mode
   */
  readonly organization?: HubFunctionOrganization;
}

/** What each function's construct says about itself. */
export interface HandlerFunctionSpec extends Omit<
  HandlerFunctionOptions,
  'code' | 'logRetention' | 'roleName' | 'logRemovalPolicy'
> {
  readonly handler: HandlerName;
}

/**
 * One of the product's functions as a construct (createHandlerFunction's parts, in this construct);
 * each subclass adds its own permissions and cdk-nag acknowledgements.
 */
export abstract class HandlerFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** Whether the role reads DescribeOrganization for Identity Center ("*": acknowledged by the subclass). */
  protected readonly readsManagementAccount: boolean;

  protected constructor(
    scope: Construct,
    id: string,
    spec: HandlerFunctionSpec,
    props: HandlerFunctionProps,
  ) {
    super(scope, id);
    const { handler, ...options } = spec;
    const organization = props.organization;
    const parts = createHandlerFunction(this, {
      ...options,
      environment: { ...options.environment, ...organization?.environment },
      code: functionCode(handler, props.entry),
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      roleName: organization === undefined ? undefined : HUB_ROLE_NAMES[handler],
    });
    this.function = parts.function;
    this.role = parts.role;
    this.logGroup = parts.logGroup;
    if (organization !== undefined) allowHubAccess(this.role, handler, organization.organizationId);
    this.readsManagementAccount =
      organization?.identityCenter !== undefined &&
      allowIdentityCenterAccess(
        this.role,
        handler,
        organization.organizationId,
        organization.identityCenter.accountId,
      );
  }

  /** cdk-nag's finding on "*" resources: X-Ray's actions, and `others` (why they need "*") when given. */
  protected acknowledgeWildcardResources(others?: string): void {
    Validations.of(defaultPolicyOf(this.role)).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: others === undefined ? XRAY_WILDCARD_REASON : `${others}, and ${XRAY_WILDCARD_REASON}`,
    });
  }
}

/**
 * An IAM ARN with the partition and account as CloudFormation pseudo parameters (never literals), so
 * policies, and the cdk-nag finding ids acknowledged for them, read the same in every environment.
 */
export function iamArn(account: string, resource: string): string {
  return iamArnIn(Aws.PARTITION, account, resource);
}

/** The role's default policy, where addToPrincipalPolicy and grants put their statements. */
export function defaultPolicyOf(role: iam.Role): Construct {
  return role.node.findChild('DefaultPolicy');
}

/**
 * Exactly the DynamoDB actions a function calls on a table (never Table.grantReadWriteData, which adds
 * DeleteItem, BatchWriteItem and Scan), with Query on the named index only.
 */
export function allowTableActions(
  role: iam.Role,
  table: dynamodb.ITable,
  sid: string,
  actions: { readonly item: readonly string[]; readonly queryIndex?: string },
): void {
  if (actions.item.length > 0) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid, actions: [...actions.item], resources: [table.tableArn] }),
    );
  }
  if (actions.queryIndex !== undefined) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListProposalsByStatus',
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${actions.queryIndex}`],
      }),
    );
  }
}

export { ACCOUNT_AUTHORIZATION_READ_ACTIONS, ENTITY_READ_ACTIONS } from './iam-statements';

/** The account's authorization reads (iam-statements.ts: accountAuthorizationReadStatements) for `role`. */
export function allowReadingAccountAuthorization(role: iam.Role): void {
  for (const statement of accountAuthorizationReadStatements()) role.addToPrincipalPolicy(statement);
}

/** The cdk-nag findings allowReadingAccountAuthorization brings, acknowledged for `role`. */
export function acknowledgeAccountAuthorizationReads(role: iam.Role, why: string): void {
  const policy = Validations.of(defaultPolicyOf(role));
  policy.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::aws:policy/*]',
    reason: `iam:GetPolicy/GetPolicyVersion read whichever AWS managed policy ${why}.`,
  });
  policy.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:policy/*]',
    reason: `iam:GetPolicy/GetPolicyVersion read whichever of the account's customer managed policies ${why}.`,
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
 * lambda:InvokeFunction on the apply function. Written out rather than applyFunction.grantInvoke(),
 * which adds every version and alias (ARN:*).
 */
export function allowStartingApply(role: iam.Role, applyFunction: lambda.IFunction): void {
  allowInvoking(role, applyFunction, 'StartApply');
}

/** lambda:InvokeFunction on the unqualified function only (no version or alias: ARN:*). */
export function allowInvoking(role: iam.Role, fn: lambda.IFunction, sid: string): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid, actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
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
