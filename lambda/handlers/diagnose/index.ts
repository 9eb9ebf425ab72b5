/**
 * The diagnose function's entry (bundled by esbuild as ESM for Node.js 22). Clients, Powertools and
 * settings are built once per container, at init; the handler itself is handler.ts. On AWS the
 * simulator is IAM's own; the offline one (@cloud-copilot/*) is bundled for one job only: simulating
 * an Identity Center permission set as it would be provisioned (organization mode with
 * IDENTITY_CENTER_REGION), which IAM's simulator cannot evaluate in the request's scope.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { TargetedAccountReader } from '../../adapters/aws/targeted-account-reader';
import { AwsAuthorizationMessageDecoder } from '../../adapters/aws/aws-authorization-message-decoder';
import { AwsPolicySimulator } from '../../adapters/aws/aws-policy-simulator';
import { DynamoDbIncidentStore } from '../../adapters/aws/dynamodb-incident-store';
import { KmsLinkMac } from '../../adapters/aws/kms-link-mac';
import { LambdaAutoApproveTrigger } from '../../adapters/aws/lambda-auto-approve-trigger';
import { SnsNotifier } from '../../adapters/aws/sns-notifier';
import { linksEnabled } from '../../core/approval/links';
import { traced } from '../traced';
import { IAM_REQUEST_HANDLER, REQUEST_HANDLER } from '../client-settings';
import { SingleAccountAccess } from '../../adapters/single-account-access';
import { InMemoryAuthorizationRecordReader } from '../../adapters/memory/in-memory-authorization-record-reader';
import { accountDiagnoser, type AccountDiagnoserSettings } from './account-diagnoser';
import type { DenialAccounts } from './accounts';
import { createDiagnoseHandler } from './handler';
import { OrganizationsReader } from '../../adapters/aws/organizations-reader';
import { hubAccountAccess } from '../organization-access';
import { SDK_IDENTITY_CENTER_ADAPTERS } from '../identity-center-adapters';
import { hubIdentityCenterAccess } from '../identity-center-access';
import { LocalPolicySimulator } from '../../adapters/local/local-policy-simulator';
import { readDiagnoseSettings } from './settings';
import { IamToolboxRecordReader } from '../../adapters/aws/iam-toolbox/iam-toolbox-record-reader';
import { iamToolboxEndpointFromEnv } from '../../adapters/aws/iam-toolbox/endpoint';

const settings = readDiagnoseSettings(process.env);

const logger = new Logger({ serviceName: settings.serviceName });
const metrics = new Metrics({ namespace: settings.metricsNamespace, serviceName: settings.serviceName });
const tracer = new Tracer({ serviceName: settings.serviceName });

// IAM's API rate limits are low: adaptive retries back off on throttling instead of failing the record.
const iam = tracer.captureAWSv3Client(
  new IAMClient({ maxAttempts: 6, retryMode: 'adaptive', requestHandler: IAM_REQUEST_HANDLER }),
);
const sts = tracer.captureAWSv3Client(new STSClient({ requestHandler: REQUEST_HANDLER }));
const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({ requestHandler: REQUEST_HANDLER }));
const sns = tracer.captureAWSv3Client(new SNSClient({ requestHandler: REQUEST_HANDLER }));
const kms = tracer.captureAWSv3Client(new KMSClient({ requestHandler: REQUEST_HANDLER }));

/** Review links' MACs come from KMS (GenerateMac): the key never leaves it. None when links are off. */
const linkMacKeyId = settings.linkMacKeyId;
const linkMac =
  linkMacKeyId !== null && settings.reviewBaseUrl !== null && linksEnabled(settings.approvalMode)
    ? new KmsLinkMac(kms, linkMacKeyId)
    : undefined;

/**
 * Single-account mode: this account only, with the function's own clients (targeted reads of what
 * each incident involves; nothing but managed policy versions outlives one). Organization mode: the
 * account each denial is admitted for, through its member read role; the function's own IAM is
 * never read (its role has no IAM reads there).
 */
function denialAccounts(): DenialAccounts {
  const organization = settings.organization;
  if (organization === null) {
    const accountReader = new TargetedAccountReader(iam);
    const simulator = new AwsPolicySimulator(iam);
    return {
      mode: 'single-account',
      access: (accountId) =>
        new SingleAccountAccess({
          accountId,
          accountReader,
          escalationReader: accountReader,
          instanceProfiles: accountReader,
          rolePaths: accountReader,
          simulator,
        }),
    };
  }
  // Account names, OU paths and SCPs, cached per container (the reader's TTL).
  const reader = OrganizationsReader.fromEnvironment(process.env);
  const ouNotifiers = new Map<string, SnsNotifier>();
  return {
    mode: 'organization',
    // The SCP levels reach the diagnosis through accountDiagnoser; the access reads the same cache.
    access: hubAccountAccess({
      sts,
      hubFunction: 'diagnose',
      externalId: organization.externalId,
      region: process.env['AWS_REGION'] ?? 'us-east-1',
      capture: (client) => tracer.captureAWSv3Client(client),
    }),
    organization: reader,
    policy: organization,
    channels: {
      byOu: organization.channelsByOu,
      notifierFor: (topicArn) => {
        const notifier = ouNotifiers.get(topicArn) ?? new SnsNotifier(sns, topicArn);
        ouNotifiers.set(topicArn, notifier);
        return notifier;
      },
    },
  };
}

/**
 * AUTO_APPROVE=no-new-access: a new `none` proposal is handed to the approval function (an async
 * lambda:InvokeFunction), which re-analyses it and alone decides and signs. Off: nothing is asked.
 */
const autoApprove = settings.approvalPolicy.autoApprove;
const autoApproveTrigger =
  autoApprove === 'no-new-access' && settings.approvalFunctionName !== null
    ? new LambdaAutoApproveTrigger(
        tracer.captureAWSv3Client(new LambdaClient({ requestHandler: REQUEST_HANDLER })),
        settings.approvalFunctionName,
      )
    : undefined;

/**
 * AWS's own record of a denial (IAM Toolbox), read when the message carries an authorization ID. In
 * organization mode never with the hub's identity: each member's access carries its own reader
 * (the member read role's), which accountDiagnoser prefers; this one is then never consulted.
 */
const authorizationRecords =
  settings.organization === null
    ? new IamToolboxRecordReader({ endpoint: iamToolboxEndpointFromEnv(process.env) })
    : new InMemoryAuthorizationRecordReader(
        [],
        "the hub does not read a member account's AWS records with its own identity",
      );

/**
 * Identity Center's read role (organization mode with IDENTITY_CENTER_REGION): a permission set's
 * definition, blast radius and administration, so its denials get a merged, verified proposal. The
 * set's managed policies are read in the member account through its read role (GetPolicy,
 * GetPolicyVersion). Absent: permission sets are advised on, as before.
 */
function identityCenterSettings(): AccountDiagnoserSettings['identityCenter'] {
  const organization = settings.organization;
  if (organization?.identityCenter === undefined) return undefined;
  const organizations = OrganizationsReader.fromEnvironment(process.env);
  const access = hubIdentityCenterAccess({
    sts,
    hubFunction: 'diagnose',
    externalId: organization.externalId,
    hubRegion: process.env['AWS_REGION'] ?? 'us-east-1',
    settings: organization.identityCenter,
    managementAccountId: () => organizations.managementAccountId(),
    adapters: SDK_IDENTITY_CENTER_ADAPTERS,
    capture: (client) => tracer.captureAWSv3Client(client),
  });
  return {
    reader: access.reader,
    simulator: (scps) => new LocalPolicySimulator({ serviceControlPolicyLevels: scps ?? [] }),
    administration: () => access.administration(),
    managedPolicies: (account) =>
      account.accountReader instanceof TargetedAccountReader ? account.accountReader : undefined,
  };
}

const identityCenter = identityCenterSettings();

const diagnose = createDiagnoseHandler({
  accounts: denialAccounts(),
  // One reader per account: the escalation inputs reuse the entity reads of the diagnosis just before.
  diagnoserFor: accountDiagnoser({
    authorizationRecords,
    // Organization mode: a sensitive account's proposal states the raised requirement.
    approvalPolicy:
      settings.organization === null
        ? settings.approvalPolicy
        : { ...settings.approvalPolicy, sensitiveAccounts: settings.organization.sensitiveAccounts },
    ownResourceArns: settings.ownResourceArns,
    ...(identityCenter !== undefined && { identityCenter }),
  }),
  /**
   * EC2's encoded messages are decoded with this function's identity in single-account mode. In
   * organization mode the handler decodes with the admitted member's read role (member-decoder.ts)
   * and never uses this one: the hub's own identity decodes nothing there.
   */
  decoder:
    settings.organization === null
      ? new AwsAuthorizationMessageDecoder(sts)
      : { decode: () => Promise.resolve(null) },
  store: new DynamoDbIncidentStore(dynamodb, settings.proposalsTableName),
  notifier: new SnsNotifier(sns, settings.topicArn),
  idempotencyStore: new DynamoDBPersistenceLayer({
    tableName: settings.idempotencyTableName,
    awsSdkV3Client: dynamodb,
  }),
  logger,
  metrics,
  settings: { ...settings, autoApprove },
  linkMac,
  ...(autoApproveTrigger !== undefined ? { autoApproveTrigger } : {}),
});

/** The handler inside its own X-Ray subsegment, annotated with the cold start and the service. */
export const handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> = traced(
  tracer,
  'diagnose',
  diagnose,
);
