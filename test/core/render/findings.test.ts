/**
 * The words of every finding, made from its data: the message, the contract's kind, and the policy and
 * statement the reports show beside it. The scenario tests assert on the data; these own the wording.
 */
import type { NearMiss } from '../../../lambda/core/analysis/near-miss';
import type { DiagnosisFinding, Finding, MatchedStatement } from '../../../lambda/core/model';
import { FINDING_LABELS } from '../../../lambda/core/render/finding-labels';
import { quotaMessage, renderFinding } from '../../../lambda/core/render/findings';

const ROLE = 'arn:aws:iam::123456789012:role/etl-runtime';
const GLUE = 'glue.amazonaws.com';

function match(parts: Partial<MatchedStatement>): MatchedStatement {
  return {
    policyType: 'identity',
    policyName: 'RequireMFA',
    policyArn: null,
    attachedTo: 'group/Developers',
    effect: 'Deny',
    statement: 'DenyNoMfa',
    ...parts,
  };
}

const MISS: NearMiss = {
  located: {
    statement: {
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: 'arn:aws:iam::*:role/AWSGlueServiceRole*',
    },
    statementId: '1',
    policyName: 'AWSGlueConsoleFullAccess',
    policyArn: 'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess',
    attachedTo: 'group/GlueAccess',
    layer: 'identity',
  },
  resourceMismatch: true,
  serviceMismatch: false,
  otherConditionKeys: [],
};

/** One case per kind of finding: a new kind without its words fails to compile here. */
const CASES: { [K in DiagnosisFinding['kind']]: [Extract<DiagnosisFinding, { kind: K }>, Finding] } = {
  'deny-statement': [
    { kind: 'deny-statement', match: match({}) },
    {
      kind: 'explicit-deny',
      message: 'Explicit deny in policy RequireMFA (on group/Developers), statement DenyNoMfa.',
      policy: 'RequireMFA',
      statement: 'DenyNoMfa',
    },
  ],
  'scp-allows-nothing': [
    { kind: 'scp-allows-nothing' },
    {
      kind: 'scp',
      message:
        'No service control policy in force allows iam:PassRole on this role: an identity policy alone cannot fix it.',
      policy: null,
      statement: null,
    },
  ],
  'boundary-allows-nothing': [
    {
      kind: 'boundary-allows-nothing',
      boundary: { name: 'DevBoundary', arn: 'arn:aws:iam::1:policy/DevBoundary' },
    },
    {
      kind: 'boundary',
      message:
        'The permissions boundary DevBoundary does not allow iam:PassRole on this role: the boundary must allow it too.',
      policy: 'arn:aws:iam::1:policy/DevBoundary',
      statement: null,
    },
  ],
  root: [
    { kind: 'root' },
    {
      kind: 'root',
      message:
        'The root user is not limited by identity policies: only an SCP or RCP of the organization can deny it. Ask the organization admins.',
      policy: null,
      statement: null,
    },
  ],
  'cross-account': [
    {
      kind: 'cross-account',
      roleArn: 'arn:aws:iam::999988887777:role/shared',
      roleAccount: '999988887777',
      account: '123456789012',
    },
    {
      kind: 'cross-account',
      message:
        'The role arn:aws:iam::999988887777:role/shared is in account 999988887777, not 123456789012: AWS never allows passing a role of another account. Create the role in 123456789012.',
      policy: null,
      statement: null,
    },
  ],
  'service-linked-role': [
    { kind: 'service-linked-role', role: 'AWSServiceRoleForAutoScaling' },
    {
      kind: 'service-linked-role',
      message:
        "AWSServiceRoleForAutoScaling is a service-linked role: AWS defines its permissions and they cannot be edited. The service's own configuration (or the role it was given) must change.",
      policy: null,
      statement: null,
    },
  ],
  'account-note': [
    { kind: 'account-note', note: 'managed policy X is gone' },
    { kind: 'not-found', message: 'managed policy X is gone', policy: null, statement: null },
  ],
  'role-not-found': [
    { kind: 'role-not-found', roleArn: ROLE, account: '123456789012' },
    {
      kind: 'not-found',
      message: `The role ${ROLE} does not exist in account 123456789012: check the name, or create it.`,
      policy: null,
      statement: null,
    },
  ],
  'trust-policy': [
    { kind: 'trust-policy', role: 'etl-runtime', service: GLUE, trustedServices: [] },
    {
      kind: 'trust-policy',
      message:
        "The trust policy of etl-runtime does not let glue.amazonaws.com assume it (it trusts no service): PassRole alone will not fix this; add glue.amazonaws.com to the role's trust policy too.",
      policy: null,
      statement: null,
    },
  ],
  'trust-mismatch': [
    {
      kind: 'trust-mismatch',
      service: GLUE,
      trustedServices: ['lambda.amazonaws.com', 'ecs-tasks.amazonaws.com'],
    },
    {
      kind: 'service-mismatch',
      message:
        'The API implies iam:PassedToService glue.amazonaws.com, but the role trusts lambda.amazonaws.com, ecs-tasks.amazonaws.com: one of the two is not what was intended.',
      policy: null,
      statement: null,
    },
  ],
  'service-assumed': [
    { kind: 'service-assumed', service: GLUE },
    {
      kind: 'service-mismatch',
      message:
        'The record does not say which service receives the role; assuming glue.amazonaws.com, the only service its trust policy admits.',
      policy: null,
      statement: null,
    },
  ],
  'service-unknown': [
    { kind: 'service-unknown' },
    {
      kind: 'service-mismatch',
      message: 'The service that receives the role is unknown, so no minimal policy can be proposed.',
      policy: null,
      statement: null,
    },
  ],
  'already-allowed': [
    { kind: 'already-allowed', principal: 'mei', role: 'etl-runtime' },
    {
      kind: 'already-allowed',
      message:
        "mei can pass etl-runtime now: the permission was granted after the event, or the request's context differed.",
      policy: null,
      statement: null,
    },
  ],
  'context-allows': [
    { kind: 'context-allows', conditions: ['MFA present', 'source IP in 203.0.113.0/24'] },
    {
      kind: 'beneath-deny',
      message:
        'With MFA present, source IP in 203.0.113.0/24, the request is allowed: no policy change is needed; make the call with MFA present, source IP in 203.0.113.0/24.',
      policy: null,
      statement: null,
    },
  ],
  'context-deny-remains': [
    { kind: 'context-deny-remains', conditions: ['MFA present'] },
    {
      kind: 'beneath-deny',
      message: 'Even with MFA present, another explicit deny blocks the request; no Allow can override it.',
      policy: null,
      statement: null,
    },
  ],
  'context-no-allow': [
    { kind: 'context-no-allow', conditions: ['MFA present'], role: 'etl-runtime', service: GLUE },
    {
      kind: 'beneath-deny',
      message:
        'With MFA present, the request is still denied: no policy allows iam:PassRole on etl-runtime for glue.amazonaws.com (implicit deny).',
      policy: null,
      statement: null,
    },
  ],
  'near-miss': [
    { kind: 'near-miss', miss: MISS, roleArn: ROLE, service: GLUE },
    {
      kind: 'near-miss',
      message:
        'AWSGlueConsoleFullAccess (on group/GlueAccess) allows iam:PassRole only on arn:aws:iam::*:role/AWSGlueServiceRole*; etl-runtime does not match',
      policy: 'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess',
      statement: '1',
    },
  ],
  quota: [
    {
      kind: 'quota',
      policyName: 'AllowPass',
      target: { type: 'group', name: 'GlueAccess' },
      total: 5200,
      quota: 5120,
    },
    {
      kind: 'quota',
      message:
        "Adding AllowPass brings the inline policies of group GlueAccess to 5200 characters, over IAM's 5120: put the statement in a customer managed policy instead.",
      policy: null,
      statement: null,
    },
  ],
  'identity-center': [
    {
      kind: 'identity-center',
      principal: 'AWSReservedSSO_Data_0123',
      permissionSet: 'Data',
      account: '123456789012',
    },
    {
      kind: 'sso',
      message:
        'AWSReservedSSO_Data_0123 is managed by IAM Identity Center: do not edit the role. Add the statement to the inline policy of permission set Data (merge it with what is there), then re-provision the permission set to account 123456789012.',
      policy: null,
      statement: null,
    },
  ],
  'role-from-instance-profile': [
    { kind: 'role-from-instance-profile', profile: 'web-tier', roleArn: ROLE },
    {
      kind: 'instance-profile',
      message: `The record names no role, only instance profile web-tier: diagnosed for ${ROLE}, the role the profile holds now (it may have held another when the call was made).`,
      policy: null,
      statement: null,
    },
  ],
  'instance-profile-not-found': [
    { kind: 'instance-profile-not-found', profile: 'web-tier', account: '123456789012' },
    {
      kind: 'not-found',
      message:
        'There is no instance profile web-tier in account 123456789012 now (deleted since the event, or not in the account data read): the role that was passed cannot be told.',
      policy: null,
      statement: null,
    },
  ],
  'instance-profile-empty': [
    { kind: 'instance-profile-empty', profile: 'web-tier' },
    {
      kind: 'instance-profile',
      message:
        'The instance profile web-tier holds no role now: the role that was passed cannot be told. Put the intended role in it (aws iam add-role-to-instance-profile) before launching with it.',
      policy: null,
      statement: null,
    },
  ],
};

describe('finding words', () => {
  it.each(Object.entries(CASES))('%s', (_kind, [finding, shown]) => {
    expect(renderFinding(finding)).toEqual(shown);
  });

  it('a deny in an SCP or a boundary is named by its layer and kind, with the managed policy by ARN', () => {
    const arn = 'arn:aws:organizations::1:policy/o-1/service_control_policy/p-1';
    expect(
      renderFinding({
        kind: 'deny-statement',
        match: match({
          policyType: 'scp',
          policyName: 'NoPass',
          policyArn: arn,
          attachedTo: null,
          statement: null,
        }),
      }),
    ).toEqual({
      kind: 'scp',
      message: 'Explicit deny in service control policy NoPass.',
      policy: arn,
      statement: null,
    });
    expect(
      renderFinding({ kind: 'deny-statement', match: match({ policyType: 'boundary', policyName: 'Edge' }) }),
    ).toMatchObject({
      kind: 'boundary',
      message: 'Explicit deny in permissions boundary Edge (on group/Developers), statement DenyNoMfa.',
    });
  });

  it('a boundary the account data does not name: no double space, no policy', () => {
    expect(renderFinding({ kind: 'boundary-allows-nothing', boundary: null })).toMatchObject({
      message:
        'The permissions boundary does not allow iam:PassRole on this role: the boundary must allow it too.',
      policy: null,
    });
  });

  it('a trust policy that denies the service is said to deny it, not to trust it', () => {
    expect(
      renderFinding({
        kind: 'trust-policy',
        role: 'etl-runtime',
        service: GLUE,
        trustedServices: [GLUE],
        deniesService: true,
      }).message,
    ).toBe(
      "The trust policy of etl-runtime denies glue.amazonaws.com sts:AssumeRole: PassRole alone will not fix this; the trust policy's deny must not cover glue.amazonaws.com.",
    );
  });

  it('the quota sentence is the one the proposal keeps among its risks', () => {
    const [quota, shown] = CASES.quota;
    expect(quotaMessage(quota)).toBe(shown.message);
  });

  it('one label per contract kind, as the text report and the email show them', () => {
    expect(FINDING_LABELS).toMatchObject({
      sso: 'IAM Identity Center',
      boundary: 'permissions boundary',
      'near-miss': 'near miss',
    });
  });
});
