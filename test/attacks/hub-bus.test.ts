/**
 * Organization mode's new attack surface on the hub: its bus, where a denial put by anyone would be
 * diagnosed, announced and offered for approval. The synthesized bus policy is evaluated with the
 * local simulator (moto evaluates no bus policy) for callers who hold events:PutEvents on everything:
 * a role of another organization named like a forward role, a member account's other role, the hub
 * account's own administrator; and, so the policy is not simply closed, a member's forward role.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { HUB_BUS_NAME, MEMBER_ROLE_NAMES } from '../../lambda/settings/organization';
import { buildTestApp } from '../lib/support/cdk-app';
import { ORGANIZATION_CONTEXT, ORGANIZATION_ID } from '../lib/support/organization-context';
import { recordAttack } from './support/attack-results';
import { IntrinsicResolver, type CfnTemplate } from './support/cfn-intrinsics';
import { evaluate } from './support/policy-evaluator';
import { extractPolicies, type PolicyDocument } from './support/resource-policies';

const PART = 'resource-policies';
const HUB = '123456789012';
const REGION = 'us-east-1';
const MEMBER = '210987654321';
const OUTSIDER = '999988887777';
const BUS_ARN = `arn:aws:events:${REGION}:${HUB}:event-bus/${HUB_BUS_NAME}`;
const PUT_ANYWHERE: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: '*' }],
};

let busPolicy: PolicyDocument;

beforeAll(() => {
  const { stacks } = buildTestApp({
    context: { ...ORGANIZATION_CONTEXT, hubAccountId: HUB, approvers: `arn:aws:iam::${HUB}:role/Approver` },
    defaultRegion: REGION,
  });
  const template = Template.fromStack(stacks.main).toJSON() as CfnTemplate;
  const resolver = new IntrinsicResolver(template, {
    account: HUB,
    region: REGION,
    partition: 'aws',
    stackName: stacks.main.stackName,
  });
  const policies = [...extractPolicies(template, resolver).resourcePolicies.values()].filter(
    (policy) => policy.kind === 'event-bus' && policy.resourceArn === BUS_ARN,
  );
  expect(policies).toHaveLength(1);
  busPolicy = (policies[0] as { document: PolicyDocument }).document;
}, 300_000);

/** A role session putting an event on the hub bus, with the request context EventBridge evaluates. */
async function putEvents(account: string, roleName: string, organizationId: string) {
  return evaluate({
    request: {
      principal: `arn:aws:sts::${account}:assumed-role/${roleName}/session`,
      action: 'events:PutEvents',
      resourceArn: BUS_ARN,
      context: {
        'aws:PrincipalArn': `arn:aws:iam::${account}:role/${roleName}`,
        'aws:PrincipalOrgID': organizationId,
        'aws:PrincipalAccount': account,
      },
    },
    identityPolicies: [{ name: 'PutEventsAnywhere', document: PUT_ANYWHERE }],
    resourcePolicy: busPolicy,
  });
}

const FORWARD_ROLE = `${MEMBER_ROLE_NAMES.forward}-${REGION}`;

describe('the hub bus admits only the organization’s member forward roles', () => {
  it.each([
    ['a role of another organization named like a forward role', OUTSIDER, FORWARD_ROLE, 'o-zz9y8x7w6v'],
    ['a member account’s other role', MEMBER, 'Developer', ORGANIZATION_ID],
    ['the hub account’s own administrator', HUB, 'Administrator', ORGANIZATION_ID],
    [
      'a role named like the forward role without the region suffix',
      MEMBER,
      'PassRoleDoctorMember-Forwarder',
      ORGANIZATION_ID,
    ],
  ])('denies PutEvents to %s', async (name, account, role, organizationId) => {
    const verdict = await putEvents(account, role, organizationId);
    recordAttack({
      part: PART,
      name: `hub bus: PutEvents by ${name}`,
      escalated: verdict.allowed,
      forgedApplied: false,
    });
    expect(verdict.allowed).toBe(false);
  });

  it('allows PutEvents to a member’s forward role (the legitimate use: the policy is not simply closed)', async () => {
    expect((await putEvents(MEMBER, FORWARD_ROLE, ORGANIZATION_ID)).allowed).toBe(true);
  });
});
