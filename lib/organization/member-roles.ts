/**
 * A member account's read and apply roles, through which the hub's functions act in it. IAM is
 * global, so they are created in one region only: both carry the CloudFormation condition given.
 *
 * Trust (the team's contract, and the alternative): the hub ACCOUNT is the principal, with
 * `aws:PrincipalArn` equal to exactly the hub roles that may assume the role, `aws:PrincipalOrgID`
 * the organization and `sts:ExternalId` the external id. A role ARN as principal would be resolved
 * to the role's unique id when the policy is written: recreating a hub role would silently break
 * every member's trust, and every member would have to wait for the hub. The PrincipalArn condition
 * names exactly the same ARNs and survives both.
 *
 * Permissions: the read role reads what the diagnose function reads (iam-statements.ts), the apply
 * role writes and denies what the apply function does. Inline policies: one resource per role, so
 * one condition covers each role and its permissions.
 */
import { Aws, Validations, type CfnCondition } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { iamArn } from '../../lambda/core/iam/arn';
import {
  accountAuthorizationReadStatements,
  denyAwsManagedRoleWrites,
  denyInlinePolicyWrites,
  diagnosisReadStatements,
  inlinePolicyWriteStatements,
} from '../constructs/iam-statements';
import {
  hubRolesPrincipal,
  MEMBER_PROTECTED_ROLE_RESOURCES,
  MEMBER_ROLE_TRUSTED_HUB_ROLES,
} from './hub-principals';
import { MEMBER_ROLE_NAMES } from './names';

export interface MemberRolesProps {
  readonly organizationId: string;
  readonly hubAccountId: string;
  readonly externalId: string;
  /** The roles and their policies exist only where this condition holds (one region). */
  readonly condition: CfnCondition;
}

export class MemberRoles extends Construct {
  readonly readRole: iam.Role;
  readonly applyRole: iam.Role;

  constructor(scope: Construct, id: string, props: MemberRolesProps) {
    super(scope, id);
    const hubRoles = (
      member: keyof typeof MEMBER_ROLE_TRUSTED_HUB_ROLES,
      externalId: string | null,
    ): iam.IPrincipal =>
      hubRolesPrincipal(
        props.hubAccountId,
        props.organizationId,
        MEMBER_ROLE_TRUSTED_HUB_ROLES[member],
        externalId,
      );

    this.readRole = new iam.Role(this, 'ReadRole', {
      roleName: MEMBER_ROLE_NAMES.read,
      description:
        "PassRole Doctor hub: read-only IAM of this account (the diagnosis and the approval's re-check)",
      assumedBy: hubRoles('read', props.externalId),
      inlinePolicies: {
        ReadForDiagnosis: new iam.PolicyDocument({
          statements: [...accountAuthorizationReadStatements(), ...diagnosisReadStatements()],
        }),
      },
    });

    this.applyRole = new iam.Role(this, 'ApplyRole', {
      roleName: MEMBER_ROLE_NAMES.apply,
      description:
        'PassRole Doctor hub: writes approved inline PassRole policies in this account (never its own or AWS-managed roles)',
      assumedBy: hubRoles('apply', props.externalId),
      inlinePolicies: {
        ApplyApprovedPolicies: new iam.PolicyDocument({
          statements: [
            ...inlinePolicyWriteStatements(),
            denyInlinePolicyWrites(
              'NeverWriteThisStacksRoles',
              MEMBER_PROTECTED_ROLE_RESOURCES.map((resource) =>
                iamArn(Aws.PARTITION, Aws.ACCOUNT_ID, resource),
              ),
            ),
            denyAwsManagedRoleWrites(),
            ...accountAuthorizationReadStatements(),
          ],
        }),
      },
    });
    // The apply sets SourceIdentity to the approver, so this account's CloudTrail shows who decided;
    // a trust that does not allow it refuses the whole AssumeRole. IAM evaluates sts:SetSourceIdentity
    // only within that AssumeRole, whose sts:AssumeRole statement requires the external id; the IAM
    // service reference lists no sts:ExternalId key for sts:SetSourceIdentity, so requiring it here
    // could refuse every write (the simulator, built from that reference, drops the key).
    this.applyRole.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({ actions: ['sts:SetSourceIdentity'], principals: [hubRoles('apply', null)] }),
    );

    for (const role of [this.readRole, this.applyRole]) {
      (role.node.defaultChild as iam.CfnRole).cfnOptions.condition = props.condition;
    }
    this.acknowledgeFindings();
  }

  private acknowledgeFindings(): void {
    const both = [Validations.of(this.readRole), Validations.of(this.applyRole)];
    for (const role of both) {
      role.acknowledge(
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'iam:ListRoles lists the whole account (the roles whose trust names the passed role); on the read ' +
            'role also sts:DecodeAuthorizationMessage and iam:GetRequestAuthorizationDetails, which have no ' +
            'resource type: IAM only accepts "*".',
        },
        {
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::aws:policy/*]',
          reason:
            'iam:GetPolicy/GetPolicyVersion read whichever AWS managed policy a denied principal has attached.',
        },
        {
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:policy/*]',
          reason:
            "iam:GetPolicy/GetPolicyVersion read whichever of the account's customer managed policies a denied principal has attached.",
        },
      );
    }
    for (const entity of ['user', 'role', 'group']) {
      Validations.of(this.readRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:${entity}/*]`,
        reason:
          `The targeted reads (Get/List of the entity and its policies) and SimulatePrincipalPolicy read and run as ` +
          `whichever ${entity} of the account an incident involves (read-only).`,
      });
      Validations.of(this.applyRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:${entity}/*]`,
        reason:
          `The approved proposal's target may be any ${entity} of the account: the inline policy is written to ` +
          `and read back from it${entity === 'group' ? '' : ', and it is re-simulated as the denied ' + entity}. ` +
          "The member template's roles, the hub's roles and AWS-managed roles are denied explicitly; the hub " +
          'only writes the minimal PassRole document whose hash was approved.',
      });
    }
    Validations.of(this.readRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:instance-profile/*]',
      reason:
        'iam:GetInstanceProfile reads whichever instance profile of the account an EC2 denial names (read-only).',
    });
  }
}
