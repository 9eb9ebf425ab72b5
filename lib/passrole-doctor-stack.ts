/** The deployable stack: one PassRoleRemediation wired from the settings, plus its outputs. */
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
      approvalMode: settings.approvalMode,
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
    new CfnOutput(this, 'ApprovalSecretArn', {
      description: 'The review-link signing key (README: rolling it after a leak)',
      value: this.remediation.approvalSecret.secretArn,
    });
  }
}
