/**
 * Alarms on what needs a human (messages in any DLQ, function errors, a reconciler failing run after
 * run) and a dashboard of the diagnose function's EMF metrics (denials seen, proposals, duplicates
 * suppressed, errors, p95 duration), of the approval path (API requests and errors, approval and
 * apply errors) and of the apply reconciler (applies asked for again, requests that failed).
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RECONCILE_METRIC } from '../../lambda/handlers/reconcile/handler';

export interface OperationsDashboardProps {
  readonly function: lambda.IFunction;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly targetDeadLetterQueue: sqs.IQueue;
  /** Alarms notify it (AWS Chatbot renders CloudWatch alarms natively). */
  readonly alarmTopic?: sns.ITopic;
  readonly metricsNamespace: string;
  readonly serviceName: string;
  readonly approval: ApprovalOperations;
  /** Organization mode: a row of denials, proposals and failures by member account. @default false */
  readonly byAccount?: boolean;
}

/** The approval path: the API, the approval function, the apply function with its DLQ, the reconciler. */
export interface ApprovalOperations {
  readonly api: apigwv2.IHttpApi;
  readonly approvalFunction: lambda.IFunction;
  readonly applyFunction: lambda.IFunction;
  readonly applyDeadLetterQueue: sqs.IQueue;
  readonly reconcilerFunction: lambda.IFunction;
}

/** The function's EMF metrics (Powertools Metrics, dimension service). */
export const FUNCTION_METRICS = {
  denialsSeen: 'DenialsSeen',
  notApplicable: 'NotApplicable',
  proposalsCreated: 'ProposalsCreated',
  duplicatesSuppressed: 'DuplicatesSuppressed',
  errors: 'Errors',
  diagnosisDuration: 'DiagnosisDuration',
} as const;

/**
 * The diagnose function's metrics that organization mode also emits per member account, with the
 * dimensions exactly {service, account} (Powertools' service plus the denial's account; the diagnose
 * handler's ACCOUNT_METRICS).
 */
export const BY_ACCOUNT_METRICS = {
  denials: FUNCTION_METRICS.denialsSeen,
  proposals: FUNCTION_METRICS.proposalsCreated,
  failures: FUNCTION_METRICS.errors,
  refused: 'DenialsRefused',
} as const;
export const ACCOUNT_DIMENSION = 'account';

/**
 * One line per account that had the metric in the period: a SEARCH expression, since the accounts are
 * not known at synth (and change as accounts join the OUs).
 */
export function byAccountSearch(namespace: string, metricName: string, periodSeconds: number): string {
  return `SEARCH('{${namespace},${ACCOUNT_DIMENSION},service} MetricName="${metricName}"', 'Sum', ${periodSeconds})`;
}

const PERIOD = Duration.minutes(5);
/** The reconciler runs every 5 minutes and the next run retries: only two failed periods in a row alarm. */
const RECONCILER_FAILED_PERIODS = 2;

export class OperationsDashboard extends Construct {
  readonly deadLetterQueueAlarm: cloudwatch.Alarm;
  readonly targetDeadLetterQueueAlarm: cloudwatch.Alarm;
  readonly functionErrorsAlarm: cloudwatch.Alarm;
  readonly applyDeadLetterQueueAlarm: cloudwatch.Alarm;
  readonly applyFunctionErrorsAlarm: cloudwatch.Alarm;
  readonly approvalFunctionErrorsAlarm: cloudwatch.Alarm;
  readonly reconcilerErrorsAlarm: cloudwatch.Alarm;
  readonly applyRequestFailuresAlarm: cloudwatch.Alarm;
  /** An approved proposal whose decision does not verify: forged, altered, or approved unsigned. */
  readonly unverifiedApprovalsAlarm: cloudwatch.Alarm;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);

    const anyMessage = (queue: sqs.IQueue) =>
      queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM });
    this.deadLetterQueueAlarm = new cloudwatch.Alarm(this, 'DeadLetterQueueNotEmpty', {
      alarmDescription: 'PassRole Doctor: denials the function failed on repeatedly are waiting in its DLQ',
      metric: anyMessage(props.deadLetterQueue),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.targetDeadLetterQueueAlarm = new cloudwatch.Alarm(this, 'TargetDeadLetterQueueNotEmpty', {
      alarmDescription: 'PassRole Doctor: EventBridge could not deliver denials to the queue',
      metric: anyMessage(props.targetDeadLetterQueue),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const anyError = (fn: lambda.IFunction) =>
      fn.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM });
    this.functionErrorsAlarm = new cloudwatch.Alarm(this, 'FunctionErrors', {
      alarmDescription: 'PassRole Doctor: the diagnose function failed (an invocation error, not a record)',
      metric: anyError(props.function),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const { approval } = props;
    this.applyDeadLetterQueueAlarm = new cloudwatch.Alarm(this, 'ApplyDeadLetterQueueNotEmpty', {
      alarmDescription:
        'PassRole Doctor: an approved proposal was not applied (the apply function failed after its retries)',
      metric: anyMessage(approval.applyDeadLetterQueue),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.applyFunctionErrorsAlarm = new cloudwatch.Alarm(this, 'ApplyFunctionErrors', {
      alarmDescription: 'PassRole Doctor: the apply function failed (Lambda retries it, then its DLQ)',
      metric: anyError(approval.applyFunction),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.approvalFunctionErrorsAlarm = new cloudwatch.Alarm(this, 'ApprovalFunctionErrors', {
      alarmDescription: 'PassRole Doctor: the approval function failed (reviewers got a 500)',
      metric: anyError(approval.approvalFunction),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.reconcilerErrorsAlarm = new cloudwatch.Alarm(this, 'ReconcilerErrors', {
      alarmDescription:
        'PassRole Doctor: the apply reconciler failed two runs in a row (the proposals table could not be read)',
      metric: anyError(approval.reconcilerFunction),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: RECONCILER_FAILED_PERIODS,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const emf = (metricName: string, statistic: string = cloudwatch.Stats.SUM) =>
      new cloudwatch.Metric({
        namespace: props.metricsNamespace,
        metricName,
        dimensionsMap: { service: props.serviceName },
        statistic,
        period: PERIOD,
      });
    const metric = (metricName: string, statistic: string = cloudwatch.Stats.SUM, label?: string) =>
      emf(metricName, statistic).with({ label: label ?? metricName });
    this.applyRequestFailuresAlarm = new cloudwatch.Alarm(this, 'ApplyRequestFailures', {
      alarmDescription:
        'PassRole Doctor: the apply reconciler could not start the apply function, two runs in a row',
      metric: emf(RECONCILE_METRIC.requestFailures),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: RECONCILER_FAILED_PERIODS,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // One is enough: an approval that does not verify is a forged or altered record (or one approved
    // before decisions were signed, which needs re-approval), never noise.
    this.unverifiedApprovalsAlarm = new cloudwatch.Alarm(this, 'UnverifiedApprovals', {
      alarmDescription:
        'PassRole Doctor: an approved proposal carries no valid signed decision (forged, altered, or approved before signing): it is never applied',
      metric: emf(RECONCILE_METRIC.unverified),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic !== undefined) {
      const notify = new actions.SnsAction(props.alarmTopic);
      for (const alarm of this.alarms) alarm.addAlarmAction(notify);
    }

    const byAccount = (title: string, metricName: string) =>
      new cloudwatch.GraphWidget({
        title: `${title} by account`,
        left: [
          new cloudwatch.MathExpression({
            expression: byAccountSearch(props.metricsNamespace, metricName, PERIOD.toSeconds()),
            // Each line is labelled with its account id.
            label: '',
            period: PERIOD,
          }),
        ],
        width: 6,
      });
    const accountRows =
      props.byAccount === true
        ? [
            [
              byAccount('Denials', BY_ACCOUNT_METRICS.denials),
              byAccount('Proposals', BY_ACCOUNT_METRICS.proposals),
              byAccount('Failures', BY_ACCOUNT_METRICS.failures),
              byAccount('Refused denials', BY_ACCOUNT_METRICS.refused),
            ],
          ]
        : [];

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Denials',
            left: [metric(FUNCTION_METRICS.denialsSeen), metric(FUNCTION_METRICS.notApplicable)],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Proposals',
            left: [metric(FUNCTION_METRICS.proposalsCreated), metric(FUNCTION_METRICS.duplicatesSuppressed)],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Errors',
            left: [
              metric(FUNCTION_METRICS.errors, cloudwatch.Stats.SUM, 'Record errors'),
              props.function.metricErrors({ period: PERIOD, label: 'Invocation errors' }),
            ],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Diagnosis duration p95 (ms)',
            left: [metric(FUNCTION_METRICS.diagnosisDuration, cloudwatch.Stats.p(95), 'p95')],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Queue',
            left: [
              props.queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, label: 'Waiting' }),
            ],
            right: [props.queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, label: 'Oldest (s)' })],
            width: 8,
          }),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 8 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Approval API',
            left: [
              approval.api.metricCount({
                period: PERIOD,
                statistic: cloudwatch.Stats.SUM,
                label: 'Requests',
              }),
              approval.api.metricClientError({ period: PERIOD, label: '4xx' }),
              approval.api.metricServerError({ period: PERIOD, label: '5xx' }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Approvals and applies',
            left: [
              approval.approvalFunction.metricInvocations({ period: PERIOD, label: 'Approval invocations' }),
              approval.applyFunction.metricInvocations({ period: PERIOD, label: 'Apply invocations' }),
            ],
            right: [
              approval.approvalFunction.metricErrors({ period: PERIOD, label: 'Approval errors' }),
              approval.applyFunction.metricErrors({ period: PERIOD, label: 'Apply errors' }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Apply duration p95 (ms)',
            left: [
              approval.applyFunction.metricDuration({ period: PERIOD, statistic: cloudwatch.Stats.p(95) }),
            ],
            right: [
              approval.applyDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
                period: PERIOD,
                label: 'Apply DLQ',
              }),
            ],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Apply reconciler',
            left: [
              metric(RECONCILE_METRIC.requested, cloudwatch.Stats.SUM, 'Applies asked for again'),
              metric(RECONCILE_METRIC.requestFailures, cloudwatch.Stats.SUM, 'Requests failed'),
            ],
            right: [approval.reconcilerFunction.metricErrors({ period: PERIOD, label: 'Reconciler errors' })],
            width: 8,
          }),
        ],
        ...accountRows,
      ],
    });
  }

  get alarms(): cloudwatch.Alarm[] {
    return [
      this.deadLetterQueueAlarm,
      this.targetDeadLetterQueueAlarm,
      this.functionErrorsAlarm,
      this.applyDeadLetterQueueAlarm,
      this.applyFunctionErrorsAlarm,
      this.approvalFunctionErrorsAlarm,
      this.reconcilerErrorsAlarm,
      this.applyRequestFailuresAlarm,
      this.unverifiedApprovalsAlarm,
    ];
  }
}
