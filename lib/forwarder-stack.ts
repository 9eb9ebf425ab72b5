/**
 * Deployed in each region of `forwardFromRegions`: denials happen on the bus of the region where the
 * API was called (IAM is global, Glue is not), so a rule with the same pattern forwards them to the
 * home region's default bus, where PassRoleRemediation's rule picks them up.
 */
import { Aws, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { forwardingDeadLetterQueue } from './constructs/forwarding-dead-letter-queue';
import { toCdkEventPattern } from './constructs/event-pattern';
import { PASSROLE_DENIAL_EVENT_PATTERN } from './denial-event-patterns';

export interface ForwarderStackProps extends StackProps {
  /** The region whose default bus receives the denials. */
  readonly homeRegion: string;
}

export class ForwarderStack extends Stack {
  readonly rule: events.Rule;
  /** EventBridge assumes it to put events on the home region's bus. */
  readonly role: iam.Role;
  readonly targetDlq: sqs.Queue;
  readonly targetDlqAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ForwarderStackProps) {
    super(scope, id, props);
    const homeBus = events.EventBus.fromEventBusArn(
      this,
      'HomeBus',
      `arn:${Aws.PARTITION}:events:${props.homeRegion}:${Aws.ACCOUNT_ID}:event-bus/default`,
    );

    this.role = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `Forwards iam:PassRole denials to the default bus in ${props.homeRegion}`,
    });
    this.targetDlq = forwardingDeadLetterQueue(this);

    this.rule = new events.Rule(this, 'ForwardDenials', {
      description: `iam:PassRole denials recorded by CloudTrail, forwarded to ${props.homeRegion}`,
      eventPattern: toCdkEventPattern(PASSROLE_DENIAL_EVENT_PATTERN),
    });
    this.rule.addTarget(
      // An event bus target takes no retry policy: EventBridge retries it on its own schedule.
      new targets.EventBus(homeBus, { role: this.role, deadLetterQueue: this.targetDlq }),
    );

    this.targetDlqAlarm = new cloudwatch.Alarm(this, 'TargetDeadLetterQueueNotEmpty', {
      alarmDescription: `PassRole Doctor: denials could not be forwarded to ${props.homeRegion}`,
      metric: this.targetDlq.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
