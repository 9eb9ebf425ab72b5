/**
 * PassRoleRemediation: every iam:PassRole denial CloudTrail records in this region becomes a
 * diagnosis, a proposal in DynamoDB and one message on an SNS topic (email, Slack, Teams); a reviewer
 * approves it through the HTTP API (review link or IAM-signed), and the apply function writes and
 * verifies the policy.
 *
 *   CloudTrail -> EventBridge rule -> SQS (+DLQ; target DLQ) -> diagnose Lambda -> DynamoDB + SNS
 *   reviewer -> HTTP API -> approval Lambda -> (async) apply Lambda (+DLQ) -> IAM, DynamoDB, SNS, EventBridge
 *   every 5 minutes: reconciler Lambda -> (async) apply Lambda, for applies that died
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ApplyFunction } from './constructs/apply-function';
import { ApplyReconciler } from './constructs/apply-reconciler';
import { ApprovalApi } from './constructs/approval-api';
import { ApprovalFunction } from './constructs/approval-function';
import { ApprovalSigningKey } from './constructs/approval-signing-key';
import { DenialRouting } from './constructs/denial-routing';
import { DiagnoseFunction, FUNCTION_TIMEOUT, MAX_BATCHING_WINDOW } from './constructs/diagnose-function';
import { METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME } from './constructs/handler-function';
import { ManagementEventsTrail } from './constructs/management-events-trail';
import { NotificationChannel } from './constructs/notification-channel';
import { OperationsDashboard } from './constructs/operations-dashboard';
import { ProposalTables } from './constructs/proposal-tables';
import { SETTINGS_DEFAULTS, type ApprovalMode, type SlackChannel, type TeamsChannel } from './settings';

export interface PassRoleRemediationProps {
  /** Email addresses subscribed to the topic (each confirms by mail). @default none */
  readonly notificationEmails?: readonly string[];
  /** An AWS Chatbot Slack channel (the workspace must be authorized in Chatbot once). @default none */
  readonly slack?: SlackChannel | null;
  /** An AWS Chatbot Microsoft Teams channel (the team must be authorized in Chatbot once). @default none */
  readonly teams?: TeamsChannel | null;
  /** How long a proposal lives in the table. @default 72 */
  readonly proposalTtlHours?: number;
  /** A pending incident is announced again after this long. @default 24 */
  readonly renotifyAfterHours?: number;
  /** Concurrent diagnoses at most (Lambda's SQS maximumConcurrency, 2 to 1000). @default 2 */
  readonly maxConcurrency?: number;
  /** Create a multi-region management-events trail (for accounts without one). @default false */
  readonly createTrail?: boolean;
  /** What `cdk destroy` does with the proposals table. @default RemovalPolicy.RETAIN */
  readonly proposalsRemovalPolicy?: RemovalPolicy;
  /** How proposals are approved: review links, IAM-signed requests, or both. @default 'both' */
  readonly approvalMode?: ApprovalMode;
  /** The diagnose handler's source file. @default lambda/handlers/diagnose/index.ts */
  readonly functionEntry?: string;
  /** The approval handler's source file. @default lambda/handlers/approval/index.ts */
  readonly approvalFunctionEntry?: string;
  /** The apply handler's source file. @default lambda/handlers/apply/index.ts */
  readonly applyFunctionEntry?: string;
  /** The apply reconciler's source file. @default lambda/handlers/reconcile/index.ts */
  readonly reconcilerFunctionEntry?: string;
  /** @default 1 month */
  readonly logRetention?: logs.RetentionDays;
}

export class PassRoleRemediation extends Construct {
  /** Encrypts the queues and the topic. */
  readonly key: kms.Key;
  readonly rule: events.Rule;
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;
  readonly targetDlq: sqs.Queue;
  /** The diagnose function and its role. */
  readonly function: lambda.Function;
  readonly functionRole: iam.Role;
  /** The HMAC key signing review links. */
  readonly approvalSecret: secretsmanager.Secret;
  readonly approvalApi: ApprovalApi;
  readonly httpApi: apigwv2.HttpApi;
  readonly approvalFunction: lambda.Function;
  readonly approvalFunctionRole: iam.Role;
  /** The only function with IAM write permissions. */
  readonly applyFunction: lambda.Function;
  readonly applyFunctionRole: iam.Role;
  readonly applyDlq: sqs.Queue;
  /** Asks the apply function again, on a schedule, for applies that died. */
  readonly reconciler: ApplyReconciler;
  readonly proposalsTable: dynamodb.Table;
  readonly idempotencyTable: dynamodb.Table;
  readonly topic: sns.Topic;
  readonly notificationChannel: NotificationChannel;
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly dashboard: cloudwatch.Dashboard;
  /** Present only with createTrail. */
  readonly trail?: cloudtrail.Trail;
  readonly managementEventsTrail?: ManagementEventsTrail;

  constructor(scope: Construct, id: string, props: PassRoleRemediationProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);

    // A customer managed key: EventBridge (to the queues) and CloudWatch (alarms to the topic) can
    // only write to resources encrypted with a key whose policy lets them. It only protects data in
    // transit (queues, topic), so it goes with the stack (KMS still waits 30 days before deleting it).
    this.key = new kms.Key(this, 'Key', {
      description: 'PassRole Doctor: denials in the queues and notifications on the topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const routing = new DenialRouting(this, 'Routing', {
      key: this.key,
      visibilityTimeout: Duration.seconds(FUNCTION_TIMEOUT.toSeconds() * 6 + MAX_BATCHING_WINDOW.toSeconds()),
    });
    this.rule = routing.rule;
    this.queue = routing.queue;
    this.dlq = routing.deadLetterQueue;
    this.targetDlq = routing.targetDeadLetterQueue;

    const tables = new ProposalTables(this, 'Tables', {
      proposalsRemovalPolicy: props.proposalsRemovalPolicy,
    });
    this.proposalsTable = tables.proposalsTable;
    this.idempotencyTable = tables.idempotencyTable;

    this.notificationChannel = new NotificationChannel(this, 'Notifications', {
      key: this.key,
      emails: props.notificationEmails,
      slack: props.slack,
      teams: props.teams,
    });
    this.topic = this.notificationChannel.topic;

    const approvalMode = props.approvalMode ?? SETTINGS_DEFAULTS.approvalMode;
    this.approvalSecret = new ApprovalSigningKey(this, 'ApprovalSigningKey').secret;

    const apply = new ApplyFunction(this, 'Apply', {
      proposalsTable: this.proposalsTable,
      topic: this.topic,
      topicKey: this.key,
      entry: props.applyFunctionEntry,
      logRetention: props.logRetention,
    });
    this.applyFunction = apply.function;
    this.applyFunctionRole = apply.role;
    this.applyDlq = apply.deadLetterQueue;

    const approval = new ApprovalFunction(this, 'Approval', {
      proposalsTable: this.proposalsTable,
      approvalSecret: this.approvalSecret,
      applyFunction: this.applyFunction,
      approvalMode,
      entry: props.approvalFunctionEntry,
      logRetention: props.logRetention,
    });
    this.approvalFunction = approval.function;
    this.approvalFunctionRole = approval.role;

    this.reconciler = new ApplyReconciler(this, 'Reconciler', {
      proposalsTable: this.proposalsTable,
      applyFunction: this.applyFunction,
      entry: props.reconcilerFunctionEntry,
      logRetention: props.logRetention,
    });

    this.approvalApi = new ApprovalApi(this, 'ApprovalApi', {
      approvalFunction: this.approvalFunction,
      approvalMode,
      logRetention: props.logRetention,
    });
    this.httpApi = this.approvalApi.api;
    // The outcome message links back to the review page (its history); the API itself does not
    // depend on the apply function, so this adds no cycle.
    this.applyFunction.addEnvironment('REVIEW_BASE_URL', this.approvalApi.url);

    const diagnose = new DiagnoseFunction(this, 'Diagnose', {
      queue: this.queue,
      proposalsTable: this.proposalsTable,
      idempotencyTable: this.idempotencyTable,
      topic: this.topic,
      topicKey: this.key,
      proposalTtlHours: props.proposalTtlHours ?? SETTINGS_DEFAULTS.proposalTtlHours,
      renotifyAfterHours: props.renotifyAfterHours ?? SETTINGS_DEFAULTS.renotifyAfterHours,
      maxConcurrency: props.maxConcurrency ?? SETTINGS_DEFAULTS.maxConcurrency,
      approvalSecret: this.approvalSecret,
      approvalMode,
      reviewBaseUrl: this.approvalApi.url,
      entry: props.functionEntry,
      logRetention: props.logRetention,
    });
    this.function = diagnose.function;
    this.functionRole = diagnose.role;

    // The apply function may never write to this stack's own roles (its own is protected already).
    apply.protectRole(this.functionRole);
    apply.protectRole(this.approvalFunctionRole);
    apply.protectRole(this.reconciler.role);
    if (this.notificationChannel.chatbotRole !== undefined) {
      apply.protectRole(this.notificationChannel.chatbotRole);
    }

    const operations = new OperationsDashboard(this, 'Operations', {
      function: this.function,
      queue: this.queue,
      deadLetterQueue: this.dlq,
      targetDeadLetterQueue: this.targetDlq,
      alarmTopic: this.topic,
      metricsNamespace: METRICS_NAMESPACE,
      serviceName: POWERTOOLS_SERVICE_NAME,
      approval: {
        api: this.httpApi,
        approvalFunction: this.approvalFunction,
        applyFunction: this.applyFunction,
        applyDeadLetterQueue: this.applyDlq,
        reconcilerFunction: this.reconciler.function,
      },
    });
    this.alarms = operations.alarms;
    this.dashboard = operations.dashboard;
    // CloudWatch publishes alarm notifications to the encrypted topic with this key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );

    if (props.createTrail === true) {
      this.managementEventsTrail = new ManagementEventsTrail(this, 'ManagementEvents');
      this.trail = this.managementEventsTrail.trail;
    }
  }
}
