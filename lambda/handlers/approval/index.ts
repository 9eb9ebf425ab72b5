/**
 * The approval function's entry (bundled by esbuild as ESM for Node.js 22). Clients, Powertools and
 * settings are built once per container, at init; the handler itself is handler.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { AwsAccountReader } from '../../adapters/aws/aws-account-reader';
import { DynamoDbProposalStore } from '../../adapters/aws/dynamodb-proposal-store';
import { readUsersAndRoles } from '../../adapters/aws/iam-authorization-details';
import { KmsDecisionSigner } from '../../adapters/aws/kms-decision-keys';
import { LambdaApplyTrigger } from '../../adapters/aws/lambda-apply-trigger';
import { InterimEscalationReader } from '../../adapters/interim-escalation-reader';
import { linksEnabled, signingKeyOf } from '../../core/approval/links';
import { AwsCallError, InvalidInputError } from '../../core/errors';
import { IAM_REQUEST_HANDLER, REQUEST_HANDLER } from '../client-settings';
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
// As the diagnose function reads IAM: adaptive retries ride out GetAccountAuthorizationDetails throttling.
const iam = tracer.captureAWSv3Client(
  new IAMClient({ maxAttempts: 6, retryMode: 'adaptive', requestHandler: IAM_REQUEST_HANDLER }),
);
// INTERIM: the `wiring` branch's live EscalationReader (AwsAccountReader) replaces this reader.
const escalationReader = new InterimEscalationReader(new AwsAccountReader(iam), () => readUsersAndRoles(iam));
const secrets = new SecretsProvider({
  awsSdkV3Client: tracer.captureAWSv3Client(new SecretsManagerClient({ requestHandler: REQUEST_HANDLER })),
});

/** How long the link key is cached: a rolled key reaches warm containers within this. */
const SIGNING_KEY_MAX_AGE_SECONDS = 300;

const approvalSecretArn = settings.approvalSecretArn;

/** The link signing key, from Powertools' cache or Secrets Manager. */
async function approvalSecret(): Promise<string> {
  if (approvalSecretArn === null) {
    throw new InvalidInputError('no link signing key in iam mode', 'APPROVAL_SECRET_ARN');
  }
  const key = signingKeyOf(await secrets.get(approvalSecretArn, { maxAge: SIGNING_KEY_MAX_AGE_SECONDS }));
  if (key === null)
    throw new AwsCallError(`the link signing key in ${approvalSecretArn} is not a usable key`);
  return key;
}

// Fetched at init (which runs with a CPU boost): the first reviewer need not wait for it. A failure
// here is met again, and reported, by the first request that checks a link.
if (linksEnabled(settings.policy.approvalMode)) void approvalSecret().catch(() => undefined);

const approval = createApprovalFunction({
  store: new DynamoDbProposalStore(dynamodb, settings.proposalsTableName),
  applyTrigger: new LambdaApplyTrigger(lambda, settings.applyFunctionName),
  approvalSecret,
  signer: new KmsDecisionSigner(kms, settings.decisionSigningKeyId),
  escalationReader,
  rolePaths: escalationReader,
  logger,
  settings: { ...settings.policy, ownResourceArns: settings.ownResourceArns },
});

/**
 * The handler inside its own X-Ray subsegment, annotated with the cold start and the service. It takes
 * API Gateway's HTTP events and the direct auto-approval invoke (createApprovalFunction).
 */
export const handler: (event: unknown, context: Context) => Promise<ApprovalResponse | AutoApproveResult> =
  traced(tracer, 'approval', approval);
