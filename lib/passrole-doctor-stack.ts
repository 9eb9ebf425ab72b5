/**
 * The deployable stack: one PassRoleRemediation wired from the settings, plus its outputs. In
 * organization mode it is the hub (settings.organization).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PassRoleRemediation, type PassRoleRemediationProps } from './passrole-remediation';
import type { PassRoleDoctorSettings } from './settings';

export interface PassRoleDoctorStackProps extends StackProps {
  readonly settings: PassRoleDoctorSettings;
  /** Overrides for what settings do not cover (e.g. the handler entry in tests). */
  readonly remediation?: Partial<PassRoleRemediationProps>;
}

export class PassRoleDoctorStack extends Stack {
  readonly remediation: PassRoleRemediation;

  constructor(scope: Construct, id: string, props: PassRoleDoctorStackProps) {
    super(scope, id, props);
    const { settings } = props;
    this.remediation = new PassRoleRemediation(this, 'PassRoleRemediation', {
      notificationEmails: settings.notificationEmails,
      slack: settings.slack,
      teams: settings.teams,
      proposalTtlHours: settings.proposalTtlHours,
      renotifyAfterHours: settings.renotifyAfterHours,
      maxConcurrency: settings.maxConcurrency,
      createTrail: settings.createTrail,
      retainAuditLogs: settings.retainAuditLogs,
      approvalMode: settings.approvalMode,
      approvers: settings.approvers,
      allowAdminRoles: settings.allowAdminRoles,
      autoApprove: settings.autoApprove,
      permissionSetPeopleLimit: settings.permissionSetPeopleLimit,
      linkThrottle: settings.linkThrottle,
      iamThrottle: settings.iamThrottle,
      deployRoleArn: settings.deployRoleArn,
      organization: settings.organization ?? undefined,
      ...props.remediation,
    });

    new CfnOutput(this, 'TopicArn', { value: this.remediation.topic.topicArn });
    new CfnOutput(this, 'ProposalsTableName', { value: this.remediation.proposalsTable.tableName });
    new CfnOutput(this, 'FunctionName', { value: this.remediation.function.functionName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.remediation.dlq.queueUrl });
    new CfnOutput(this, 'DashboardName', { value: this.remediation.dashboard.dashboardName });
    new CfnOutput(this, 'ApprovalApiUrl', {
      description: 'Review links start with it; the CLI sends IAM-signed approvals to it',
      value: this.remediation.approvalApi.url,
    });
    new CfnOutput(this, 'ApplyDeadLetterQueueUrl', { value: this.remediation.applyDlq.queueUrl });
    new CfnOutput(this, 'LinkMacKeyArn', {
      description: 'The KMS HMAC key signing review links (README: rolling it after a leak)',
      value: this.remediation.approvalKeys.linkMacKey.keyArn,
    });
    new CfnOutput(this, 'DecisionSigningKeyArn', {
      description: 'The KMS key signing approval decisions (its public key verifies them)',
      value: this.remediation.approvalKeys.decisionSigningKey.keyArn,
    });
    new CfnOutput(this, 'EventBusName', {
      description: 'Proposal Applied events: subscribe with a rule on this bus (README)',
      value: this.remediation.eventBus.eventBusName,
    });
    if (this.remediation.hubBus !== undefined) {
      new CfnOutput(this, 'HubEventBusArn', {
        description: "The member accounts' forwarding rules put their denials on this bus",
        value: this.remediation.hubBus.bus.eventBusArn,
      });
    }
  }
}
