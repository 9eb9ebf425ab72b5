/**
 * Alarms on what needs a human (messages in either DLQ, function errors) and a dashboard of the
 * function's EMF metrics: denials seen, proposals, duplicates suppressed, errors, p95 duration.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface OperationsDashboardProps {
  readonly function: lambda.IFunction;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly targetDeadLetterQueue: sqs.IQueue;
  /** Alarms notify it (AWS Chatbot renders CloudWatch alarms natively). */
  readonly alarmTopic?: sns.ITopic;
  readonly metricsNamespace: string;
  readonly serviceName: string;
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

const PERIOD = Duration.minutes(5);

export class OperationsDashboard extends Construct {
  readonly deadLetterQueueAlarm: cloudwatch.Alarm;
  readonly targetDeadLetterQueueAlarm: cloudwatch.Alarm;
  readonly functionErrorsAlarm: cloudwatch.Alarm;
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
    this.functionErrorsAlarm = new cloudwatch.Alarm(this, 'FunctionErrors', {
      alarmDescription: 'PassRole Doctor: the diagnose function failed (an invocation error, not a record)',
      metric: props.function.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic !== undefined) {
      const notify = new actions.SnsAction(props.alarmTopic);
      for (const alarm of this.alarms) alarm.addAlarmAction(notify);
    }

    const metric = (metricName: string, statistic: string = cloudwatch.Stats.SUM, label?: string) =>
      new cloudwatch.Metric({
        namespace: props.metricsNamespace,
        metricName,
        dimensionsMap: { service: props.serviceName },
        statistic,
        period: PERIOD,
        label: label ?? metricName,
      });

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
      ],
    });
  }

  get alarms(): cloudwatch.Alarm[] {
    return [this.deadLetterQueueAlarm, this.targetDeadLetterQueueAlarm, this.functionErrorsAlarm];
  }
}
