/**
 * The approval function's entry (bundled by esbuild as ESM for Node.js 22). Clients, Powertools and
 * settings are built once per container, at init; the handler itself is handler.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { TargetedAccountReader } from '../../adapters/aws/targeted-account-reader';
import { DynamoDbIncidentStore } from '../../adapters/aws/dynamodb-incident-store';
import { KmsDecisionSigner } from '../../adapters/aws/kms-decision-keys';
import { LambdaApplyTrigger } from '../../adapters/aws/lambda-apply-trigger';
import { KmsLinkMac } from '../../adapters/aws/kms-link-mac';
import { OrganizationsReader } from '../../adapters/aws/organizations-reader';
import { InvalidInputError } from '../../core/errors';
import type { LinkMacVerifier } from '../../ports/link-mac';
import { IAM_REQUEST_HANDLER, REQUEST_HANDLER } from '../client-settings';
import { SDK_IDENTITY_CENTER_ADAPTERS } from '../identity-center-adapters';
import { hubIdentityCenterAccess } from '../identity-center-access';
import { hubAccountAccess } from '../organization-access';
import { traced } from '../traced';
import { createApprovalFunction, type AutoApproveResult } from './function-entry';
import type { ApprovalResponse } from './handler';
import { readApprovalSettings } from './settings';

const settings = readApprovalSettings(process.env);

const logger = new Logger({ serviceName: settings.serviceName });
const tracer = new Tracer({ serviceName: settings.serviceName });

const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({ requestHandler: REQUEST_HANDLER }));
const lambda = tracer.captureAWSv3Client(new LambdaClient({ requestHandler: REQUEST_HANDLER }));
const kms = tracer.captureAWSv3Client(new KMSClient({ requestHandler: REQUEST_HANDLER }));
// As the diagnose function reads IAM: adaptive retries ride out throttling of the targeted reads.
const iam = tracer.captureAWSv3Client(
  new IAMClient({ maxAttempts: 6, retryMode: 'adaptive', requestHandler: IAM_REQUEST_HANDLER }),
);
// Re-reads R's policies and the target's members at decision time, as the apply function re-reads them
// before it writes: the same reader class, so the signed fingerprint is computed alike on both sides.
const accountReader = new TargetedAccountReader(iam);

/** Review links' MACs are checked by KMS (VerifyMac): the key never leaves it. None in `iam` mode. */
const linkMac: LinkMacVerifier =
  settings.linkMacKeyId !== null
    ? new KmsLinkMac(kms, settings.linkMacKeyId)
    : {
        verifyMac: () =>
          Promise.reject(new InvalidInputError('no link MAC key in iam mode', 'LINK_MAC_KEY_ID')),
      };

const organization = settings.organization;
const hubRegion = process.env['AWS_REGION'] ?? 'us-east-1';
const sts =
  organization === null
    ? null
    : tracer.captureAWSv3Client(new STSClient({ requestHandler: REQUEST_HANDLER }));
const organizations = organization === null ? null : OrganizationsReader.fromEnvironment(process.env);
// Identity Center's read role: a permission set's assignments and approvers' groups (separation of duties).
const identityCenter =
  organization?.identityCenter === undefined || sts === null || organizations === null
    ? null
    : hubIdentityCenterAccess({
        sts,
        hubFunction: 'approval',
        externalId: organization.externalId,
        hubRegion,
        settings: organization.identityCenter,
        managementAccountId: () => organizations.managementAccountId(),
        adapters: SDK_IDENTITY_CENTER_ADAPTERS,
        capture: (client) => tracer.captureAWSv3Client(client),
      });

const approval = createApprovalFunction({
  store: new DynamoDbIncidentStore(dynamodb, settings.proposalsTableName),
  applyTrigger: new LambdaApplyTrigger(lambda, settings.applyFunctionName),
  linkMac,
  signer: new KmsDecisionSigner(kms, settings.decisionSigningKeyId),
  // Organization mode: each denial's account through its member read role; the hub's own IAM is read
  // only for its approvers' role paths (rolePaths), as they are principals of the hub's account.
  ...(organization === null || sts === null || organizations === null
    ? { escalationReader: accountReader }
    : {
        accounts: hubAccountAccess({
          sts,
          hubFunction: 'approval',
          externalId: organization.externalId,
          region: hubRegion,
          // The re-check's escalation analysis sees the SCPs in force, as the diagnosis did.
          organization: organizations,
          capture: (client) => tracer.captureAWSv3Client(client),
        }),
        organization: true,
      }),
  ...(identityCenter === null ? {} : { identityCenter: identityCenter.reader }),
  rolePaths: accountReader,
  logger,
  settings: { ...settings.policy, ownResourceArns: settings.ownResourceArns },
});

/**
 * The handler inside its own X-Ray subsegment, annotated with the cold start and the service. It takes
 * API Gateway's HTTP events and the direct auto-approval invoke (createApprovalFunction).
 */
export const handler: (event: unknown, context: Context) => Promise<ApprovalResponse | AutoApproveResult> =
  traced(tracer, 'approval', approval);
