/**
 * The apply function's entry (bundled by esbuild for Node.js 22). Clients, Powertools and settings
 * are built once per container; the handler itself is handler.ts. Verification after the write uses
 * IAM's own simulator (nothing reachable from here imports the offline simulator). Before any write
 * it verifies the approval's signed decision with the public key of DECISION_SIGNING_KEY_ID
 * (kms:GetPublicKey, once per container), re-reads R's policies and the target's members
 * (targeted reads: GetRole, GetGroup, GetUser and their policies, ListRoles, GetPolicy, GetPolicyVersion), and records the decision id in
 * the proposals table (one write per decision).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { TargetedAccountReader } from '../../adapters/aws/targeted-account-reader';
import { AwsPolicySimulator } from '../../adapters/aws/aws-policy-simulator';
import { DynamoDbDecisionLedger } from '../../adapters/aws/dynamodb-decision-ledger';
import { DynamoDbIncidentStore } from '../../adapters/aws/dynamodb-incident-store';
import { KmsDecisionVerifier } from '../../adapters/aws/kms-decision-keys';
import { EventBridgePublisher } from '../../adapters/aws/eventbridge-publisher';
import { IamPolicyWriter } from '../../adapters/aws/iam-policy-writer';
import { OrganizationsReader } from '../../adapters/aws/organizations-reader';
import { SnsNotifier } from '../../adapters/aws/sns-notifier';
import { IDENTITY_CENTER_ROLE_NAMES } from '../../settings/identity-center';
import { HUB_ROLE_NAMES, MEMBER_ROLE_NAMES } from '../../settings/organization';
import { IAM_REQUEST_HANDLER, REQUEST_HANDLER } from '../client-settings';
import { SDK_IDENTITY_CENTER_ADAPTERS } from '../identity-center-adapters';
import { hubIdentityCenterAccess, identityCenterApplyOf } from '../identity-center-access';
import { hubAccountAccess } from '../organization-access';
import { traced } from '../traced';
import { createApplyHandler, type ApplyHandlerOutcome } from './handler';
import { readApplySettings } from './settings';

const settings = readApplySettings(process.env);

const logger = new Logger({ serviceName: settings.serviceName });
const metrics = new Metrics({ namespace: settings.metricsNamespace, serviceName: settings.serviceName });
const tracer = new Tracer({ serviceName: settings.serviceName });

// IAM's API rate limits are low: adaptive retries back off on throttling instead of failing the apply.
const iam = tracer.captureAWSv3Client(
  new IAMClient({ maxAttempts: 6, retryMode: 'adaptive', requestHandler: IAM_REQUEST_HANDLER }),
);
const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({ requestHandler: REQUEST_HANDLER }));
const sns = tracer.captureAWSv3Client(new SNSClient({ requestHandler: REQUEST_HANDLER }));
const eventBridge = tracer.captureAWSv3Client(new EventBridgeClient({ requestHandler: REQUEST_HANDLER }));
const kms = tracer.captureAWSv3Client(new KMSClient({ requestHandler: REQUEST_HANDLER }));

/**
 * R's policies and the target's members, re-read before the write exactly as the approval function
 * read them when it signed (the same reader: the fingerprints must be computed alike).
 */
const escalationReader = new TargetedAccountReader(iam);

const organization = settings.organization;
const hubRegion = process.env['AWS_REGION'] ?? 'us-east-1';
const sts =
  organization === null
    ? null
    : tracer.captureAWSv3Client(new STSClient({ requestHandler: REQUEST_HANDLER }));
// Identity Center's read role, and its apply role with the approver as SourceIdentity: permission sets
// are applied only with IDENTITY_CENTER_REGION set; without it they are advised on, as before.
// DescribeOrganization only: whether Identity Center is administered from the management account.
const organizations =
  organization?.identityCenter === undefined ? null : OrganizationsReader.fromEnvironment(process.env);
const identityCenter =
  organization?.identityCenter === undefined || sts === null || organizations === null
    ? null
    : identityCenterApplyOf(
        hubIdentityCenterAccess({
          sts,
          hubFunction: 'apply',
          externalId: organization.externalId,
          hubRegion,
          settings: organization.identityCenter,
          managementAccountId: () => organizations.managementAccountId(),
          adapters: SDK_IDENTITY_CENTER_ADAPTERS,
          capture: (client) => tracer.captureAWSv3Client(client),
        }),
      );

const apply = createApplyHandler({
  store: new DynamoDbIncidentStore(dynamodb, settings.proposalsTableName),
  // Organization mode: every proposal's account through its member apply role, the approver as the
  // source identity. The own-account ports below are then never used (AccountAccess supersedes them).
  ...(organization === null || sts === null
    ? {}
    : {
        accounts: hubAccountAccess({
          sts,
          hubFunction: 'apply',
          externalId: organization.externalId,
          region: hubRegion,
          capture: (client) => tracer.captureAWSv3Client(client),
        }),
      }),
  ...(identityCenter === null ? {} : { identityCenter }),
  writer: new IamPolicyWriter(iam),
  simulator: new AwsPolicySimulator(iam),
  decisionVerifier: new KmsDecisionVerifier(kms, settings.decisionSigningKeyId),
  escalationReader,
  decisionLedger: new DynamoDbDecisionLedger(dynamodb, settings.proposalsTableName),
  notifier: new SnsNotifier(sns, settings.topicArn),
  events: new EventBridgePublisher(eventBridge, settings.eventBusName),
  logger,
  metrics,
  settings: {
    accountId: settings.accountId,
    organization: organization !== null,
    protectedRoleArns: settings.protectedRoleArns,
    // The member roles the hub acts through: never a target, principal or passed role, anywhere.
    ...(organization === null
      ? {}
      : {
          protectedRoleNames: [
            MEMBER_ROLE_NAMES.read,
            MEMBER_ROLE_NAMES.apply,
            `${MEMBER_ROLE_NAMES.forward}-*`,
            // The hub's own roles, where the hub account is itself a member.
            ...Object.values(HUB_ROLE_NAMES),
            // Identity Center's roles, in the account that administers it.
            ...Object.values(IDENTITY_CENTER_ROLE_NAMES),
          ],
          excludedAccounts: organization.excludedAccounts,
        }),
    allowedTargetTypes: settings.allowedTargetTypes,
    verifyTimeoutMs: settings.verifyTimeoutMs,
    // Only used without a Lambda context; in Lambda the lease runs to the invocation's end.
    leaseMs: settings.verifyTimeoutMs + 60_000,
    reviewBaseUrl: settings.reviewBaseUrl,
  },
});

/** The handler inside its own X-Ray subsegment, annotated with the cold start and the service. */
export const handler: (event: unknown, context: Context) => Promise<ApplyHandlerOutcome> = traced(
  tracer,
  'apply',
  apply,
);
