/**
 * The hub's service-managed StackSet of the member template: created from the hub account as the
 * organization's delegated administrator (CallAs DELEGATED_ADMIN), deployed to the member OUs in the
 * member regions. Auto-deployment covers accounts that join those OUs later and removes the stacks
 * (and so the hub's access) from accounts that leave. Excluded accounts are left out with the
 * DIFFERENCE filter, so they get no forwarding rule and no roles at all.
 *
 * The template body is the member stack synthesized in its own Stage (member-template.ts), inline:
 * a StackSet takes one template of at most 51,200 bytes, no assets, no nested stacks.
 */
import { Lazy, Token } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import { Construct } from 'constructs';
import { InvalidInputError } from '../../lambda/core/errors';
import type { OrganizationModeSettings } from '../settings';
import type { MemberTemplate } from './member-template';
import { MEMBER_STACK_SET_NAME } from './names';

/** CloudFormation's limit on a StackSet's TemplateBody. */
export const STACK_SET_TEMPLATE_BODY_LIMIT = 51_200;

/**
 * How a rollout proceeds: every region at once (the roles are in one region, the rules in all,
 * independent of each other), a quarter of the accounts at a time, and one account in ten may fail
 * before a region stops (a member with a conflicting role name must not block the rest).
 */
export const MEMBER_ROLLOUT_PREFERENCES: cloudformation.CfnStackSet.OperationPreferencesProperty = {
  regionConcurrencyType: 'PARALLEL',
  maxConcurrentPercentage: 25,
  failureTolerancePercentage: 10,
};

export interface MemberStackSetProps {
  readonly organization: OrganizationModeSettings;
  readonly template: MemberTemplate;
}

export class MemberStackSet extends Construct {
  readonly stackSet: cloudformation.CfnStackSet;

  constructor(scope: Construct, id: string, props: MemberStackSetProps) {
    super(scope, id);
    const { organization, template } = props;
    if (organization.memberOus.length === 0) {
      throw new InvalidInputError(
        'memberOus: the StackSet needs at least one OU or the root',
        'cdk context memberOus',
      );
    }
    if (organization.memberRegions.length === 0) {
      throw new InvalidInputError(
        'memberRegions: the StackSet needs at least one region',
        'cdk context memberRegions',
      );
    }
    const excluded = organization.excludedAccounts;
    this.stackSet = new cloudformation.CfnStackSet(this, 'Resource', {
      stackSetName: MEMBER_STACK_SET_NAME,
      description:
        "PassRole Doctor members: forward iam:PassRole denials to the hub, and the hub's read and apply roles",
      permissionModel: 'SERVICE_MANAGED',
      callAs: 'DELEGATED_ADMIN',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      // Named roles (the forward, read and apply roles): CAPABILITY_NAMED_IAM.
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: MEMBER_ROLLOUT_PREFERENCES,
      stackInstancesGroup: [
        {
          deploymentTargets: {
            organizationalUnitIds: [...organization.memberOus],
            ...(excluded.length > 0 ? { accountFilterType: 'DIFFERENCE', accounts: [...excluded] } : {}),
          },
          regions: [...organization.memberRegions],
        },
      ],
      // Resolved at synth, after the member template's Stage is synthesized (nested assemblies first).
      templateBody: Lazy.string({ produce: () => checkedBody(template.body()) }),
    });
  }
}

function checkedBody(body: string): string {
  if (Token.isUnresolved(body)) {
    throw new InvalidInputError('the member template body still holds unresolved tokens', 'member template');
  }
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > STACK_SET_TEMPLATE_BODY_LIMIT) {
    throw new InvalidInputError(
      `the member template is ${bytes} bytes: a StackSet's TemplateBody takes at most ${STACK_SET_TEMPLATE_BODY_LIMIT}`,
      'member template',
    );
  }
  return body;
}
