/**
 * The approval function's entry (bundled by esbuild as ESM for Node.js 22). Clients, Powertools and
 * settings are built once per container, at init; the handler itself is handler.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { DynamoDbProposalStore } from '../../adapters/aws/dynamodb-proposal-store';
import { KmsLinkMac } from '../../adapters/aws/kms-link-mac';
import { LambdaApplyTrigger } from '../../adapters/aws/lambda-apply-trigger';
import { InvalidInputError } from '../../core/errors';
import type { LinkMacVerifier } from '../../ports/link-mac';
import { REQUEST_HANDLER } from '../client-settings';
import { traced } from '../traced';
import { createApprovalHandler, type ApprovalEvent, type ApprovalResponse } from './handler';
import { readApprovalSettings } from './settings';

const settings = readApprovalSettings(process.env);

const logger = new Logger({ serviceName: settings.serviceName });
const tracer = new Tracer({ serviceName: settings.serviceName });

const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({ requestHandler: REQUEST_HANDLER }));
const lambda = tracer.captureAWSv3Client(new LambdaClient({ requestHandler: REQUEST_HANDLER }));
const kms = tracer.captureAWSv3Client(new KMSClient({ requestHandler: REQUEST_HANDLER }));

/** Review links' MACs are checked by KMS (VerifyMac): the key never leaves it. None in `iam` mode. */
const linkMac: LinkMacVerifier =
  settings.linkMacKeyId !== null
    ? new KmsLinkMac(kms, settings.linkMacKeyId)
    : {
        verifyMac: () =>
          Promise.reject(new InvalidInputError('no link MAC key in iam mode', 'LINK_MAC_KEY_ID')),
      };

const approval = createApprovalHandler({
  store: new DynamoDbProposalStore(dynamodb, settings.proposalsTableName),
  applyTrigger: new LambdaApplyTrigger(lambda, settings.applyFunctionName),
  linkMac,
  logger,
  settings: { approvalMode: settings.approvalMode },
});

/** The handler inside its own X-Ray subsegment, annotated with the cold start and the service. */
export const handler: (event: ApprovalEvent, context: Context) => Promise<ApprovalResponse> = traced(
  tracer,
  'approval',
  approval,
);
