/**
 * The main stack as a deployment would make it, for the attack suite: synthesized in-process
 * (test/lib/support/cdk-app.ts, with email, Slack and Teams configured so every resource exists), its
 * intrinsics resolved for one account and region, and the resources the attacks aim at found by what
 * they are (a key's spec, the queue the diagnose function reads), not by logical ids, which move.
 */
import { Stack, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { buildMainStack } from '../../lib/support/cdk-app';
import { IntrinsicResolver, type CfnResource, type CfnTemplate, type Json } from './cfn-intrinsics';
import { extractPolicies, type PolicyDocument, type TemplatePolicies } from './resource-policies';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const PARTITION = 'aws';

/** The context a full deployment uses: every channel, so the Chatbot role and the topic's subscribers exist. */
export const ATTACK_CONTEXT = {
  notificationEmails: 'platform@example.com,oncall@example.com',
  slackWorkspaceId: 'T07EA123LEP',
  slackChannelId: 'C07EZ1ABC23',
  teamsId: '1a2b3c4d-1111-2222-3333-444455556666',
  teamsTenantId: '9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff',
  teamsChannelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
} as const;

/** Where an attack aims: a resource's ARN and the policy it carries (if any). */
export interface Target {
  logicalId: string;
  arn: string;
  policy: PolicyDocument | undefined;
  /** The resource's tags as a request on it carries them (aws:ResourceTag/...). */
  tags: Record<string, string>;
}

export interface StackUnderAttack {
  stackName: string;
  template: CfnTemplate;
  resolver: IntrinsicResolver;
  policies: TemplatePolicies;
  /** The resource `construct` became (its CloudFormation resource). */
  targetOf(construct: IConstruct): Target;
  /** The one resource of `type` whose properties satisfy `test`; throws, saying what is missing, otherwise. */
  findTarget(what: string, type: string, test?: (resource: CfnResource) => boolean): Target | null;
  /** A role's identity policies as the template gives them (inline, AWS::IAM::Policy, customer managed). */
  roleIdentityPolicies(role: IConstruct): { name: string; document: PolicyDocument }[];
  /** The AWS managed policy ARNs a role attaches. */
  roleManagedPolicies(role: IConstruct): string[];
  roleArn(role: IConstruct): string;
  remediation: ReturnType<typeof buildMainStack>['remediation'];
}

export function stackUnderAttack(): StackUnderAttack {
  const {
    stack,
    remediation,
    template: assertions,
  } = buildMainStack({
    context: ATTACK_CONTEXT,
    defaultRegion: REGION,
  });
  const template = assertions.toJSON() as CfnTemplate;
  const stackName = stack.stackName;
  const resolver = new IntrinsicResolver(template, {
    account: ACCOUNT,
    region: REGION,
    partition: PARTITION,
    stackName,
  });
  const policies = extractPolicies(template, resolver);

  const logicalIdOf = (construct: IConstruct): string => {
    const element = (construct.node.defaultChild ?? construct) as CfnElement;
    return Stack.of(construct).resolve(element.logicalId) as string;
  };
  const target = (logicalId: string): Target => {
    const resource = template.Resources[logicalId];
    if (resource === undefined) throw new Error(`no resource ${logicalId}`);
    return {
      logicalId,
      arn: resolver.arnOf(logicalId),
      policy: policies.resourcePolicies.get(logicalId)?.document,
      tags: tagsOf(resolver, resource, stackName),
    };
  };
  return {
    stackName,
    template,
    resolver,
    policies,
    remediation,
    targetOf: (construct) => target(logicalIdOf(construct)),
    findTarget: (what, type, test = () => true) => {
      const matches = Object.entries(template.Resources).filter(
        ([, resource]) => resource.Type === type && test(resource),
      );
      if (matches.length > 1) {
        throw new Error(`${what}: ${matches.length} resources of ${type} match, expected one`);
      }
      const [match] = matches;
      return match === undefined ? null : target(match[0]);
    },
    roleIdentityPolicies: (role) => policies.rolePolicies.get(logicalIdOf(role)) ?? [],
    roleManagedPolicies: (role) => policies.roleManagedPolicyArns.get(logicalIdOf(role)) ?? [],
    roleArn: (role) => resolver.arnOf(logicalIdOf(role)),
  };
}

/** The tags CloudFormation puts on a resource: its own, and the stack's aws:cloudformation:* ones. */
function tagsOf(
  resolver: IntrinsicResolver,
  resource: CfnResource,
  stackName: string,
): Record<string, string> {
  const tags: Record<string, string> = { 'aws:cloudformation:stack-name': stackName };
  const given = resource.Properties?.['Tags'];
  const list: Json[] = Array.isArray(given) ? given : [];
  for (const tag of list) {
    if (tag === null || typeof tag !== 'object' || Array.isArray(tag)) continue;
    const key = tag['Key'];
    const value = tag['Value'];
    if (typeof key === 'string' && value !== undefined)
      tags[key] = resolver.resolveString(value, `tag ${key}`);
  }
  return tags;
}
