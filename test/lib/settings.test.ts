import { InvalidInputError } from '../../lambda/core/errors';
import { readSettings, type PassRoleDoctorSettings } from '../../lib/settings';
import { cdkJsonContext } from './support/cdk-app';

const SLACK = { slackWorkspaceId: 'T07EA123LEP', slackChannelId: 'C07EZ1ABC23' };
const TEAMS = {
  teamsId: '1a2b3c4d-1111-2222-3333-444455556666',
  teamsTenantId: '9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff',
  teamsChannelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
};

/** Settings from cdk.json's context plus `-c`-style overrides. */
function settingsWith(overrides: Record<string, unknown>, defaultRegion?: string): PassRoleDoctorSettings {
  const context: Record<string, unknown> = { ...cdkJsonContext(), ...overrides };
  return readSettings((key) => context[key], { defaultRegion });
}

/** The error's lines after the heading, one per bad value. */
function problems(overrides: Record<string, unknown>, defaultRegion?: string): string[] {
  try {
    settingsWith(overrides, defaultRegion);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    const [heading, ...lines] = (error as InvalidInputError).message.split('\n');
    expect(heading).toBe('invalid settings (cdk context):');
    return lines.map((line) => line.trim());
  }
  throw new Error('expected the settings to be rejected');
}

describe('readSettings', () => {
  it("takes cdk.json's defaults: no channels, 72 h proposals, 24 h reminders, no trail, concurrency 2, both approval modes", () => {
    expect(settingsWith({})).toEqual({
      notificationEmails: [],
      slack: null,
      teams: null,
      proposalTtlHours: 72,
      renotifyAfterHours: 24,
      forwardFromRegions: [],
      createTrail: false,
      retainAuditLogs: true,
      maxConcurrency: 2,
      homeRegion: null,
      approvalMode: 'both',
      approvers: [],
      allowAdminRoles: false,
      autoApprove: 'off',
      permissionSetPeopleLimit: 10,
      linkThrottle: { rateLimit: 5, burstLimit: 10 },
      iamThrottle: { rateLimit: 5, burstLimit: 10 },
      deployRoleArn: null,
      organization: null,
    });
  });

  describe('approval settings', () => {
    it('reads approvers as ARN patterns, allowAdminRoles and autoApprove', () => {
      expect(
        settingsWith({
          approvers:
            'arn:aws:iam::123456789012:role/SecurityApprover,arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Approver_*/*',
          allowAdminRoles: 'true',
          autoApprove: 'no-new-access',
        }),
      ).toMatchObject({
        approvers: [
          'arn:aws:iam::123456789012:role/SecurityApprover',
          'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Approver_*/*',
        ],
        allowAdminRoles: true,
        autoApprove: 'no-new-access',
      });
    });

    it('rejects an approver that is not an IAM principal ARN pattern, naming it', () => {
      expect(problems({ approvers: ['alice', 'arn:aws:s3:::bucket'] })).toEqual([
        expect.stringMatching(
          /^approvers: "alice" is not an IAM principal ARN pattern .*; "arn:aws:s3:::bucket" is not an IAM principal ARN pattern/,
        ),
      ]);
    });

    it('rejects an autoApprove that is not off or no-new-access, and a non-boolean allowAdminRoles', () => {
      expect(problems({ autoApprove: 'always', allowAdminRoles: 'yes' })).toEqual([
        'allowAdminRoles: must be true or false, got "yes"',
        'autoApprove: must be one of off, no-new-access, got "always"',
      ]);
    });
  });

  describe('permissionSetPeopleLimit', () => {
    it('reads a whole number of people, 0 meaning every permission set needs an IAM approver', () => {
      expect(settingsWith({ permissionSetPeopleLimit: '25' })).toMatchObject({
        permissionSetPeopleLimit: 25,
      });
      expect(settingsWith({ permissionSetPeopleLimit: 0 })).toMatchObject({ permissionSetPeopleLimit: 0 });
    });

    it('rejects one that is not a whole number from 0 to 1,000,000, in one line beside another bad value', () => {
      expect(problems({ permissionSetPeopleLimit: 'many', autoApprove: 'always' })).toEqual([
        'autoApprove: must be one of off, no-new-access, got "always"',
        'permissionSetPeopleLimit: must be an integer from 0 to 1000000, got "many"',
      ]);
      expect(problems({ permissionSetPeopleLimit: -1 })).toEqual([
        'permissionSetPeopleLimit: must be an integer from 0 to 1000000, got -1',
      ]);
    });
  });

  describe('route throttles', () => {
    it('reads the link and IAM routes throttles separately', () => {
      expect(
        settingsWith({
          linkThrottleRate: '2',
          linkThrottleBurst: '4',
          iamThrottleRate: 20,
          iamThrottleBurst: 40,
        }),
      ).toMatchObject({
        linkThrottle: { rateLimit: 2, burstLimit: 4 },
        iamThrottle: { rateLimit: 20, burstLimit: 40 },
      });
    });

    it('rejects a throttle outside API Gateway range, one line each', () => {
      expect(problems({ linkThrottleRate: 0, iamThrottleBurst: '5001' })).toEqual([
        'linkThrottleRate: must be an integer from 1 to 10000 (requests per second), got 0',
        'iamThrottleBurst: must be an integer from 1 to 5000 (requests), got "5001"',
      ]);
    });
  });

  describe('deployRoleArn', () => {
    it('takes one role ARN', () => {
      const arn = 'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-eu-west-1';
      expect(settingsWith({ deployRoleArn: arn }).deployRoleArn).toBe(arn);
    });

    it('rejects a pattern or a user', () => {
      expect(problems({ deployRoleArn: 'arn:aws:iam::123456789012:role/cdk-*' })[0]).toMatch(
        /^deployRoleArn: must be an IAM role ARN without wildcards/,
      );
      expect(problems({ deployRoleArn: 'arn:aws:iam::123456789012:user/deployer' })).toHaveLength(1);
    });
  });

  it('falls back to both approval modes when cdk.json has no approvalMode', () => {
    const context: Record<string, unknown> = { ...cdkJsonContext(), approvalMode: undefined };
    expect(readSettings((key) => context[key]).approvalMode).toBe('both');
  });

  it.each(['link', 'iam', 'both'] as const)('reads approvalMode %s', (approvalMode) => {
    expect(settingsWith({ approvalMode }).approvalMode).toBe(approvalMode);
  });

  it('rejects an approvalMode that is not link, iam or both, in one line', () => {
    expect(problems({ approvalMode: 'sso' })).toEqual([
      'approvalMode: must be one of link, iam, both, got "sso"',
    ]);
    expect(problems({ approvalMode: 'LINK' })).toEqual([
      'approvalMode: must be one of link, iam, both, got "LINK"',
    ]);
  });

  it('reads `-c` strings as numbers, booleans and lists', () => {
    const settings = settingsWith({
      proposalTtlHours: '48',
      renotifyAfterHours: '6',
      createTrail: 'true',
      maxConcurrency: '5',
      forwardFromRegions: 'us-east-1, eu-central-1',
      homeRegion: 'eu-west-1',
    });
    expect(settings).toMatchObject({
      proposalTtlHours: 48,
      renotifyAfterHours: 6,
      createTrail: true,
      maxConcurrency: 5,
      forwardFromRegions: ['us-east-1', 'eu-central-1'],
      homeRegion: 'eu-west-1',
    });
  });

  describe('notificationEmails', () => {
    it('accepts a comma-separated string, dropping blanks and duplicates', () => {
      expect(
        settingsWith({ notificationEmails: 'a@example.com, b@example.com,,a@example.com' })
          .notificationEmails,
      ).toEqual(['a@example.com', 'b@example.com']);
    });

    it('accepts a JSON list, as a value or as a string', () => {
      expect(settingsWith({ notificationEmails: ['a@example.com'] }).notificationEmails).toEqual([
        'a@example.com',
      ]);
      expect(
        settingsWith({ notificationEmails: '["a@example.com","b@example.com"]' }).notificationEmails,
      ).toEqual(['a@example.com', 'b@example.com']);
    });

    it('rejects an address that is not one, naming it', () => {
      expect(problems({ notificationEmails: 'a@example.com,ops-team' })).toEqual([
        'notificationEmails: "ops-team" is not an email address',
      ]);
    });

    it('rejects a JSON list that does not parse, and a list of non-strings', () => {
      expect(problems({ notificationEmails: '["a@example.com"' })[0]).toMatch(
        /^notificationEmails: looks like a JSON list but does not parse/,
      );
      expect(problems({ notificationEmails: [1, 2] })[0]).toMatch(
        /^notificationEmails: must be a list of strings/,
      );
    });
  });

  describe('Slack', () => {
    it('reads the workspace and channel ids as a pair', () => {
      expect(settingsWith(SLACK).slack).toEqual({ workspaceId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' });
    });

    it('rejects half a pair, naming the missing key', () => {
      expect(problems({ slackWorkspaceId: SLACK.slackWorkspaceId })).toEqual([
        'slackChannelId: is required when slackWorkspaceId is set',
      ]);
      expect(problems({ slackChannelId: SLACK.slackChannelId })).toEqual([
        'slackWorkspaceId: is required when slackChannelId is set',
      ]);
    });

    it('rejects a channel name where the id belongs', () => {
      expect(problems({ ...SLACK, slackChannelId: '#platform-alerts' })[0]).toMatch(
        /^slackChannelId: must be a Slack id \(e\.g\. T07EA123LEP\), got "#platform-alerts"$/,
      );
    });
  });

  describe('Microsoft Teams', () => {
    it('reads the team, tenant and channel ids together', () => {
      expect(settingsWith(TEAMS).teams).toEqual({
        teamId: TEAMS.teamsId,
        tenantId: TEAMS.teamsTenantId,
        channelId: TEAMS.teamsChannelId,
      });
    });

    it('rejects an incomplete set, naming each missing key', () => {
      expect(problems({ teamsId: TEAMS.teamsId })).toEqual([
        'teamsTenantId: is required when teamsId is set',
        'teamsChannelId: is required when teamsId is set',
      ]);
      expect(problems({ teamsId: TEAMS.teamsId, teamsChannelId: TEAMS.teamsChannelId })).toEqual([
        'teamsTenantId: is required when teamsId and teamsChannelId are set',
      ]);
    });

    it('rejects a team id that is not a UUID and a channel id that is not URL-encoded', () => {
      const lines = problems({
        ...TEAMS,
        teamsId: 'platform-team',
        teamsChannelId: '19:b6ef35dc342d56ba5654e6fc6d25a071@thread.tacv2',
      });
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^teamsId: must be the id as the Teams channel link writes it/);
      expect(lines[1]).toMatch(/^teamsChannelId: must be the id as the Teams channel link writes it/);
    });
  });

  it('rejects a proposal TTL that is not a whole number of hours from 1 to 8760', () => {
    expect(problems({ proposalTtlHours: 0 })).toEqual([
      'proposalTtlHours: must be an integer from 1 to 8760, got 0',
    ]);
    expect(problems({ proposalTtlHours: '1.5' })).toEqual([
      'proposalTtlHours: must be an integer from 1 to 8760, got "1.5"',
    ]);
  });

  it('rejects a reminder delay that is not a whole number of hours', () => {
    expect(problems({ renotifyAfterHours: 'daily' })).toEqual([
      'renotifyAfterHours: must be an integer from 1 to 8760, got "daily"',
    ]);
  });

  it("rejects a maxConcurrency below Lambda's SQS minimum of 2", () => {
    expect(problems({ maxConcurrency: 1 })).toEqual([
      "maxConcurrency: must be an integer from 2 to 1000 (Lambda's SQS maximum concurrency range), got 1",
    ]);
    expect(problems({ maxConcurrency: '1001' })).toHaveLength(1);
  });

  it('reads retainAuditLogs as a boolean (-c retainAuditLogs=false lets cdk destroy remove the audit logs)', () => {
    expect(settingsWith({ retainAuditLogs: 'false' }).retainAuditLogs).toBe(false);
    expect(settingsWith({ retainAuditLogs: false }).retainAuditLogs).toBe(false);
    expect(problems({ retainAuditLogs: 'keep' })).toEqual([
      'retainAuditLogs: must be true or false, got "keep"',
    ]);
  });

  it('rejects a createTrail that is not a boolean', () => {
    expect(problems({ createTrail: 'yes' })).toEqual(['createTrail: must be true or false, got "yes"']);
  });

  describe('forwardFromRegions', () => {
    it('takes the home region from the CLI default region unless homeRegion is set', () => {
      expect(settingsWith({ forwardFromRegions: ['us-east-1'] }, 'eu-west-1').homeRegion).toBe('eu-west-1');
      expect(
        settingsWith({ forwardFromRegions: ['us-east-1'], homeRegion: 'eu-north-1' }, 'eu-west-1').homeRegion,
      ).toBe('eu-north-1');
    });

    it('leaves the stack environment-agnostic when nothing is forwarded', () => {
      expect(settingsWith({}, 'eu-west-1').homeRegion).toBeNull();
    });

    it('rejects a name that is not a region', () => {
      expect(problems({ forwardFromRegions: 'us-east-1,Frankfurt' }, 'eu-west-1')).toEqual([
        'forwardFromRegions: "Frankfurt" is not a region name (e.g. eu-west-1)',
      ]);
    });

    it('rejects the home region itself', () => {
      expect(problems({ forwardFromRegions: ['eu-west-1'] }, 'eu-west-1')).toEqual([
        'forwardFromRegions: must not include the home region eu-west-1: its denials are already on its bus',
      ]);
    });

    it('needs a home region to forward to', () => {
      expect(problems({ forwardFromRegions: ['us-east-1'] })[0]).toMatch(
        /^forwardFromRegions: needs a home region/,
      );
    });
  });

  it('rejects a homeRegion that is not a region name', () => {
    expect(problems({ homeRegion: 'Ireland' })).toEqual([
      'homeRegion: must be a region name (e.g. eu-west-1), got "Ireland"',
    ]);
  });

  it('reports every bad value at once, one line each, and names the keys in `where`', () => {
    let caught: unknown;
    try {
      settingsWith({ maxConcurrency: 0, createTrail: 'maybe', slackWorkspaceId: 'T07EA123LEP' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    const error = caught as InvalidInputError;
    expect(error.message.split('\n')).toHaveLength(4);
    expect(error.where).toBe('cdk context slackChannelId, createTrail, maxConcurrency');
  });

  it('treats an empty `-c key=` as unset', () => {
    expect(settingsWith({ notificationEmails: '', maxConcurrency: '' })).toMatchObject({
      notificationEmails: [],
      maxConcurrency: 2,
    });
  });
});
