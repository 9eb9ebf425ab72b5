/**
 * The member template (lib/organization/member-stack.ts): the forwarding rule, the read and apply
 * roles, their trust and permissions, and that the roles exist in one region only.
 */
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { APPLY_IAM_ACTIONS } from '../../../lib/constructs/apply-function';
import { IAM_READ_ACTIONS } from '../../../lib/constructs/diagnose-function';
import { ACCOUNT_AUTHORIZATION_READ_ACTIONS } from '../../../lib/constructs/handler-function';
import { PASSROLE_DENIAL_EVENT_PATTERN } from '../../../lib/denial-event-patterns';
import { MEMBER_ROLE_CONDITION_ID } from '../../../lib/organization/member-stack';
import { IDENTITY_CENTER_ROLE_NAMES } from '../../../lambda/settings/identity-center';
import { HUB_BUS_NAME, HUB_ROLE_NAMES, MEMBER_ROLE_NAMES } from '../../../lib/organization/names';
import { buildMainStack, type MainStack } from '../support/cdk-app';
import {
  iamActionsOutside,
  renderIntrinsic,
  rolePermissions,
  type RenderedStatement,
} from '../support/iam-statements';
import { buildOrganizationApp, HUB_ACCOUNT, HUB_REGION, ORGANIZATION } from '../support/organization-app';

type Resources = Record<string, { Type: string; Condition?: string; Properties?: Record<string, unknown> }>;

let template: Template;
let resources: Resources;
let singleAccount: MainStack | undefined;
/** The single-account stack, built once (it is the slow part). */
const single = (): MainStack => (singleAccount ??= buildMainStack());

beforeAll(() => {
  const { members } = buildOrganizationApp();
  template = Template.fromStack(members.template.stack);
  resources = template.toJSON().Resources as Resources;
});

const idsOf = (type: string): string[] =>
  Object.entries(resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id]) => id);

function roleIdNamed(name: string): string {
  const id = Object.entries(resources).find(
    ([, resource]) =>
      resource.Type === 'AWS::IAM::Role' && renderIntrinsic(resource.Properties?.RoleName) === name,
  )?.[0];
  if (id === undefined) throw new Error(`no role named ${name}`);
  return id;
}

/** The trust policy's statements, intrinsics rendered as `${AWS::Partition}` text. */
function trustOf(roleId: string): Record<string, unknown>[] {
  const document = resources[roleId]?.Properties?.AssumeRolePolicyDocument as { Statement: unknown[] };
  return JSON.parse(
    JSON.stringify(document.Statement, (_key, value: unknown) =>
      typeof value === 'object' && value !== null && ('Fn::Join' in value || 'Ref' in value)
        ? renderIntrinsic(value)
        : value,
    ),
  ) as Record<string, unknown>[];
}

const hubRoleArn = (name: string) => `arn:\${AWS::Partition}:iam::${HUB_ACCOUNT}:role/${name}`;

describe('the forwarding rule', () => {
  it('matches exactly the pattern of the single-account denial rule', () => {
    const singleResources = single().template.toJSON().Resources as Resources;
    const singlePatterns = Object.values(singleResources)
      .filter((resource) => resource.Type === 'AWS::Events::Rule')
      .map((resource) => resource.Properties?.EventPattern)
      .filter((pattern) => pattern !== undefined);
    const memberPatterns = idsOf('AWS::Events::Rule').map((id) => resources[id]?.Properties?.EventPattern);

    expect(memberPatterns).toEqual([singlePatterns[0]]);
    expect(singlePatterns).toHaveLength(1);
    expect(memberPatterns[0]).toEqual(JSON.parse(JSON.stringify(PASSROLE_DENIAL_EVENT_PATTERN)));
  });

  it("targets the hub's bus by ARN through the region's forward role, with a dead-letter queue", () => {
    const [ruleId] = idsOf('AWS::Events::Rule');
    const rule = resources[ruleId ?? '']?.Properties as {
      EventBusName?: unknown;
      Targets: { Arn: unknown; RoleArn: unknown; DeadLetterConfig: { Arn: unknown } }[];
    };
    // The default bus: no EventBusName.
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.Targets).toHaveLength(1);
    const [target] = rule.Targets;
    expect(renderIntrinsic(target?.Arn)).toBe(
      `arn:\${AWS::Partition}:events:${HUB_REGION}:${HUB_ACCOUNT}:event-bus/${HUB_BUS_NAME}`,
    );
    const forwardRole = roleIdNamed(`${MEMBER_ROLE_NAMES.forward}-\${AWS::Region}`);
    expect(renderIntrinsic(target?.RoleArn)).toBe(`\${${forwardRole}.Arn}`);
    const [queue] = idsOf('AWS::SQS::Queue');
    expect(renderIntrinsic(target?.DeadLetterConfig.Arn)).toBe(`\${${queue}.Arn}`);
  });

  it("has a forward role that EventBridge alone assumes and that may only put events on the hub's bus", () => {
    const forwardRole = roleIdNamed(`${MEMBER_ROLE_NAMES.forward}-\${AWS::Region}`);
    expect(trustOf(forwardRole)).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } },
    ]);
    expect(rolePermissions(template, forwardRole).statements).toEqual([
      {
        sid: null,
        effect: 'Allow',
        actions: ['events:PutEvents'],
        notActions: [],
        resources: [`arn:\${AWS::Partition}:events:${HUB_REGION}:${HUB_ACCOUNT}:event-bus/${HUB_BUS_NAME}`],
      },
    ]);
    // In every region: the rule needs it there.
    expect(resources[forwardRole]?.Condition).toBeUndefined();
  });
});

describe('the read and apply roles', () => {
  const read = () => roleIdNamed(MEMBER_ROLE_NAMES.read);
  const apply = () => roleIdNamed(MEMBER_ROLE_NAMES.apply);

  it('exist in the member role region only', () => {
    const conditions = template.toJSON().Conditions as Record<string, unknown>;
    expect(conditions[MEMBER_ROLE_CONDITION_ID]).toEqual({
      'Fn::Equals': [{ Ref: 'AWS::Region' }, ORGANIZATION.memberRoleRegion],
    });
    expect(resources[read()]?.Condition).toBe(MEMBER_ROLE_CONDITION_ID);
    expect(resources[apply()]?.Condition).toBe(MEMBER_ROLE_CONDITION_ID);
    // IAM names are global per account: every other named IAM resource carries the region in its name.
    for (const id of idsOf('AWS::IAM::Role')) {
      if (resources[id]?.Condition === MEMBER_ROLE_CONDITION_ID) continue;
      expect(renderIntrinsic(resources[id]?.Properties?.RoleName)).toContain('${AWS::Region}');
    }
    // Their permissions are inline: no separate policy resource that would exist in every region.
    const attached = [...idsOf('AWS::IAM::Policy'), ...idsOf('AWS::IAM::ManagedPolicy')].flatMap((id) =>
      ((resources[id]?.Properties?.Roles as unknown[]) ?? []).map(renderIntrinsic),
    );
    expect(attached).not.toContain(`\${${read()}}`);
    expect(attached).not.toContain(`\${${apply()}}`);
  });

  it('trust the hub account with exactly the hub roles that read, the organization and the external id', () => {
    expect(trustOf(read())).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { AWS: `arn:\${AWS::Partition}:iam::${HUB_ACCOUNT}:root` },
        Condition: {
          StringEquals: {
            'aws:PrincipalArn': [
              hubRoleArn(HUB_ROLE_NAMES.diagnose),
              hubRoleArn(HUB_ROLE_NAMES.approval),
              hubRoleArn(HUB_ROLE_NAMES.apply),
            ],
            'aws:PrincipalOrgID': ORGANIZATION.organizationId,
            'sts:ExternalId': ORGANIZATION.externalId,
          },
        },
      },
    ]);
  });

  it('trust only the hub apply role to write, and let it set the source identity', () => {
    const condition = {
      StringEquals: {
        'aws:PrincipalArn': [hubRoleArn(HUB_ROLE_NAMES.apply)],
        'aws:PrincipalOrgID': ORGANIZATION.organizationId,
        'sts:ExternalId': ORGANIZATION.externalId,
      },
    };
    const principal = { AWS: `arn:\${AWS::Partition}:iam::${HUB_ACCOUNT}:root` };
    const { 'sts:ExternalId': _externalId, ...withoutExternalId } = condition.StringEquals;
    expect(trustOf(apply())).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: principal, Condition: condition },
      // Evaluated only within that AssumeRole (which requires the external id): no sts:ExternalId key there.
      {
        Action: 'sts:SetSourceIdentity',
        Effect: 'Allow',
        Principal: principal,
        Condition: { StringEquals: withoutExternalId },
      },
    ]);
  });

  it('read what the diagnose function reads, and write nothing', () => {
    const { statements, managedPolicyArns } = rolePermissions(template, read());
    expect(managedPolicyArns).toEqual([]);
    expect(iamActionsOutside(statements, IAM_READ_ACTIONS)).toEqual([]);
    expect(statements.every((statement) => statement.effect === 'Allow')).toBe(true);
    const actions = new Set(statements.flatMap((statement) => statement.actions));
    expect([...actions].sort()).toEqual(
      [...new Set([...IAM_READ_ACTIONS, 'sts:DecodeAuthorizationMessage'])].sort(),
    );
  });

  it("write and deny exactly what the single-account apply function does, protecting the organization's roles", () => {
    const { stack, remediation, template: singleTemplate } = single();
    const singleApplyId = stack.getLogicalId(remediation.applyFunctionRole.node.defaultChild as CfnElement);
    const iamStatements = (statements: RenderedStatement[]) =>
      statements.filter(
        (statement) =>
          statement.actions.every((action) => action.startsWith('iam:')) &&
          statement.sid !== 'NeverWriteThisStacksRoles',
      );
    const member = rolePermissions(template, apply()).statements;
    const singleStatements = rolePermissions(singleTemplate, singleApplyId).statements;

    expect(iamStatements(member)).toEqual(iamStatements(singleStatements));
    expect(iamStatements(member).map((statement) => statement.sid)).toEqual([
      'WriteInlinePoliciesOfGroups',
      'WriteInlinePoliciesOfUsers',
      'WriteInlinePoliciesOfRoles',
      'VerifyByResimulating',
      'NeverWriteAwsManagedRoles',
      'ReadAccountEntities',
      'ListRolesTrustingTheRole',
      'ReadManagedPolicies',
    ]);
    expect(iamActionsOutside(member, [...APPLY_IAM_ACTIONS, ...ACCOUNT_AUTHORIZATION_READ_ACTIONS])).toEqual(
      [],
    );
    expect(member.find((statement) => statement.sid === 'NeverWriteThisStacksRoles')).toEqual({
      sid: 'NeverWriteThisStacksRoles',
      effect: 'Deny',
      actions: ['iam:Put*Policy'],
      notActions: [],
      resources: [
        'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/PassRoleDoctorHub-*',
        'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/PassRoleDoctorIdentityCenter-*',
        'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/PassRoleDoctorMember-*',
      ],
    });
  });

  it('protect every role name the organization uses', () => {
    const names = [
      ...Object.values(HUB_ROLE_NAMES),
      ...Object.values(MEMBER_ROLE_NAMES),
      ...Object.values(IDENTITY_CENTER_ROLE_NAMES),
    ];
    for (const name of names) {
      expect(name).toMatch(/^(PassRoleDoctorHub|PassRoleDoctorMember|PassRoleDoctorIdentityCenter)-/);
    }
  });
});

describe('the template', () => {
  it('has no parameters, no rules, no nested stacks, no CDK metadata', () => {
    const json = template.toJSON() as Record<string, unknown>;
    expect(json.Parameters).toBeUndefined();
    expect(json.Rules).toBeUndefined();
    expect(idsOf('AWS::CloudFormation::Stack')).toEqual([]);
    expect(idsOf('AWS::CDK::Metadata')).toEqual([]);
    expect(Object.keys(json.Conditions as object)).toEqual([MEMBER_ROLE_CONDITION_ID]);
  });
});
