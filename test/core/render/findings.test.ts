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
  'permission-set': [
    {
      kind: 'permission-set',
      permissionSet: 'Data_Engineers',
      account: '123456789012',
      state: { kind: 'too-large', limit: 'iam-role-inline', size: 10300, max: 10240 },
    },
    {
      kind: 'sso',
      message:
        'With the statement merged, the inline policy of permission set Data_Engineers would be 10,300 characters without whitespace, over the 10,240 IAM allows on the role the set provisions: nothing is proposed automatically: change the set in Identity Center, e.g. move statements into a customer managed policy the set references.',
      policy: null,
      statement: null,
    },
  ],
  'deny-not-visible': [
    {
      kind: 'deny-not-visible',
      policyType: 'scp',
      policyArn: 'arn:aws:organizations::111122223333:policy/o-1/service_control_policy/p-1',
    },
    {
      kind: 'scp',
      message:
        "errorMessage names an explicit deny in a service control policy arn:aws:organizations::111122223333:policy/o-1/service_control_policy/p-1, which the policies read here do not reproduce: the denying policy is not visible here, and no change made here can be verified against it. To include it in the simulation, pass the SCP's document with --scp.",
      policy: 'arn:aws:organizations::111122223333:policy/o-1/service_control_policy/p-1',
      statement: null,
    },
  ],
  'session-policy': [
    {
      kind: 'session-policy',
      explicit: true,
      policyArn: 'arn:aws:iam::123456789012:policy/SessionLimits',
      principalType: 'role',
      entity: 'deployer',
    },
    {
      kind: 'session-policy',
      message:
        'An explicit deny in the session policy arn:aws:iam::123456789012:policy/SessionLimits denied the request. A session policy is set when the session is created and limits the session below the policies of the role deployer: no change to those can lift it, so none is proposed. It is passed to sts:AssumeRole (or AssumeRoleWithSAML, AssumeRoleWithWebIdentity) in the Policy or PolicyArns parameter: create the session with a session policy that allows this iam:PassRole, or without one.',
      policy: 'arn:aws:iam::123456789012:policy/SessionLimits',
      statement: null,
    },
  ],
  'aws-record-unavailable': [
    {
      kind: 'aws-record-unavailable',
      authorizationId: 'abc123',
      reason: 'access-denied',
      detail: 'User is not authorized',
    },
    {
      kind: 'aws-record-unavailable',
      message:
        "The message carries AWS's authorization ID abc123, but AWS's record of the request was not read: the reader is not allowed iam:GetRequestAuthorizationDetails (User is not authorized). The diagnosis rests on the simulation alone.",
      policy: null,
      statement: null,
    },
  ],
  'aws-record-mismatch': [
    {
      kind: 'aws-record-mismatch',
      authorizationId: 'abc123',
      mismatches: [{ field: 'principal', recorded: null, expected: 'arn:aws:iam::123456789012:user/mei' }],
    },
    {
      kind: 'aws-record-mismatch',
      message:
        "AWS's record under authorization ID abc123 is not of this request, so it is not used as evidence: it does not name its principal (aws:PrincipalArn), the denial's is arn:aws:iam::123456789012:user/mei.",
      policy: null,
      statement: null,
    },
  ],
  'aws-record': [
    {
      kind: 'aws-record',
      authorizationId: 'abc123',
      roleArn: ROLE,
      effect: 'explicit-deny',
      statement: {
        uri: 'arn:aws:organizations::1:policy/o-1/service_control_policy/p-1',
        policyType: 'scp',
        awsType: 'SERVICE_CONTROL_POLICY',
        inline: false,
        attachedTo: [],
        sid: 'DenyPass',
        effect: 'deny',
        location: { kind: 'not-visible' },
      },
    },
    {
      kind: 'aws-record',
      message:
        "AWS's record of this request (authorization ID abc123): AWS denied iam:PassRole on etl-runtime explicitly; the deny is statement DenyPass of service control policy arn:aws:organizations::1:policy/o-1/service_control_policy/p-1; that policy is not visible to this diagnosis.",
      policy: 'arn:aws:organizations::1:policy/o-1/service_control_policy/p-1',
      statement: 'DenyPass',
    },
  ],
  'aws-context': [
    {
      kind: 'aws-context',
      differences: [{ key: 'aws:SourceIp', aws: '203.0.113.7', reconstructed: '198.51.100.1' }],
      ignored: ['aws:MultiFactorAuthAge'],
    },
    {
      kind: 'aws-record',
      message:
        "The request context AWS recorded replaces the one reconstructed from the CloudTrail record where they differ, and the simulations run under it: aws:SourceIp 203.0.113.7 (the CloudTrail record gave 198.51.100.1). AWS's record gives values of aws:MultiFactorAuthAge that are not of the key's type: those are not taken over.",
      policy: null,
      statement: null,
    },
  ],
  'aws-evaluation': [
    {
      kind: 'aws-evaluation',
      disagreement: {
        kind: 'effect',
        aws: 'implicit-deny',
        simulated: 'explicitDeny',
        awsDenies: [],
        simulatedDenies: [match({ policyName: 'NoPass', attachedTo: 'user/mei', statement: 'Never' })],
      },
    },
    {
      kind: 'aws-evaluation',
      message:
        "AWS denied it implicitly (no policy allowed it) when the request was made; the simulation of the account as read now denies it explicitly (NoPass (on user/mei), statement Never): a deny was added since the event, or its conditions read the context otherwise than AWS's.",
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

  it('a cross-account pass only the message tells: said so, with or without the role the record names', () => {
    expect(
      renderFinding({ kind: 'cross-account', roleArn: null, roleAccount: null, account: '123456789012' }),
    ).toMatchObject({
      kind: 'cross-account',
      message:
        "errorMessage says 'Cross-account pass role is not allowed': the role passed is of another account than 123456789012, and the record does not name it. AWS never allows passing a role of another account: pass a role of 123456789012 (create it there if need be).",
    });
    expect(
      renderFinding({
        kind: 'cross-account',
        roleArn: 'arn:aws:iam::123456789012:role/x',
        roleAccount: null,
        account: '123456789012',
      }).message,
    ).toContain(
      'another account than 123456789012, though the record names arn:aws:iam::123456789012:role/x.',
    );
  });

  it('a deny not visible here of a boundary, an RCP or an unsaid type: its kind, no --scp hint', () => {
    const of = (policyType: 'boundary' | 'rcp' | null) =>
      renderFinding({ kind: 'deny-not-visible', policyType, policyArn: null });
    expect(of('boundary')).toMatchObject({ kind: 'boundary', policy: null });
    expect(of('rcp')).toMatchObject({ kind: 'explicit-deny' });
    expect(of('rcp').message).toMatch(
      /^errorMessage names an explicit deny in a resource control policy, which/,
    );
    expect(of(null).message).toMatch(/^errorMessage names an explicit deny, which the policies read here/);
    expect(of('boundary').message).not.toContain('--scp');
  });

  it("a federated user's session policy that allows nothing: GetFederationToken, the IAM user named", () => {
    expect(
      renderFinding({
        kind: 'session-policy',
        explicit: false,
        policyArn: null,
        principalType: 'federated',
        entity: 'mei',
      }).message,
    ).toBe(
      'The session policy does not allow the request. A session policy is set when the session is created and limits the session below the policies of the IAM user mei: no change to those can lift it, so none is proposed. It is passed to sts:GetFederationToken in the Policy or PolicyArns parameter: create the session with a session policy that allows this iam:PassRole, or without one.',
    );
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
