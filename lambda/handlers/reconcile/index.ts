/**
 * The reconciler function's entry (bundled by esbuild as ESM for Node.js 22). Clients, Powertools and
 * settings are built once per container; the handler itself is handler.ts. It only reads the byStatus
 * index and invokes the apply function: it writes neither the table nor IAM. It verifies approved
 * records' decisions with the public key of DECISION_SIGNING_KEY_ID (kms:GetPublicKey, once).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDbIncidentStore } from '../../adapters/aws/dynamodb-incident-store';
import { KmsDecisionVerifier } from '../../adapters/aws/kms-decision-keys';
import { LambdaApplyTrigger } from '../../adapters/aws/lambda-apply-trigger';
import { REQUEST_HANDLER } from '../client-settings';
import { traced } from '../traced';
import { createReconcileHandler, type ReconcileSummary } from './handler';
import { readReconcileSettings } from './settings';

const settings = readReconcileSettings(process.env);

const logger = new Logger({ serviceName: settings.serviceName });
const metrics = new Metrics({ namespace: settings.metricsNamespace, serviceName: settings.serviceName });
const tracer = new Tracer({ serviceName: settings.serviceName });

const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({ requestHandler: REQUEST_HANDLER }));
const lambda = tracer.captureAWSv3Client(new LambdaClient({ requestHandler: REQUEST_HANDLER }));
const kms = tracer.captureAWSv3Client(new KMSClient({ requestHandler: REQUEST_HANDLER }));

const reconcile = createReconcileHandler({
  store: new DynamoDbIncidentStore(dynamodb, settings.proposalsTableName),
  trigger: new LambdaApplyTrigger(lambda, settings.applyFunctionName),
  decisionVerifier: new KmsDecisionVerifier(kms, settings.decisionSigningKeyId),
  logger,
  metrics,
  settings: settings.reconcile,
});

/** The handler inside its own X-Ray subsegment, annotated with the cold start and the service. */
export const handler: (event: unknown) => Promise<ReconcileSummary> = traced(tracer, 'reconcile', reconcile);
