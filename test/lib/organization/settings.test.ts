/** readSettings in organization mode: the context keys, their defaults, one line per bad value. */
import { InvalidInputError } from '../../../lambda/core/errors';
import { readSettings, type PassRoleDoctorSettings } from '../../../lib/settings';
import { cdkJsonContext } from '../support/cdk-app';
import { HUB_ACCOUNT, ORGANIZATION_CONTEXT, ORGANIZATION_ID, TEAM_OU } from '../support/organization-context';

const MINIMAL = {
  organizationId: ORGANIZATION_ID,
  memberOus: 'ou-ab12-cdef3456',
  memberRegions: 'eu-west-1,us-east-1',
  externalId: 'passrole-doctor-7f3a9c',
} as const;

function settingsWith(
  overrides: Record<string, unknown>,
  environment: { defaultRegion?: string; defaultAccount?: string } = { defaultRegion: 'eu-west-1' },
): PassRoleDoctorSettings {
  const context: Record<string, unknown> = { ...cdkJsonContext(), ...overrides };
  return readSettings((key) => context[key], environment);
}

function problems(
  overrides: Record<string, unknown>,
  environment?: { defaultRegion?: string; defaultAccount?: string },
): string[] {
  try {
    settingsWith(overrides, environment);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    const [heading, ...lines] = (error as InvalidInputError).message.split('\n');
    expect(heading).toBe('invalid settings (cdk context):');
    return lines.map((line) => line.trim());
  }
  throw new Error('expected the settings to be rejected');
}

describe('organization mode settings', () => {
  it('is off without organizationId (single-account mode, as before)', () => {
    expect(settingsWith({}).organization).toBeNull();
  });

  it('reads every key, as -c strings', () => {
    const settings = settingsWith(ORGANIZATION_CONTEXT);
    expect(settings.organization).toEqual({
      organizationId: ORGANIZATION_ID,
      memberOus: [TEAM_OU, 'ou-ab12-99990000'],
      memberRegions: ['eu-west-1', 'us-east-1'],
      memberRoleRegion: 'eu-west-1',
      hubAccountId: HUB_ACCOUNT,
      externalId: 'passrole-doctor-7f3a9c',
      excludedAccounts: ['444455556666'],
      sensitiveAccounts: ['777788889999'],
      channelsByOu: {
        [TEAM_OU]: {
          notificationEmails: ['team-a@example.com'],
          slack: { workspaceId: 'T07EA123LEP', channelId: 'C0TEAMA01' },
          teams: null,
        },
      },
      identityCenter: null,
    });
    // The hub's region is the member rules' target: set even without forwarders.
    expect(settings.homeRegion).toBe('eu-west-1');
  });

  it('reads cdk.json-style JSON values, the root as a member OU and a chosen role region', () => {
    const settings = settingsWith({
      ...MINIMAL,
      memberOus: ['r-ab12'],
      memberRegions: ['eu-west-1', 'us-east-1'],
      memberRoleRegion: 'us-east-1',
      hubAccountId: HUB_ACCOUNT,
      channelsByOu: {
        'ou-ab12-cdef3456': {
          teamsId: '1a2b3c4d-1111-2222-3333-444455556666',
          teamsTenantId: '9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff',
          teamsChannelId: '19%3aabc%40thread.tacv2',
        },
      },
    });
    expect(settings.organization).toMatchObject({
      memberOus: ['r-ab12'],
      memberRoleRegion: 'us-east-1',
      excludedAccounts: [],
      sensitiveAccounts: [],
      channelsByOu: {
        'ou-ab12-cdef3456': {
          notificationEmails: [],
          slack: null,
          teams: {
            teamId: '1a2b3c4d-1111-2222-3333-444455556666',
            tenantId: '9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff',
            channelId: '19%3aabc%40thread.tacv2',
          },
        },
      },
    });
  });

  it("takes the hub account from the deploy environment's account when hubAccountId is not given", () => {
    expect(
      settingsWith(MINIMAL, { defaultRegion: 'eu-west-1', defaultAccount: HUB_ACCOUNT }).organization
        ?.hubAccountId,
    ).toBe(HUB_ACCOUNT);
  });

  it('names what organization mode requires, one line each', () => {
    expect(problems({ organizationId: ORGANIZATION_ID }, {})).toEqual([
      'memberOus: is required in organization mode (e.g. ou-ab12-cdef3456,ou-ab12-7890abcd)',
      'memberRegions: is required in organization mode (e.g. eu-west-1,us-east-1)',
      "hubAccountId: is required in organization mode: set -c hubAccountId=<the hub account's id> or synthesize with its credentials",
      'externalId: is required in organization mode: the member roles require it of the hub (e.g. a random UUID)',
      "homeRegion: is required in organization mode (the member rules send to the hub's bus in that region): set -c homeRegion=<region> or a default region",
    ]);
  });

  it('reports each bad value on its own line', () => {
    expect(
      problems({
        organizationId: 'o-BAD',
        memberOus: 'ou-ab12-cdef3456,engineering',
        memberRegions: 'eu-west-1,Europe',
        memberRoleRegion: 'us-west-2',
        hubAccountId: '1234',
        externalId: 'x',
        excludedAccounts: '12345678901',
        sensitiveAccounts: 'prod',
      }),
    ).toEqual([
      'organizationId: must be an organization id (o- and 10 to 32 lowercase letters or digits), got "o-BAD"',
      'memberOus: "engineering" is not an OU id (ou-…) or the root id (r-…)',
      'memberRegions: "Europe" is not a region name (e.g. eu-west-1)',
      'hubAccountId: must be a 12-digit account id, got "1234"',
      'externalId: must be an sts:ExternalId: 2 to 1224 of letters, digits and _+=,.@:/-, got "x"',
      'excludedAccounts: "12345678901" is not a 12-digit account id',
      'sensitiveAccounts: "prod" is not a 12-digit account id',
    ]);
  });

  it('refuses a role region where no member gets the rule (the roles would never be created)', () => {
    expect(problems({ ...MINIMAL, hubAccountId: HUB_ACCOUNT, memberRoleRegion: 'us-west-2' })).toEqual([
      'memberRoleRegion: must be one of memberRegions (eu-west-1, us-east-1): the member roles are created only there, got "us-west-2"',
    ]);
  });

  it('refuses organization keys without organizationId rather than deploying a single-account stack', () => {
    expect(problems({ memberOus: 'ou-ab12-cdef3456', externalId: 'abc' })).toEqual([
      'memberOus: is an organization mode setting: set organizationId too',
      'externalId: is an organization mode setting: set organizationId too',
    ]);
  });

  it('refuses forwarders (the member rules forward every region) and approvers outside the hub account', () => {
    expect(
      problems({
        ...MINIMAL,
        hubAccountId: HUB_ACCOUNT,
        forwardFromRegions: 'us-east-1',
        approvers: `arn:aws:iam::${HUB_ACCOUNT}:role/Ok,arn:aws:iam::222233334444:role/Approver,arn:aws:sts::*:assumed-role/AWSReservedSSO_Approver_*/*`,
      }),
    ).toEqual([
      `approvers: must be principals of the hub account ${HUB_ACCOUNT} in organization mode (no wildcard account): "arn:aws:iam::222233334444:role/Approver", "arn:aws:sts::*:assumed-role/AWSReservedSSO_Approver_*/*"`,
      "forwardFromRegions: does not apply in organization mode: memberRegions' rules send every region's denials to the hub's bus",
    ]);
  });

  it('reads channelsByOu entry by entry, naming the OU and key of each problem', () => {
    expect(
      problems({
        ...MINIMAL,
        hubAccountId: HUB_ACCOUNT,
        channelsByOu: JSON.stringify({
          'ou-ab12-cdef3456': { notificationEmails: 'not-an-email', slackWorkspaceId: 'T07EA123LEP' },
          'ou-ab12-99990000': {},
          engineering: { notificationEmails: 'a@example.com' },
          'ou-ab12-77778888': { email: 'a@example.com' },
          'r-ab12': 'a@example.com',
        }),
      }),
    ).toEqual([
      'channelsByOu.ou-ab12-cdef3456.notificationEmails: "not-an-email" is not an email address',
      'channelsByOu.ou-ab12-cdef3456.slackChannelId: is required when slackWorkspaceId is set',
      'channelsByOu.ou-ab12-99990000: names no channel: give notificationEmails, the Slack ids or the Teams ids',
      'channelsByOu.engineering: is not an OU id (ou-…) or the root id (r-…)',
      'channelsByOu.ou-ab12-77778888.email: is not a channel setting (notificationEmails, slackWorkspaceId, slackChannelId, teamsId, teamsTenantId, teamsChannelId)',
      'channelsByOu.r-ab12: must be an object of notificationEmails, slackWorkspaceId, slackChannelId, teamsId, teamsTenantId, teamsChannelId, got "a@example.com"',
    ]);
    expect(problems({ ...MINIMAL, hubAccountId: HUB_ACCOUNT, channelsByOu: '{not json' })).toEqual([
      'channelsByOu: must be a JSON object (OU id -> channel), does not parse: "{not json"',
    ]);
  });
});
