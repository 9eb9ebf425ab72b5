/**
 * Organization mode with Identity Center (lib/organization/identity-center-*.ts): the plain stack for
 * the administering account with exactly two roles, their trust (the hub roles by aws:PrincipalArn,
 * the organization, the external id) and permissions (reads; tag-scoped writes, nothing else), the
 * hub functions' grants on exactly those roles and IDENTITY_CENTER_ENV; none of it without
 * identityCenterRegion; cdk-nag and cfn-lint clean.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  IDENTITY_CENTER_ENV,
  IDENTITY_CENTER_MANAGED_TAG,
  IDENTITY_CENTER_ROLE_NAMES,
} from '../../../lambda/settings/identity-center';
import { HUB_ROLE_NAMES } from '../../../lambda/settings/organization';
import {
  IDENTITY_CENTER_READ_ACTIONS,
  IDENTITY_CENTER_WRITE_ACTIONS,
} from '../../../lambda/adapters/aws/identity-center/actions';
import { IDENTITY_CENTER_STACK_NAME } from '../../../lib/organization/identity-center-stack';
import type { PassRoleDoctorStacks } from '../../../lib/passrole-doctor-app';
import { buildTestApp, synthesizeWithValidation } from '../support/cdk-app';
import { renderIntrinsic } from '../support/iam-statements';
import { HUB_ACCOUNT, ORGANIZATION_CONTEXT, ORGANIZATION_ID } from '../support/organization-context';

const MANAGEMENT = '999988887777';
const INSTANCE_ID = 'ssoins-1234567890abcdef';
const IDENTITY_CENTER_CONTEXT = {
  ...ORGANIZATION_CONTEXT,
  identityCenterRegion: 'us-east-1',
  managementAccountId: MANAGEMENT,
  // A deployment with a channel: the no-channel warning is the cdk-nag test's subject, not this one's.
  notificationEmails: 'security-team@example.com',
} as const;

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Intrinsics rendered as `${AWS::Partition}` text, so statements compare as plain JSON. */
function rendered<T>(value: unknown): T {
  return JSON.parse(
    JSON.stringify(value, (_key, inner: unknown) =>
      typeof inner === 'object' && inner !== null && ('Fn::Join' in inner || 'Ref' in inner)
        ? renderIntrinsic(inner)
        : inner,
    ),
  ) as T;
}

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function roleNamed(template: Template, name: string): { trust: Statement[]; policy: Statement[] } {
  const role = Object.values(template.findResources('AWS::IAM::Role')).find(
    (resource) => (resource.Properties as { RoleName?: string }).RoleName === name,
  );
  if (role === undefined) throw new Error(`no role named ${name}`);
  const properties = rendered<{
    AssumeRolePolicyDocument: { Statement: Statement[] };
    Policies?: { PolicyDocument: { Statement: Statement[] } }[];
  }>(role.Properties);
  return {
    trust: properties.AssumeRolePolicyDocument.Statement,
    policy: (properties.Policies ?? []).flatMap((policy) => policy.PolicyDocument.Statement),
  };
}

const hubRoleArn = (role: keyof typeof HUB_ROLE_NAMES) =>
  `arn:\${AWS::Partition}:iam::${HUB_ACCOUNT}:role/${HUB_ROLE_NAMES[role]}`;
const icRoleArn = (role: keyof typeof IDENTITY_CENTER_ROLE_NAMES) =>
  `arn:\${AWS::Partition}:iam::${MANAGEMENT}:role/${IDENTITY_CENTER_ROLE_NAMES[role]}`;

let stacks: PassRoleDoctorStacks;
let template: Template;
let hubTemplate: Template;

beforeAll(() => {
  ({ stacks } = buildTestApp({ context: IDENTITY_CENTER_CONTEXT, defaultRegion: 'eu-west-1' }));
  if (stacks.identityCenter === null) throw new Error('no Identity Center stack');
  template = Template.fromStack(stacks.identityCenter);
  hubTemplate = Template.fromStack(stacks.main);
});

describe('the Identity Center stack', () => {
  it("is a plain stack in the administering account and the instance's region, with two roles only", () => {
    const stack = stacks.identityCenter as Stack;
    expect(stack.stackName).toBe(IDENTITY_CENTER_STACK_NAME);
    expect(stack.account).toBe(MANAGEMENT);
    expect(stack.region).toBe('us-east-1');
    const types = Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map(
      (resource) => resource.Type,
    );
    expect(types).toEqual(['AWS::IAM::Role', 'AWS::IAM::Role']);
    // No assets, no bootstrap: the management account deploys it with its own credentials.
    expect(template.toJSON().Parameters?.BootstrapVersion).toBeUndefined();
  });

  it('lets exactly the hub diagnose, approval and apply roles assume the read role, with the external id', () => {
    const { trust } = roleNamed(template, IDENTITY_CENTER_ROLE_NAMES.read);
    expect(trust).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { AWS: `arn:aws:iam::${HUB_ACCOUNT}:root` },
        Condition: {
          StringEquals: {
            'aws:PrincipalArn': [hubRoleArn('diagnose'), hubRoleArn('approval'), hubRoleArn('apply')],
            'aws:PrincipalOrgID': ORGANIZATION_ID,
            'sts:ExternalId': ORGANIZATION_CONTEXT.externalId,
          },
        },
      },
    ]);
  });

  it('lets only the hub apply role assume the apply role, with the external id and a SourceIdentity', () => {
    const { trust } = roleNamed(template, IDENTITY_CENTER_ROLE_NAMES.apply);
    const admitted = { 'aws:PrincipalArn': [hubRoleArn('apply')], 'aws:PrincipalOrgID': ORGANIZATION_ID };
    expect(trust).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { AWS: `arn:aws:iam::${HUB_ACCOUNT}:root` },
        Condition: { StringEquals: { ...admitted, 'sts:ExternalId': ORGANIZATION_CONTEXT.externalId } },
      },
      {
        Effect: 'Allow',
        Action: 'sts:SetSourceIdentity',
        Principal: { AWS: `arn:aws:iam::${HUB_ACCOUNT}:root` },
        Condition: { StringEquals: admitted },
      },
    ]);
  });

  it('gives the read role reads only: sso-admin on the instance, sets and accounts, identitystore', () => {
    const { policy } = roleNamed(template, IDENTITY_CENTER_ROLE_NAMES.read);
    const actions = policy.flatMap((statement) => asList(statement.Action));
    expect(actions.filter((action) => !/^(sso|identitystore):(List|Describe|Get)/.test(action))).toEqual([]);
    expect(policy.every((statement) => statement.Effect === 'Allow')).toBe(true);
    expect(policy.find((statement) => statement.Sid === 'ReadPermissionSets')?.Resource).toEqual([
      'arn:${AWS::Partition}:sso:::account/*',
      'arn:${AWS::Partition}:sso:::instance/*',
      'arn:${AWS::Partition}:sso:::permissionSet/*/*',
    ]);
    expect(policy.find((statement) => statement.Sid === 'FindTheInstance')).toMatchObject({
      Action: 'sso:ListInstances',
      Resource: '*',
    });
  });

  it("grants the read role exactly the reader's actions, and the apply role the writer's and the status", () => {
    const read = roleNamed(template, IDENTITY_CENTER_ROLE_NAMES.read).policy;
    const apply = roleNamed(template, IDENTITY_CENTER_ROLE_NAMES.apply).policy;
    const actionsOf = (policy: Statement[]) =>
      [...new Set(policy.flatMap((statement) => asList(statement.Action)))].sort();
    expect(actionsOf(read)).toEqual([...IDENTITY_CENTER_READ_ACTIONS].sort());
    expect(actionsOf(apply)).toEqual(
      [...IDENTITY_CENTER_WRITE_ACTIONS, 'sso:DescribePermissionSetProvisioningStatus'].sort(),
    );
    expect(IDENTITY_CENTER_READ_ACTIONS).toContain('sso:DescribePermissionSetProvisioningStatus');
  });

  it('lets the apply role write only tagged permission sets: the inline policy and provisioning, nothing else', () => {
    const { policy } = roleNamed(template, IDENTITY_CENTER_ROLE_NAMES.apply);
    const actions = new Set(policy.flatMap((statement) => asList(statement.Action)));
    expect([...actions].sort()).toEqual([
      'sso:DescribePermissionSetProvisioningStatus',
      'sso:ProvisionPermissionSet',
      'sso:PutInlinePolicyToPermissionSet',
    ]);
    const onSets = policy.filter((statement) =>
      asList(statement.Resource as string | string[]).some((resource) =>
        resource.includes(':permissionSet/'),
      ),
    );
    // The only statement naming permission sets carries the tag condition.
    expect(onSets).toEqual([
      {
        Sid: 'WriteTaggedPermissionSets',
        Effect: 'Allow',
        Action: ['sso:ProvisionPermissionSet', 'sso:PutInlinePolicyToPermissionSet'],
        Resource: 'arn:${AWS::Partition}:sso:::permissionSet/*/*',
        Condition: { StringEquals: { [`aws:ResourceTag/${IDENTITY_CENTER_MANAGED_TAG}`]: 'true' } },
      },
    ]);
    // No statement with a wildcard resource: every write still needs the tagged set's Allow.
    expect(policy.filter((statement) => asList(statement.Resource as string).includes('*'))).toEqual([]);
  });

  it('scopes both roles to the instance when its ARN is given', () => {
    const { stacks: scoped } = buildTestApp({
      context: {
        ...IDENTITY_CENTER_CONTEXT,
        identityCenterInstanceArn: `arn:aws:sso:::instance/${INSTANCE_ID}`,
      },
      defaultRegion: 'eu-west-1',
    });
    const scopedTemplate = Template.fromStack(scoped.identityCenter as Stack);
    const resources = Object.values(IDENTITY_CENTER_ROLE_NAMES).flatMap((name) =>
      roleNamed(scopedTemplate, name).policy.flatMap((statement) => asList(statement.Resource as string)),
    );
    const sso = resources.filter(
      (resource) => resource.includes(':sso:::') && !resource.includes('account/'),
    );
    expect(new Set(sso)).toEqual(
      new Set([
        `arn:\${AWS::Partition}:sso:::instance/${INSTANCE_ID}`,
        `arn:\${AWS::Partition}:sso:::permissionSet/${INSTANCE_ID}/*`,
      ]),
    );
  });
});

describe("the hub's functions with Identity Center", () => {
  function functionOf(roleName: string): {
    statements: Statement[];
    variables: Record<string, string>;
  } {
    const roles = hubTemplate.findResources('AWS::IAM::Role');
    const roleId = Object.keys(roles).find(
      (id) => (roles[id]?.Properties as { RoleName?: string }).RoleName === roleName,
    );
    const policies = Object.values(hubTemplate.findResources('AWS::IAM::Policy')).filter((policy) =>
      ((policy.Properties as { Roles: { Ref: string }[] }).Roles ?? []).some((role) => role.Ref === roleId),
    );
    const fn = Object.values(hubTemplate.findResources('AWS::Lambda::Function')).find(
      (resource) =>
        (resource.Properties as { Role?: { 'Fn::GetAtt'?: string[] } }).Role?.['Fn::GetAtt']?.[0] === roleId,
    );
    return {
      statements: policies.flatMap(
        (policy) =>
          rendered<{ PolicyDocument: { Statement: Statement[] } }>(policy.Properties).PolicyDocument
            .Statement,
      ),
      variables: (fn?.Properties as { Environment: { Variables: Record<string, string> } }).Environment
        .Variables,
    };
  }

  const assumes = (statements: Statement[]) =>
    statements
      .filter((statement) => asList(statement.Action).includes('sts:AssumeRole'))
      .flatMap((statement) => asList(statement.Resource as string))
      .filter((resource) => resource.includes('PassRoleDoctorIdentityCenter'));

  it.each(['diagnose', 'approval'] as const)('lets %s assume exactly the read role', (handler) => {
    const { statements, variables } = functionOf(HUB_ROLE_NAMES[handler]);
    expect(assumes(statements)).toEqual([icRoleArn('read')]);
    expect(variables[IDENTITY_CENTER_ENV.region.name]).toBe('us-east-1');
    expect(variables[IDENTITY_CENTER_ENV.accountId.name]).toBe(MANAGEMENT);
  });

  it('lets apply assume the read role and the apply role (with SourceIdentity), and read the management account', () => {
    const { statements } = functionOf(HUB_ROLE_NAMES.apply);
    expect(assumes(statements)).toEqual([icRoleArn('read'), icRoleArn('apply')]);
    const apply = statements.find((statement) => statement.Sid === 'AssumeIdentityCenterApplyRole');
    expect(apply).toMatchObject({
      Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
      Condition: { StringEquals: { 'aws:ResourceOrgID': ORGANIZATION_ID } },
    });
    expect(statements.find((statement) => statement.Sid === 'ReadTheManagementAccount')).toMatchObject({
      Action: 'organizations:DescribeOrganization',
      Resource: '*',
    });
  });

  it('lets the reconciler assume neither', () => {
    expect(assumes(functionOf(HUB_ROLE_NAMES.reconcile).statements)).toEqual([]);
  });

  it('adds nothing without identityCenterRegion (advice only, as before)', () => {
    const { stacks: without } = buildTestApp({ context: ORGANIZATION_CONTEXT, defaultRegion: 'eu-west-1' });
    expect(without.identityCenter).toBeNull();
    const text = JSON.stringify(Template.fromStack(without.main).toJSON());
    // (The member template in the StackSet names the roles only to deny writing them.)
    for (const name of Object.values(IDENTITY_CENTER_ROLE_NAMES)) expect(text).not.toContain(`role/${name}`);
    expect(text).not.toContain('AssumeIdentityCenter');
    expect(text).not.toContain('ReadTheManagementAccount');
    expect(text).not.toContain(IDENTITY_CENTER_ENV.region.name);
  });
});

describe('the Identity Center templates are clean', () => {
  it('leave no cdk-nag finding unacknowledged, and cfn-lint finds no error', () => {
    for (const instance of [undefined, `arn:aws:sso:::instance/${INSTANCE_ID}`]) {
      const testApp = buildTestApp({
        // A channel: without one the hub warns (noNotificationChannel), which is not this test's subject.
        context: {
          ...IDENTITY_CENTER_CONTEXT,
          notificationEmails: 'security@example.com',
          ...(instance ? { identityCenterInstanceArn: instance } : {}),
        },
        defaultRegion: 'eu-west-1',
      });
      const { assembly, violations } = synthesizeWithValidation(testApp);
      expect(violations).toEqual([]);
      expect(assembly).not.toBeNull();
      const files = [IDENTITY_CENTER_STACK_NAME, stacks.main.stackName].map((name) =>
        path.join(testApp.outdir, `${name}.template.json`),
      );
      const lint = spawnSync('cfn-lint', files, { encoding: 'utf8' });
      expect({ status: (lint.status ?? 1) & 3, output: lint.stdout }).toEqual({
        status: 0,
        output: expect.any(String),
      });
    }
  }, 300_000);
});
