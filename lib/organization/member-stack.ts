/**
 * The member template: what organization mode puts in every member account and region (the StackSet,
 * member-stack-set.ts) and, as a plain stack, in the management account, where StackSets never deploy.
 *
 * - In every region: a rule on the default bus with exactly the single-account denial pattern,
 *   targeting the hub's bus directly (EventBridge does not pass on an event it received from another
 *   account, so no intermediate bus), through a forward role, with a dead-letter queue.
 * - In the member role region only (a condition on AWS::Region): the read and apply roles the hub's
 *   functions assume (member-roles.ts).
 *
 * The hub's account, region, organization and external id are synth-time values, not parameters:
 * the hub synthesizes the StackSet's template body itself, so they are known; a template without
 * parameters cannot be given other values per account by a parameter override (the trust stays what
 * the hub's settings say, in every account); and `cdk diff` of the hub shows any change of them.
 *
 * No assets and no nested stacks (a StackSet takes one template body): the BootstraplessSynthesizer
 * refuses assets at synth, and it needs no CDK bootstrap, so the management account's stack deploys
 * with the CLI's credentials alone. No CDK metadata resource either: nothing but what a member needs.
 */
import { Aws, CfnCondition, Fn, Stack, BootstraplessSynthesizer, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { forwardingDeadLetterQueue } from '../constructs/forwarding-dead-letter-queue';
import { toCdkEventPattern } from '../constructs/event-pattern';
import { PASSROLE_DENIAL_EVENT_PATTERN } from '../denial-event-patterns';
import { forwardRoleName, hubBusArn } from './hub-principals';
import { MemberRoles } from './member-roles';

/** Fixed names: one of each per account and region, so the README can name them for troubleshooting. */
export const MEMBER_FORWARD_RULE_NAME = 'PassRoleDoctorMember-ForwardDenials';
export const MEMBER_FORWARD_DLQ_NAME = 'PassRoleDoctorMember-ForwardDeadLetters';
export const MEMBER_ROLE_CONDITION_ID = 'IsMemberRoleRegion';

/** What the member template is made from (all synth-time values: see the file comment). */
export interface MemberTemplateProps {
  readonly organizationId: string;
  /** The hub's account (12 digits): its bus receives the denials, its roles are trusted. */
  readonly hubAccountId: string;
  /** The hub's region, where its bus is. */
  readonly hubRegion: string;
  readonly externalId: string;
  /** The one region where the read and apply roles are created. */
  readonly memberRoleRegion: string;
}

export interface MemberStackProps extends Omit<StackProps, 'synthesizer' | 'analyticsReporting'> {
  readonly member: MemberTemplateProps;
}

export class MemberStack extends Stack {
  readonly rule: events.Rule;
  /** EventBridge assumes it to put the denials on the hub's bus. */
  readonly forwardRole: iam.Role;
  readonly targetDlq: sqs.Queue;
  /** True in the member role region only. */
  readonly roleRegionCondition: CfnCondition;
  readonly roles: MemberRoles;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, { ...props, synthesizer: new BootstraplessSynthesizer(), analyticsReporting: false });
    const { member } = props;

    this.forwardRole = new iam.Role(this, 'ForwardRole', {
      roleName: forwardRoleName(Aws.REGION),
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: "PassRole Doctor: forwards this region's iam:PassRole denials to the hub's event bus",
    });
    this.targetDlq = forwardingDeadLetterQueue(this, MEMBER_FORWARD_DLQ_NAME);

    const hubBus = events.EventBus.fromEventBusArn(
      this,
      'HubBus',
      hubBusArn(member.hubAccountId, member.hubRegion),
    );
    this.rule = new events.Rule(this, 'ForwardDenials', {
      ruleName: MEMBER_FORWARD_RULE_NAME,
      description: "iam:PassRole denials recorded by CloudTrail, forwarded to PassRole Doctor's hub",
      eventPattern: toCdkEventPattern(PASSROLE_DENIAL_EVENT_PATTERN),
    });
    // An event bus target takes no retry policy: EventBridge retries it on its own schedule.
    this.rule.addTarget(
      new targets.EventBus(hubBus, { role: this.forwardRole, deadLetterQueue: this.targetDlq }),
    );

    this.roleRegionCondition = new CfnCondition(this, MEMBER_ROLE_CONDITION_ID, {
      expression: Fn.conditionEquals(Aws.REGION, member.memberRoleRegion),
    });
    this.roles = new MemberRoles(this, 'HubAccess', {
      organizationId: member.organizationId,
      hubAccountId: member.hubAccountId,
      externalId: member.externalId,
      condition: this.roleRegionCondition,
    });
  }
}
