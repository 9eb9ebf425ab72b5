/**
 * PassRoleRemediation: every iam:PassRole denial CloudTrail records in this region becomes a
 * diagnosis, a proposal in DynamoDB and one message on an SNS topic (email, Slack, Teams); a reviewer
 * approves it through the HTTP API (review link or IAM-signed), and the apply function writes and
 * verifies the policy.
 *
 *   CloudTrail -> EventBridge rule -> SQS (+DLQ; target DLQ) -> diagnose Lambda -> DynamoDB + SNS
 *   reviewer -> HTTP API -> approval Lambda -> (async) apply Lambda (+DLQ) -> IAM, DynamoDB, SNS, EventBridge
 *   every 5 minutes: reconciler Lambda -> (async) apply Lambda, for applies that died
 *
 * Within one account a resource policy restricts nothing unless it denies, so every resource policy
 * here (keys, topic, queues, table, bus) is an explicit Deny with exceptions by aws:PrincipalArn for
 * the stack's roles, and denies changes to itself to all but the deploy role (and the root user).
 * What those policies cannot stop (rewriting or invoking the functions, changing their roles) the
 * shipped SCP does (protection-scp.ts).
 */
import { Annotations, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { iamArn } from '../lambda/core/iam/arn';
import { environmentOf } from '../lambda/settings/env';
import { ORGANIZATION_ENV } from '../lambda/settings/organization';
import { identityCenterEnvironment } from './organization/identity-center-environment';
import { ApplyFunction } from './constructs/apply-function';
import { ApplyReconciler } from './constructs/apply-reconciler';
import { ApprovalApi } from './constructs/approval-api';
import { ApprovalFunction, type ApprovalPolicyProps } from './constructs/approval-function';
import { ApprovalKeys, protectKey } from './constructs/approval-keys';
import { policyAdministrators, type PolicyAdministrators } from './constructs/deny-statements';
import { DenialRouting } from './constructs/denial-routing';
import { DiagnoseFunction, FUNCTION_TIMEOUT, MAX_BATCHING_WINDOW } from './constructs/diagnose-function';
import { METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME } from './constructs/handler-function';
import { ManagementEventsTrail } from './constructs/management-events-trail';
import { NotificationChannel } from './constructs/notification-channel';
import { OperationsDashboard } from './constructs/operations-dashboard';
import { ProposalEventsBus } from './constructs/proposal-events-bus';
import { ProposalTables } from './constructs/proposal-tables';
import type { HubFunctionOrganization } from './organization/hub-access';
import { HubEventBus } from './organization/hub-event-bus';
import { OuChannels } from './organization/ou-channels';
import {
  SETTINGS_DEFAULTS,
  type ApprovalMode,
  type AutoApprove,
  type RouteThrottle,
  type SlackChannel,
  type OrganizationModeSettings,
  type TeamsChannel,
} from './settings';

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
  /** IAM principal ARN patterns (`*`, `?`) that may approve above `contained`. @default none */
  readonly approvers?: readonly string[];
  /** Whether `admin` grants may be approved (by two distinct approvers). @default false */
  readonly allowAdminRoles?: boolean;
  /** 'no-new-access' approves proven `none` grants in the approval function. @default 'off' */
  readonly autoApprove?: AutoApprove;
  /**
   * An Identity Center permission set assigned to more people than this in the denial's account (or
   * to an unknown number) needs at least one listed IAM approver. @default 10
   */
  readonly permissionSetPeopleLimit?: number;
  /** Each review-link route's throttle. @default 5 requests/s, bursts of 10 */
  readonly linkThrottle?: RouteThrottle;
  /** Each IAM route's throttle. @default 5 requests/s, bursts of 10 */
  readonly iamThrottle?: RouteThrottle;
  /**
   * The role CloudFormation deploys with: the resource policies let only it (and the root user)
   * change them. @default the CDK bootstrap's cfn-exec role of the stack's synthesizer
   */
  readonly deployRoleArn?: string | null;
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
  /**
   * Whether `cdk destroy` leaves the audit logs: the approval API's access logs and the apply
   * function's log (its record of every IAM write). They still expire after logRetention.
   * @default true
   */
  readonly retainAuditLogs?: boolean;
  /**
   * Organization mode: this is the hub. Denials arrive on the hub's bus from the member accounts, the
   * functions act in each member through its member roles (no IAM permission in this account), read
   * Organizations, and announce on a channel per `channelsByOu` OU too. @default single-account mode
   */
  readonly organization?: HubOrganizationProps;
}

export const NO_CHANNEL_WARNING_ID = 'passrole-doctor:noNotificationChannel';
export const NO_CHANNEL_WARNING =
  'No notification channel is configured (notificationEmails, slack or teams): every diagnosis and ' +
  'proposal goes to an SNS topic that no one is subscribed to, and its policy lets no one subscribe. ' +
  'Set at least one channel (README: "Deploy").';

/** What the hub takes of the organization settings. */
export type HubOrganizationProps = Pick<
  OrganizationModeSettings,
  | 'organizationId'
  | 'memberOus'
  | 'externalId'
  | 'excludedAccounts'
  | 'sensitiveAccounts'
  | 'channelsByOu'
  | 'identityCenter'
>;

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
  /** The review-link HMAC key and the decision signing key. */
  readonly approvalKeys: ApprovalKeys;
  /** Where "Proposal Applied" events go: only the apply function may put events on it. */
  readonly eventBus: events.EventBus;
  /** Who may change the resource policies: the deploy role (and the root user). */
  readonly administrators: PolicyAdministrators;
  /** The stack's own resources, as the diagnose and approval functions get them (OWN_RESOURCE_ARNS). */
  readonly ownResourceArns: readonly string[];
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
  /** Organization mode only: the bus the member accounts forward their denials to. */
  readonly hubBus?: HubEventBus;
  /** Organization mode only: the channelsByOu channels. */
  readonly ouChannels?: OuChannels;

  constructor(scope: Construct, id: string, props: PassRoleRemediationProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    this.administrators = policyAdministrators(this, props.deployRoleArn);
    const administrators = this.administrators;

    // A customer managed key: EventBridge (to the queues) and CloudWatch (alarms to the topic) can
    // only write to resources encrypted with a key whose policy lets them. It only protects data in
    // transit (queues, topic), so it goes with the stack (KMS still waits 30 days before deleting it).
    this.key = new kms.Key(this, 'Key', {
      description: 'PassRole Doctor: denials in the queues and notifications on the topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    protectKey(this.key, administrators);

    const organization = props.organization;
    if (organization !== undefined) {
      this.hubBus = new HubEventBus(this, 'HubBus', { organizationId: organization.organizationId });
    }
    const routing = new DenialRouting(this, 'Routing', {
      eventBus: this.hubBus?.bus,
      key: this.key,
      administrators,
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
      administrators,
      emails: props.notificationEmails,
      slack: props.slack,
      teams: props.teams,
    });
    this.topic = this.notificationChannel.topic;
    if (
      (props.notificationEmails ?? []).length === 0 &&
      (props.slack ?? null) === null &&
      (props.teams ?? null) === null
    ) {
      // A deploy without a channel works, and nobody ever hears of a denial: say so at synth.
      const ouChannels = Object.keys(props.organization?.channelsByOu ?? {}).length > 0;
      Annotations.of(this).addWarningV2(
        NO_CHANNEL_WARNING_ID,
        ouChannels
          ? `${NO_CHANNEL_WARNING} channelsByOu's channels get copies for their OUs' accounts only.`
          : NO_CHANNEL_WARNING,
      );
    }
    let hubFunctions: HubFunctionOrganization | undefined;
    if (organization !== undefined) {
      this.ouChannels = new OuChannels(this, 'OuChannels', {
        key: this.key,
        administrators,
        channelsByOu: organization.channelsByOu,
      });
      hubFunctions = hubFunctionOrganization(organization, this.ouChannels);
    }

    const approvalMode = props.approvalMode ?? SETTINGS_DEFAULTS.approvalMode;
    const approvalPolicy: ApprovalPolicyProps = {
      approvers: props.approvers ?? [],
      allowAdminRoles: props.allowAdminRoles ?? SETTINGS_DEFAULTS.allowAdminRoles,
      autoApprove: props.autoApprove ?? SETTINGS_DEFAULTS.autoApprove,
      permissionSetPeopleLimit: props.permissionSetPeopleLimit ?? SETTINGS_DEFAULTS.permissionSetPeopleLimit,
    };
    this.approvalKeys = new ApprovalKeys(this, 'ApprovalKeys', { administrators });
    const { linkMacKey, decisionSigningKey } = this.approvalKeys;
    const proposalEvents = new ProposalEventsBus(this, 'ProposalEvents');
    this.eventBus = proposalEvents.bus;

    const auditLogsRemovalPolicy =
      (props.retainAuditLogs ?? SETTINGS_DEFAULTS.retainAuditLogs)
        ? RemovalPolicy.RETAIN
        : RemovalPolicy.DESTROY;
    const apply = new ApplyFunction(this, 'Apply', {
      proposalsTable: this.proposalsTable,
      topic: this.topic,
      topicKey: this.key,
      eventBus: this.eventBus,
      decisionSigningKey,
      entry: props.applyFunctionEntry,
      organization: hubFunctions,
      logRetention: props.logRetention,
      logRemovalPolicy: auditLogsRemovalPolicy,
    });
    this.applyFunction = apply.function;
    this.applyFunctionRole = apply.role;
    this.applyDlq = apply.deadLetterQueue;
    proposalEvents.onlyPublisher(this.applyFunctionRole);

    this.ownResourceArns = ownResourceArns(stack.stackName, [
      this.proposalsTable.tableArn,
      `${this.proposalsTable.tableArn}/index/*`,
      this.idempotencyTable.tableArn,
      this.topic.topicArn,
      this.queue.queueArn,
      this.dlq.queueArn,
      this.targetDlq.queueArn,
      this.applyDlq.queueArn,
      this.key.keyArn,
      linkMacKey.keyArn,
      decisionSigningKey.keyArn,
      this.eventBus.eventBusArn,
    ]);

    const approval = new ApprovalFunction(this, 'Approval', {
      proposalsTable: this.proposalsTable,
      linkMacKey,
      decisionSigningKey,
      applyFunction: this.applyFunction,
      approvalMode,
      approvalPolicy,
      ownResourceArns: this.ownResourceArns,
      entry: props.approvalFunctionEntry,
      organization: hubFunctions,
      logRetention: props.logRetention,
    });
    this.approvalFunction = approval.function;
    this.approvalFunctionRole = approval.role;

    this.reconciler = new ApplyReconciler(this, 'Reconciler', {
      proposalsTable: this.proposalsTable,
      applyFunction: this.applyFunction,
      decisionSigningKey,
      entry: props.reconcilerFunctionEntry,
      organization: hubFunctions,
      logRetention: props.logRetention,
    });

    this.approvalApi = new ApprovalApi(this, 'ApprovalApi', {
      approvalFunction: this.approvalFunction,
      approvalMode,
      linkThrottle: props.linkThrottle,
      iamThrottle: props.iamThrottle,
      logRetention: props.logRetention,
      accessLogsRemovalPolicy: auditLogsRemovalPolicy,
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
      linkMacKey,
      approvalMode,
      approvalPolicy,
      approvalFunction: this.approvalFunction,
      ownResourceArns: this.ownResourceArns,
      reviewBaseUrl: this.approvalApi.url,
      entry: props.functionEntry,
      organization: hubFunctions,
      logRetention: props.logRetention,
    });
    this.function = diagnose.function;
    this.functionRole = diagnose.role;

    this.approvalKeys.restrictUse({
      linkMacGenerator: this.functionRole,
      linkMacVerifier: this.approvalFunctionRole,
      decisionSigner: this.approvalFunctionRole,
      decisionVerifiers: [this.applyFunctionRole, this.reconciler.role],
    });
    tables.restrictProposalWrites(
      [this.functionRole, this.approvalFunctionRole, this.applyFunctionRole],
      administrators,
    );

    // The apply function may never write to this stack's own roles (its own is protected already).
    apply.protectRole(this.functionRole);
    apply.protectRole(this.approvalFunctionRole);
    apply.protectRole(this.reconciler.role);
    if (this.notificationChannel.chatbotRole !== undefined) {
      apply.protectRole(this.notificationChannel.chatbotRole);
    }
    this.ouChannels?.restrictPublishing([this.functionRole, this.applyFunctionRole]);

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
      byAccount: organization !== undefined,
    });
    this.alarms = operations.alarms;
    this.dashboard = operations.dashboard;
    this.notificationChannel.restrictPublishing({
      roles: [this.functionRole, this.applyFunctionRole],
      alarms: this.alarms,
    });
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

/** The hub functions' organization settings: ORGANIZATION_ENV, with the OU channels' topics. */
function hubFunctionOrganization(
  organization: HubOrganizationProps,
  ouChannels: OuChannels,
): HubFunctionOrganization {
  const list = (items: readonly string[]) => (items.length === 0 ? undefined : items);
  const identityCenter = organization.identityCenter ?? null;
  return {
    organizationId: organization.organizationId,
    ...(identityCenter === null ? {} : { identityCenter: { accountId: identityCenter.accountId } }),
    environment: {
      ...identityCenterEnvironment(identityCenter),
      ...environmentOf(ORGANIZATION_ENV, {
        organizationId: organization.organizationId,
        memberOus: organization.memberOus,
        externalId: organization.externalId,
        excludedAccounts: list(organization.excludedAccounts),
        sensitiveAccounts: list(organization.sensitiveAccounts),
        channelsByOu: ouChannels.topicArnsJson(),
      }),
    },
  };
}

/**
 * The stack's own resources, as ARNs and ARN patterns: the given ARNs, plus by name the functions,
 * roles, customer managed policies, rules and key aliases CloudFormation names after the stack (a
 * function cannot hold its own ARN in its own environment without a cycle).
 */
export function ownResourceArns(stackName: string, arns: readonly string[]): string[] {
  const { PARTITION: partition, REGION: region, ACCOUNT_ID: account } = Aws;
  return [
    ...arns,
    `arn:${partition}:lambda:${region}:${account}:function:${stackName}-*`,
    iamArn(partition, account, `role/${stackName}-*`),
    iamArn(partition, account, `policy/${stackName}-*`),
    `arn:${partition}:events:${region}:${account}:rule/${stackName}-*`,
    `arn:${partition}:kms:${region}:${account}:alias/${stackName}/*`,
  ];
}
