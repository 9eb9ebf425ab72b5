/**
 * The first sentence and the not-applicable reason of every outcome, made from its data, and the
 * verdict each outcome derives. The scenario tests assert on the outcomes; these own the words.
 */
import type { NearMiss } from '../../../lambda/core/analysis/near-miss';
import { verdictOf } from '../../../lambda/core/diagnosis/derived';
import type { Diagnosis, Proposal, Verdict } from '../../../lambda/core/model';
import { renderReason, renderSummary } from '../../../lambda/core/render/diagnosis-summary';
import { denialOf } from '../../support/denials';

const denial = denialOf();
const SESSION = 'arn:aws:sts::123456789012:assumed-role/deployer/build-42';
const PROPOSAL = {} as Proposal;
const MISS: NearMiss = {
  located: {
    statement: {
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: 'arn:aws:iam::*:role/AWSGlueServiceRole*',
    },
    statementId: '1',
    policyName: 'AWSGlueConsoleFullAccess',
    policyArn: null,
    attachedTo: 'group/GlueAccess',
    layer: 'identity',
  },
  resourceMismatch: true,
  serviceMismatch: false,
  otherConditionKeys: [],
};

const CASES: [string, Diagnosis, Verdict, string, string | null][] = [
  [
    'not applicable: no role named',
    { outcome: 'not-applicable', denial, why: { code: 'role-not-named' } },
    'not-applicable',
    'The record does not say which role was passed (neither the message nor the request parameters name it).',
    'The record does not say which role was passed (neither the message nor the request parameters name it).',
  ],
  [
    'not applicable: the caller cannot be told',
    {
      outcome: 'not-applicable',
      denial,
      why: { code: 'principal-unknown', principalArn: 'arn:aws:sts::1:x' },
    },
    'not-applicable',
    'Cannot tell which IAM entity made the call (arn:aws:sts::1:x).',
    'Cannot tell which IAM entity made the call (arn:aws:sts::1:x).',
  ],
  [
    'not applicable: not a PassRole denial',
    {
      outcome: 'not-applicable',
      denial: null,
      why: {
        code: 'not-a-passrole-denial',
        where: 'event.json#2',
        reason: 'not a denial',
        readerCode: 'not-an-error',
      },
    },
    'not-applicable',
    'event.json#2: not an iam:PassRole denial (not a denial)',
    'not a denial',
  ],
  [
    'root',
    {
      outcome: 'unsimulated',
      denial: { ...denial, messageCause: { policyType: 'scp', explicit: true, policyArn: null } },
      why: { kind: 'root' },
      findings: [],
    },
    'explicitDeny',
    'The root user was denied iam:PassRole on etl-runtime: an organization policy blocks it.',
    null,
  ],
  [
    'another account',
    {
      outcome: 'unsimulated',
      denial,
      why: { kind: 'cross-account', roleAccount: '999988887777' },
      findings: [],
    },
    'implicitDeny',
    'mei tried to pass a role of another account (999988887777), which AWS never allows.',
    null,
  ],
  [
    'a service-linked role',
    { outcome: 'unsimulated', denial, why: { kind: 'service-linked-role' }, findings: [] },
    'implicitDeny',
    'A service-linked role was denied iam:PassRole on etl-runtime; its permissions cannot be edited.',
    null,
  ],
  [
    'an instance profile that is gone',
    {
      outcome: 'unsimulated',
      denial: { ...denial, roleArn: null, instanceProfile: 'web-tier' },
      why: { kind: 'instance-profile-unresolved', profile: 'web-tier', state: 'not-found' },
      findings: [],
    },
    'implicitDeny',
    'mei was denied iam:PassRole on the role in instance profile web-tier, which does not exist in account 123456789012 now: the role that was passed cannot be told.',
    null,
  ],
  [
    'an instance profile that holds no role',
    {
      outcome: 'unsimulated',
      denial: { ...denial, roleArn: null, instanceProfile: 'web-tier' },
      why: { kind: 'instance-profile-unresolved', profile: 'web-tier', state: 'empty' },
      findings: [],
    },
    'implicitDeny',
    'mei was denied iam:PassRole on the role in instance profile web-tier, which holds no role now: the role that was passed cannot be told.',
    null,
  ],
  [
    'a role session: the role, then the session',
    { outcome: 'already-allowed', denial: { ...denial, principalArn: SESSION }, findings: [] },
    'allowed',
    'deployer (session build-42) is allowed to pass etl-runtime now; nothing to fix.',
    null,
  ],
  [
    'another account, from a role session',
    {
      outcome: 'unsimulated',
      denial: { ...denial, principalArn: SESSION },
      why: { kind: 'cross-account', roleAccount: '999988887777' },
      findings: [],
    },
    'implicitDeny',
    'deployer (session build-42) tried to pass a role of another account (999988887777), which AWS never allows.',
    null,
  ],
  [
    'already allowed',
    { outcome: 'already-allowed', denial, findings: [] },
    'allowed',
    'mei is allowed to pass etl-runtime now; nothing to fix.',
    null,
  ],
  [
    'an explicit deny',
    { outcome: 'explicit-deny', denial, findings: [], beneathContext: false },
    'explicitDeny',
    "mei was denied iam:PassRole on etl-runtime by an explicit deny that no Allow can override; the deny's owner must narrow it.",
    null,
  ],
  [
    'explicit denies beneath the context',
    { outcome: 'explicit-deny', denial, findings: [], beneathContext: true },
    'explicitDeny',
    'mei was denied iam:PassRole on etl-runtime by explicit denies that no Allow can override.',
    null,
  ],
  [
    'context only',
    { outcome: 'context-only', denial, findings: [], conditions: ['MFA present'] },
    'explicitDeny',
    "mei was denied iam:PassRole on etl-runtime only because of the request's context: retry with MFA present.",
    null,
  ],
  [
    'service unknown',
    { outcome: 'service-unknown', denial, findings: [], decision: 'implicitDeny' },
    'implicitDeny',
    'mei was denied iam:PassRole on etl-runtime; the receiving service is unknown.',
    null,
  ],
  [
    'proposed, no Allow',
    {
      outcome: 'proposed',
      denial,
      findings: [],
      decision: 'implicitDeny',
      service: 'glue.amazonaws.com',
      cause: { kind: 'no-allow' },
      proposal: PROPOSAL,
    },
    'implicitDeny',
    'mei may not pass etl-runtime to glue.amazonaws.com: no policy allows it.',
    null,
  ],
  [
    'proposed, beneath a deny the context lifts, with the near miss',
    {
      outcome: 'proposed',
      denial,
      findings: [
        { kind: 'near-miss', miss: MISS, roleArn: denial.roleArn ?? '', service: 'glue.amazonaws.com' },
      ],
      decision: 'explicitDeny',
      service: 'glue.amazonaws.com',
      cause: {
        kind: 'deny-without-context',
        denies: [
          {
            policyType: 'identity',
            policyName: 'RequireMFA',
            policyArn: null,
            attachedTo: 'group/Developers',
            effect: 'Deny',
            statement: 'DenyNoMfa',
          },
        ],
        conditions: ['MFA present'],
      },
      proposal: PROPOSAL,
    },
    'explicitDeny',
    'mei may not pass etl-runtime to glue.amazonaws.com: RequireMFA (on group/Developers), statement DenyNoMfa denies it without MFA present, and even with it no policy allows it — AWSGlueConsoleFullAccess (on group/GlueAccess) allows iam:PassRole only on arn:aws:iam::*:role/AWSGlueServiceRole*; etl-runtime does not match.',
    null,
  ],
  [
    "another account, told only by 'Cross-account pass role is not allowed'",
    {
      outcome: 'unsimulated',
      denial: { ...denial, roleArn: null },
      why: { kind: 'cross-account', roleAccount: null },
      findings: [],
    },
    'implicitDeny',
    "mei tried to pass a role of another account, which AWS never allows (errorMessage: 'Cross-account pass role is not allowed').",
    null,
  ],
  [
    'a session policy',
    {
      outcome: 'unsimulated',
      denial: { ...denial, messageCause: { policyType: 'session', explicit: true, policyArn: null } },
      why: { kind: 'session-policy' },
      findings: [],
    },
    'explicitDeny',
    'mei was denied iam:PassRole on etl-runtime by its session policy, set when the session was created: no change to identity-based policies can lift it.',
    null,
  ],
  [
    'allowed by the policies read here, the message naming a deny not visible here',
    {
      outcome: 'already-allowed',
      denial,
      findings: [{ kind: 'deny-not-visible', policyType: 'rcp', policyArn: null }],
    },
    'explicitDeny',
    'The policies read here allow mei to pass etl-runtime now, but errorMessage names an explicit deny in a resource control policy that they do not include.',
    null,
  ],
  [
    'context only by the policies read here, the message naming a deny not visible here',
    {
      outcome: 'context-only',
      denial,
      findings: [{ kind: 'deny-not-visible', policyType: null, policyArn: null }],
      conditions: ['MFA present'],
    },
    'explicitDeny',
    'mei was denied iam:PassRole on etl-runtime; with MFA present the policies read here allow it, but errorMessage names an explicit deny that they do not include.',
    null,
  ],
  [
    'proposed, the message naming a deny not visible here',
    {
      outcome: 'proposed',
      denial,
      findings: [],
      decision: 'explicitDeny',
      service: 'glue.amazonaws.com',
      cause: {
        kind: 'deny-not-visible',
        policyType: 'scp',
        policyArn: 'arn:aws:organizations::1:policy/o-1/service_control_policy/p-1',
      },
      proposal: PROPOSAL,
    },
    'explicitDeny',
    'mei may not pass etl-runtime to glue.amazonaws.com: an explicit deny in a service control policy arn:aws:organizations::1:policy/o-1/service_control_policy/p-1 denies it (the denying policy is not visible here), and no policy read here allows it.',
    null,
  ],
  [
    'recorded by the previous release: its words as written',
    {
      outcome: 'recorded',
      denial: null,
      verdict: 'not-applicable',
      summary: 'as written then',
      findings: [],
      proposal: null,
      reason: 'because',
    },
    'not-applicable',
    'as written then',
    'because',
  ],
];

describe('the summary, reason and verdict of each outcome', () => {
  it.each(CASES)('%s', (_name, diagnosis, verdict, summary, reason) => {
    expect(verdictOf(diagnosis)).toBe(verdict);
    expect(renderSummary(diagnosis)).toBe(summary);
    expect(renderReason(diagnosis)).toBe(reason);
  });

  it('every outcome has a case', () => {
    const outcomes = new Set(CASES.map(([, diagnosis]) => diagnosis.outcome));
    expect([...outcomes].sort()).toEqual([
      'already-allowed',
      'context-only',
      'explicit-deny',
      'not-applicable',
      'proposed',
      'recorded',
      'service-unknown',
      'unsimulated',
    ]);
  });
});
