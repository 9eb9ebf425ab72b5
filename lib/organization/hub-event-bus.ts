/**
 * The hub's own bus, `PassRoleDoctorHub`: every member account's forwarding rule puts its denials on
 * it (EventBridge does not pass on an event it received from another account, so each member targets
 * this bus directly), and the hub's denial rule listens on it.
 *
 * Its policy admits events:PutEvents only from principals of the organization (aws:PrincipalOrgID)
 * whose ARN is a member forward role (`PassRoleDoctorMember-Forward-<region>`, which only EventBridge
 * assumes), and denies it to everyone else, the hub account's own principals included: within one
 * account an identity policy's Allow would otherwise be enough.
 */
import { Aws } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { iamArn } from '../../lambda/core/iam/arn';
import { HUB_BUS_NAME, MEMBER_ROLE_NAMES } from '../../lambda/settings/organization';

export interface HubEventBusProps {
  readonly organizationId: string;
}

/** Any member's forward role, in any region (its name ends with the region: IAM names are global). */
export function memberForwardRoleArnPattern(partition: string = Aws.PARTITION): string {
  return iamArn(partition, '*', `role/${MEMBER_ROLE_NAMES.forward}-*`);
}

export class HubEventBus extends Construct {
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: HubEventBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: HUB_BUS_NAME,
      description:
        "PassRole Doctor hub: iam:PassRole denials forwarded by the organization's member accounts",
    });
    // The bus's own Policy property (one resource, part of the bus) as ProposalEventsBus does; the
    // resource is the bus by name: its ARN would be a reference to itself.
    const busArn = `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/${HUB_BUS_NAME}`;
    const forwardRoles = memberForwardRoleArnPattern();
    const statement = (sid: string, effect: iam.Effect, conditions: Record<string, Record<string, string>>) =>
      new iam.PolicyStatement({
        sid,
        effect,
        principals: [new iam.StarPrincipal()],
        actions: ['events:PutEvents'],
        resources: [busArn],
        conditions,
      });
    (this.bus.node.defaultChild as events.CfnEventBus).policy = new iam.PolicyDocument({
      statements: [
        statement('MemberForwardRulesPutDenials', iam.Effect.ALLOW, {
          StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
          ArnLike: { 'aws:PrincipalArn': forwardRoles },
        }),
        statement('OnlyTheOrganizationPutsEvents', iam.Effect.DENY, {
          StringNotEquals: { 'aws:PrincipalOrgID': props.organizationId },
        }),
        statement('OnlyMemberForwardRolesPutEvents', iam.Effect.DENY, {
          ArnNotLike: { 'aws:PrincipalArn': forwardRoles },
        }),
      ],
    });
  }
}
