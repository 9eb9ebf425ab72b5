/** Identity Center's context keys in organization mode: defaults, and one line per bad value. */
import { InvalidInputError } from '../../../lambda/core/errors';
import { readSettings, type PassRoleDoctorSettings } from '../../../lib/settings';
import { cdkJsonContext } from '../support/cdk-app';
import { ORGANIZATION_CONTEXT } from '../support/organization-context';

const MANAGEMENT = '999988887777';
const DELEGATED = '123412341234';
const INSTANCE = 'arn:aws:sso:::instance/ssoins-1234567890abcdef';

function settingsWith(overrides: Record<string, unknown>): PassRoleDoctorSettings {
  const context: Record<string, unknown> = { ...cdkJsonContext(), ...overrides };
  return readSettings((key) => context[key], { defaultRegion: 'eu-west-1' });
}

function problems(overrides: Record<string, unknown>): string[] {
  try {
    settingsWith(overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).message
      .split('\n')
      .slice(1)
      .map((line) => line.trim());
  }
  throw new Error('expected the settings to be rejected');
}

describe('Identity Center settings', () => {
  it('is off without identityCenterRegion (permission sets stay advice only)', () => {
    expect(settingsWith(ORGANIZATION_CONTEXT).organization?.identityCenter).toBeNull();
  });

  it('defaults the administering account to managementAccountId', () => {
    const organization = settingsWith({
      ...ORGANIZATION_CONTEXT,
      identityCenterRegion: 'us-east-1',
      managementAccountId: MANAGEMENT,
    }).organization;
    expect(organization?.identityCenter).toEqual({
      region: 'us-east-1',
      accountId: MANAGEMENT,
      managementAccountId: MANAGEMENT,
      instanceArn: null,
    });
  });

  it('takes a delegated administrator and the instance ARN when given', () => {
    const organization = settingsWith({
      ...ORGANIZATION_CONTEXT,
      identityCenterRegion: 'eu-central-1',
      identityCenterAccountId: DELEGATED,
      managementAccountId: MANAGEMENT,
      identityCenterInstanceArn: INSTANCE,
    }).organization;
    expect(organization?.identityCenter).toEqual({
      region: 'eu-central-1',
      accountId: DELEGATED,
      managementAccountId: MANAGEMENT,
      instanceArn: INSTANCE,
    });
  });

  it('needs the administering account with the region', () => {
    expect(problems({ ...ORGANIZATION_CONTEXT, identityCenterRegion: 'us-east-1' })).toEqual([
      'identityCenterAccountId: is required with identityCenterRegion: the account that administers Identity Center (set managementAccountId instead when that is the management account)',
    ]);
  });

  it('reports each bad value on its own line', () => {
    expect(
      problems({
        ...ORGANIZATION_CONTEXT,
        identityCenterRegion: 'mars-1',
        identityCenterAccountId: '1234',
        managementAccountId: 'management',
        identityCenterInstanceArn: 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1',
      }),
    ).toEqual([
      'identityCenterRegion: must be a region name (e.g. eu-west-1), got "mars-1"',
      'identityCenterAccountId: must be a 12-digit account id, got "1234"',
      'managementAccountId: must be a 12-digit account id, got "management"',
      'identityCenterInstanceArn: must be an Identity Center instance ARN (arn:aws:sso:::instance/ssoins-...), got "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1"',
    ]);
  });

  it('refuses the other keys without identityCenterRegion', () => {
    expect(
      problems({
        ...ORGANIZATION_CONTEXT,
        identityCenterAccountId: DELEGATED,
        identityCenterInstanceArn: INSTANCE,
      }),
    ).toEqual([
      "identityCenterAccountId: is an Identity Center setting: set identityCenterRegion (the instance's region) too",
      "identityCenterInstanceArn: is an Identity Center setting: set identityCenterRegion (the instance's region) too",
    ]);
  });

  it('refuses them without organizationId (single-account mode keeps the advice)', () => {
    expect(problems({ identityCenterRegion: 'us-east-1', managementAccountId: MANAGEMENT })).toEqual(
      expect.arrayContaining([
        'identityCenterRegion: is an organization mode setting: set organizationId too',
        'managementAccountId: is an organization mode setting: set organizationId too',
      ]),
    );
  });
});
