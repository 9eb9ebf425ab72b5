/**
 * The apply reconciler: a function run every RECONCILE_INTERVAL by an EventBridge schedule that asks
 * the apply function again for every approved proposal whose apply died where nothing retries it
 * (the approval function crashed before asking, an apply timed out holding its lease, or Lambda's
 * retries ran out), and for decided ones whose outcome was never announced
 * (lambda/core/apply/reconcile.ts). Each apply run resumes where the last one stopped.
 *
 * Its role: its log group, X-Ray, dynamodb:Query on the proposals table's byStatus index only (no
 * read of the table itself, no write anywhere), kms:GetPublicKey on the decision key (it verifies a
 * decision before asking for its apply; granted by ApprovalKeys), and lambda:InvokeFunction on the
 * apply function only. It writes nothing: the apply function does.
 */
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { environmentOf } from '../../lambda/settings/env';
import {
  ANNOUNCE_WITHIN_HOURS,
  LIMIT_PER_STATUS,
  RECONCILE_ENV,
  RECONCILE_GRACE_SECONDS,
} from '../../lambda/settings/reconcile';
import {
  allowStartingApply,
  allowTableActions,
  HandlerFunction,
  type HandlerFunctionProps,
} from './handler-function';
import { PROPOSALS_STATUS_INDEX } from './proposal-tables';

/** How often the reconciler runs: the longest a died apply waits before it is asked for again. */
export const RECONCILE_INTERVAL = Duration.minutes(5);
/** A run is five index queries and a few asynchronous invokes. */
export const RECONCILE_TIMEOUT = Duration.minutes(1);
export const RECONCILE_MEMORY_MB = 256;
/**
 * A record is left alone this long after its last move: longer than an apply invocation can run, so
 * a live one is never asked for again (its lease would turn the request away anyway).
 */
export const RECONCILE_GRACE = Duration.seconds(RECONCILE_GRACE_SECONDS.fallback);
/** A decided proposal whose outcome never went out is announced this long after at most. */
export const RECONCILE_ANNOUNCE_WITHIN = Duration.hours(ANNOUNCE_WITHIN_HOURS.fallback);
/** Records of each status read per run (newest first). */
export const RECONCILE_LIMIT_PER_STATUS = LIMIT_PER_STATUS.fallback;
/** No retry of a failed run, by EventBridge or by Lambda: the next scheduled run comes anyway. */
export const RECONCILE_RETRY_ATTEMPTS = 0;

export interface ApplyReconcilerProps extends HandlerFunctionProps {
  readonly proposalsTable: dynamodb.ITable;
  /** Invoked asynchronously (InvocationType Event) for each stalled proposal. */
  readonly applyFunction: lambda.IFunction;
  /** Decisions are verified with its public key before an apply is asked for. */
  readonly decisionSigningKey: kms.IKey;
}

export class ApplyReconciler extends HandlerFunction {
  /** The EventBridge rule that runs the function every RECONCILE_INTERVAL. */
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: ApplyReconcilerProps) {
    super(
      scope,
      id,
      {
        handler: 'reconcile',
        description: 'PassRole Doctor: asks again for approved proposals whose apply did not finish',
        roleDescription:
          'PassRole Doctor apply reconciler: queries proposals by status and starts apply, nothing else',
        memorySize: RECONCILE_MEMORY_MB,
        timeout: RECONCILE_TIMEOUT,
        environment: environmentOf(RECONCILE_ENV, {
          proposalsTableName: props.proposalsTable.tableName,
          applyFunctionName: props.applyFunction.functionName,
          graceSeconds: RECONCILE_GRACE.toSeconds(),
          announceWithinHours: RECONCILE_ANNOUNCE_WITHIN.toHours(),
          limitPerStatus: RECONCILE_LIMIT_PER_STATUS,
          decisionSigningKeyId: props.decisionSigningKey.keyArn,
        }),
      },
      props,
    );

    // The index only: Table.grantReadData would add GetItem/Scan on the table and every index.
    allowTableActions(this.role, props.proposalsTable, 'ListProposals', {
      item: [],
      queryIndex: PROPOSALS_STATUS_INDEX,
    });
    allowStartingApply(this.role, props.applyFunction);

    // Lambda would otherwise retry a failed run twice, into the next scheduled one.
    this.function.configureAsyncInvoke({
      retryAttempts: RECONCILE_RETRY_ATTEMPTS,
      maxEventAge: RECONCILE_INTERVAL,
    });
    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'PassRole Doctor: runs the apply reconciler',
      schedule: events.Schedule.rate(RECONCILE_INTERVAL),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: RECONCILE_RETRY_ATTEMPTS })],
    });

    this.acknowledgeWildcardResources();
  }
}
