/**
 * The hub's StackSet of the member template and the management account's stacks
 * (lib/organization/member-stacks.ts, member-stack-set.ts).
 */
import * as path from 'node:path';
import { Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { InvalidInputError } from '../../../lambda/core/errors';
import { STACK_SET_TEMPLATE_BODY_LIMIT } from '../../../lib/organization/member-stack-set';
import { managementMemberStackName } from '../../../lib/organization/member-stacks';
import { MEMBER_STACK_SET_NAME } from '../../../lib/organization/names';
import { EXTERNAL_ID_PATTERN } from '../../../lambda/settings/organization';
import {
  buildOrganizationApp,
  HUB_REGION,
  ORGANIZATION,
  type OrganizationTestApp,
} from '../support/organization-app';

interface StackSetProperties {
  TemplateBody: string;
  [key: string]: unknown;
}

function stackSetOf(testApp: OrganizationTestApp): StackSetProperties {
  if (testApp.hub === null) throw new Error('no hub stack');
  const stackSets = Template.fromStack(testApp.hub).findResources('AWS::CloudFormation::StackSet');
  const [only, ...others] = Object.values(stackSets);
  expect(others).toEqual([]);
  return only?.Properties as StackSetProperties;
}

/**
 * A template as deployed in the commercial partition, without what names the construct path (a
 * queue policy's Sid) or describes the stack: a stack with a concrete region writes the partition
 * as a literal, the environment-agnostic member template as `${AWS::Partition}`.
 */
function comparable(template: unknown, constructPath: string): unknown {
  const text = JSON.stringify(template, (_key, value: unknown) => {
    const join = (value as { 'Fn::Join'?: [string, unknown[]] } | null)?.['Fn::Join'];
    if (join === undefined) return value;
    const parts = join[1].map((part) =>
      (part as { Ref?: string } | null)?.Ref === 'AWS::Partition' ? 'aws' : part,
    );
    return parts.every((part) => typeof part === 'string')
      ? parts.join(join[0])
      : { 'Fn::Join': [join[0], parts] };
  });
  const pathInSid = new RegExp(`${constructPath.replace(/[^A-Za-z0-9]/g, '')}(\\w+?)[0-9A-F]{8}"`, 'g');
  const copy = JSON.parse(text.replace(pathInSid, '<path>$1"')) as {
    Description?: string;
  };
  delete copy.Description;
  return copy;
}

let testApp: OrganizationTestApp;
let stackSet: StackSetProperties;

beforeAll(() => {
  testApp = buildOrganizationApp();
  stackSet = stackSetOf(testApp);
});

describe("the hub's StackSet", () => {
  it('is service-managed, created as delegated administrator, and follows the OUs as accounts come and go', () => {
    const { TemplateBody: _body, ...properties } = stackSet;
    expect(properties).toEqual({
      StackSetName: MEMBER_STACK_SET_NAME,
      Description: expect.any(String) as unknown,
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      ManagedExecution: { Active: true },
      OperationPreferences: {
        RegionConcurrencyType: 'PARALLEL',
        MaxConcurrentPercentage: 25,
        FailureTolerancePercentage: 10,
      },
      StackInstancesGroup: [
        {
          DeploymentTargets: {
            OrganizationalUnitIds: ORGANIZATION.memberOus,
            AccountFilterType: 'DIFFERENCE',
            Accounts: ORGANIZATION.excludedAccounts,
          },
          Regions: ORGANIZATION.memberRegions,
        },
      ],
    });
  });

  it('deploys to the whole OUs when no account is excluded (no filter at all)', () => {
    const properties = stackSetOf(buildOrganizationApp({ organization: { excludedAccounts: [] } }));
    expect(properties.StackInstancesGroup).toEqual([
      {
        DeploymentTargets: { OrganizationalUnitIds: ORGANIZATION.memberOus },
        Regions: ORGANIZATION.memberRegions,
      },
    ]);
  });

  it('carries the synthesized member template, inline, byte for byte', () => {
    const artifact = testApp.members.template
      .synth()
      .getStackArtifact(testApp.members.template.stack.artifactId);
    expect(stackSet.TemplateBody).toBe(JSON.stringify(artifact.template));
    expect(artifact.assets).toEqual([]);
    expect(JSON.parse(stackSet.TemplateBody)).toEqual(
      Template.fromStack(testApp.members.template.stack).toJSON(),
    );
  });

  it("stays within a StackSet's 51,200-byte TemplateBody with the longest settings allowed", () => {
    const longest = buildOrganizationApp({
      organization: {
        organizationId: `o-${'a'.repeat(32)}`,
        // sts:ExternalId's maximum: 1,224 characters.
        externalId: 'x'.repeat(1224),
        memberRoleRegion: 'ap-southeast-4',
        memberRegions: ['ap-southeast-4'],
      },
      hubRegion: 'ap-northeast-3',
    });
    expect(EXTERNAL_ID_PATTERN.test('x'.repeat(1224))).toBe(true);
    const body = stackSetOf(longest).TemplateBody;
    expect(body).toContain('x'.repeat(1224));
    const bytes = Buffer.byteLength(body, 'utf8');
    expect(STACK_SET_TEMPLATE_BODY_LIMIT).toBe(51_200);
    expect(bytes).toBeLessThanOrEqual(STACK_SET_TEMPLATE_BODY_LIMIT);
  });

  it('is not written without OUs or regions', () => {
    expect(() => buildOrganizationApp({ organization: { memberOus: [] } })).toThrow(InvalidInputError);
  });
});

describe('the member template', () => {
  it('refuses assets: a StackSet takes one template and nothing else', () => {
    const { members } = buildOrganizationApp({ withHub: false });
    expect(
      () =>
        new s3assets.Asset(members.template.stack, 'Asset', {
          path: path.join(__dirname, 'member-stacks.test.ts'),
        }),
    ).toThrow(/Cannot add assets/);
  });
});

describe("the management account's stacks", () => {
  it('are one plain stack of the member template per member region, the roles in the role region only', () => {
    const { management, template } = testApp.members;
    expect(management.map((stack) => [stack.stackName, stack.region])).toEqual(
      ORGANIZATION.memberRegions.map((region) => [managementMemberStackName(region), region]),
    );
    const member = comparable(Template.fromStack(template.stack).toJSON(), template.stack.node.path);
    for (const stack of management) {
      expect(comparable(Template.fromStack(stack).toJSON(), stack.node.path)).toEqual(member);
    }
  });

  it('name no account: they deploy with the management account credentials, in their region', () => {
    for (const stack of testApp.members.management) {
      expect(Token.isUnresolved(stack.account)).toBe(true);
      expect(Token.isUnresolved(stack.region)).toBe(false);
    }
  });
});

describe('the settings the member side needs', () => {
  it('refuses a role region outside the member regions (no member would get the roles)', () => {
    expect(() => buildOrganizationApp({ organization: { memberRoleRegion: 'ap-south-1' } })).toThrow(
      /memberRoleRegion: ap-south-1 is not one of memberRegions/,
    );
  });

  it("takes the hub's region from the hub stack, else the home region, else refuses", () => {
    const fromHub = buildOrganizationApp({ hubRegion: 'us-west-2', homeRegion: null });
    expect(stackSetOf(fromHub).TemplateBody).toContain(':events:us-west-2:');
    const fromHome = buildOrganizationApp({ withHub: false, homeRegion: HUB_REGION });
    expect(JSON.stringify(Template.fromStack(fromHome.members.template.stack).toJSON())).toContain(
      `:events:${HUB_REGION}:`,
    );
    expect(() => buildOrganizationApp({ withHub: false, homeRegion: null })).toThrow(/hub's region/);
  });
});
