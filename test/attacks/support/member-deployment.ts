/**
 * The member template as one member account would get it from the StackSet, for the attack suite
 * (and for a harness that creates the member roles in moto with the template's own policies):
 * synthesized in-process (test/lib/support/organization-app.ts), deployed (its intrinsics and
 * conditions resolved) into one member account in each member region, and the roles' trust policies
 * read from the deployment that actually has them.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { MEMBER_ROLE_NAMES } from '../../../lib/organization/names';
import { buildOrganizationApp, MEMBER_ACCOUNT, ORGANIZATION } from '../../lib/support/organization-app';
import { IntrinsicResolver, type CfnTemplate, type Json } from './cfn-intrinsics';
import type { PolicyDocument } from './resource-policies';

export { HUB_ACCOUNT, MEMBER_ACCOUNT, ORGANIZATION } from '../../lib/support/organization-app';
export const PARTITION = 'aws';

export interface MemberRole {
  /** The role's name in the deployed account. */
  name: string;
  arn: string;
  trust: PolicyDocument;
  /** Its inline policies as deployed (what a harness creating the role in moto puts on it). */
  policies: { name: string; document: PolicyDocument }[];
}

export interface MemberDeployment {
  region: string;
  /** The roles this region's stack instance creates, by name. */
  roles: Map<string, MemberRole>;
}

/** The member template's stack instance in MEMBER_ACCOUNT, in every member region. */
export function memberDeployments(): MemberDeployment[] {
  const { members } = buildOrganizationApp();
  const template = Template.fromStack(members.template.stack).toJSON() as CfnTemplate;
  return ORGANIZATION.memberRegions.map((region) => {
    const resolver = new IntrinsicResolver(template, {
      account: MEMBER_ACCOUNT,
      region,
      partition: PARTITION,
      stackName: 'StackSet-PassRoleDoctor-Members-00000000',
    });
    const roles = new Map<string, MemberRole>();
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      // A resource with a condition exists where the condition holds.
      if (resource.Condition !== undefined) {
        const exists = resolver.resolve({ 'Fn::If': [resource.Condition, true, false] });
        if (exists !== true) continue;
      }
      const properties = resource.Properties ?? {};
      const name = resolver.resolveString(properties['RoleName'] as Json, `${logicalId} RoleName`);
      roles.set(name, {
        name,
        arn: resolver.arnOf(logicalId),
        trust: resolver.resolve(properties['AssumeRolePolicyDocument'] as Json) as unknown as PolicyDocument,
        policies: inlinePolicies(resolver.resolve((properties['Policies'] ?? []) as Json)),
      });
    }
    return { region, roles };
  });
}

function inlinePolicies(resolved: Json): { name: string; document: PolicyDocument }[] {
  if (!Array.isArray(resolved)) throw new Error('Policies is not a list');
  return resolved.map((policy) => {
    const { PolicyName: name, PolicyDocument: document } = policy as {
      PolicyName: Json;
      PolicyDocument: Json;
    };
    if (typeof name !== 'string') throw new Error('a policy without a name');
    return { name, document: document as unknown as PolicyDocument };
  });
}

/** The read or apply role, from the one region whose stack instance has it. */
export function memberRole(deployments: MemberDeployment[], name: string): MemberRole {
  const found = deployments.flatMap((deployment) => {
    const role = deployment.roles.get(name);
    return role === undefined ? [] : [role];
  });
  if (found.length !== 1 || found[0] === undefined) {
    throw new Error(`${name}: in ${found.length} regions' stack instances, expected exactly one`);
  }
  return found[0];
}

export const READ_ROLE = MEMBER_ROLE_NAMES.read;
export const APPLY_ROLE = MEMBER_ROLE_NAMES.apply;
