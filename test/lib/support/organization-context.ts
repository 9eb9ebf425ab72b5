/** Organization mode's context keys as `-c` would give them: a hub, two member OUs, one OU channel. */
export const ORGANIZATION_ID = 'o-a1b2c3d4e5';
export const HUB_ACCOUNT = '111122223333';
export const TEAM_OU = 'ou-ab12-cdef3456';

export const ORGANIZATION_CONTEXT = {
  organizationId: ORGANIZATION_ID,
  memberOus: `${TEAM_OU},ou-ab12-99990000`,
  memberRegions: 'eu-west-1,us-east-1',
  hubAccountId: HUB_ACCOUNT,
  externalId: 'passrole-doctor-7f3a9c',
  excludedAccounts: '444455556666',
  sensitiveAccounts: '777788889999',
  channelsByOu: JSON.stringify({
    [TEAM_OU]: {
      notificationEmails: 'team-a@example.com',
      slackWorkspaceId: 'T07EA123LEP',
      slackChannelId: 'C0TEAMA01',
    },
  }),
  approvers: `arn:aws:iam::${HUB_ACCOUNT}:role/SecurityApprover`,
} as const;
