/**
 * The two roles the Identity Center stack deploys in the account that administers Identity Center
 * (IDENTITY_CENTER_ROLE_NAMES), created in moto with the trust and inline policies of THE STACK'S
 * synthesized template (lib/organization/identity-center-stack.ts, IdentityCenterStack), synthesized
 * with this run's hub account, organization, external id and management account, and resolved as
 * CloudFormation would (test/attacks/support/cfn-intrinsics.ts). The accounts proxy enforces their
 * trust as STS would; the provisioning fake their permissions (identity-center-authorization.ts).
 */
import { CreateRoleCommand, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IdentityCenterStack } from '../../../../lib/organization/identity-center-stack';
import { IDENTITY_CENTER_ROLE_NAMES } from '../../../../lambda/settings/identity-center';
import { IntrinsicResolver, type CfnTemplate, type Json } from '../../../attacks/support/cfn-intrinsics';

export function identityCenterRoleArn(accountId: string, kind: 'read' | 'apply'): string {
  return `arn:aws:iam::${accountId}:role/${IDENTITY_CENTER_ROLE_NAMES[kind]}`;
}

export interface IdentityCenterRoleTrust {
  hubAccountId: string;
  organizationId: string;
  externalId: string;
  /** The account holding the roles: here the management account, which administers Identity Center. */
  managementAccountId: string;
  region: string;
}

const STACK_NAME = 'PassRoleDoctor-IdentityCenter';

export async function createIdentityCenterRoles(
  iam: IAMClient,
  trust: IdentityCenterRoleTrust,
): Promise<void> {
  const stack = new IdentityCenterStack(new App(), STACK_NAME, {
    organization: {
      organizationId: trust.organizationId,
      hubAccountId: trust.hubAccountId,
      externalId: trust.externalId,
    },
    identityCenter: {
      region: trust.region,
      accountId: trust.managementAccountId,
      managementAccountId: trust.managementAccountId,
      instanceArn: null,
    },
  });
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  const resolver = new IntrinsicResolver(template, {
    account: trust.managementAccountId,
    region: trust.region,
    partition: 'aws',
    stackName: STACK_NAME,
  });
  const created: string[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const properties = resource.Properties ?? {};
    const name = resolver.resolveString(properties['RoleName'] as Json, `${logicalId} RoleName`);
    const policies = resolver.resolve((properties['Policies'] ?? []) as Json) as unknown as {
      PolicyName: string;
      PolicyDocument: unknown;
    }[];
    await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: JSON.stringify(
          resolver.resolve(properties['AssumeRolePolicyDocument'] as Json),
        ),
      }),
    );
    for (const policy of policies) {
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: name,
          PolicyName: policy.PolicyName,
          PolicyDocument: JSON.stringify(policy.PolicyDocument),
        }),
      );
    }
    created.push(name);
  }
  const expected = Object.values(IDENTITY_CENTER_ROLE_NAMES).sort();
  if (JSON.stringify(created.sort()) !== JSON.stringify(expected)) {
    throw new Error(
      `the Identity Center stack deploys ${created.join(', ')}, expected ${expected.join(', ')}`,
    );
  }
}
