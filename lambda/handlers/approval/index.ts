/**
 * The approval function's entry (bundled by esbuild as ESM for Node.js 22). Clients, Powertools and
 * settings are built once per container, at init; the handler itself is handler.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { DynamoDbProposalStore } from '../../adapters/aws/dynamodb-proposal-store';
import { LambdaApplyTrigger } from '../../adapters/aws/lambda-apply-trigger';
import { linksEnabled, signingKeyOf } from '../../core/approval/links';
import { AwsCallError, InvalidInputError } from '../../core/errors';
import { REQUEST_HANDLER } from '../client-settings';
import { traced } from '../traced';
import { createApprovalHandler, type ApprovalEvent, type ApprovalResponse } from './handler';
import { readApprovalSettings } from './settings';

const settings = readApprovalSettings(process.env);

const logger = new Logger({ serviceName: settings.serviceName });
const tracer = new Tracer({ serviceName: settings.serviceName });

const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({ requestHandler: REQUEST_HANDLER }));
const lambda = tracer.captureAWSv3Client(new LambdaClient({ requestHandler: REQUEST_HANDLER }));
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
if (linksEnabled(settings.approvalMode)) void approvalSecret().catch(() => undefined);

const approval = createApprovalHandler({
  store: new DynamoDbProposalStore(dynamodb, settings.proposalsTableName),
  applyTrigger: new LambdaApplyTrigger(lambda, settings.applyFunctionName),
  approvalSecret,
  logger,
  settings: { approvalMode: settings.approvalMode },
});

/** The handler inside its own X-Ray subsegment, annotated with the cold start and the service. */
export const handler: (event: ApprovalEvent, context: Context) => Promise<ApprovalResponse> = traced(
  tracer,
  'approval',
  approval,
);
