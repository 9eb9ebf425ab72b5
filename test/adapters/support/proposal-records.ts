/** A realistic proposal record (the seed scenario's), for the proposal store adapters' tests. */
import type { IncidentRecord } from '../../../lambda/core/incident';
import type { Denial, DiagnosisOf, Proposal } from '../../../lambda/core/model';

export const SEED_DENIAL: Denial = {
  eventId: 'evt-1',
  eventTime: '2026-06-17T02:04:37Z',
  account: '123456789012',
  region: 'ap-northeast-1',
  eventSource: 'glue.amazonaws.com',
  eventName: 'UpdateJob',
  deniedAction: 'glue:UpdateJob',
  principalArn: 'arn:aws:iam::123456789012:user/mei.tanaka',
  principalType: 'user',
  policySourceArn: 'arn:aws:iam::123456789012:user/mei.tanaka',
  permissionSetName: null,
  roleArn: 'arn:aws:iam::123456789012:role/etl-nightly-runtime',
  instanceProfile: null,
  authorizationId: null,
  authorizationRegion: null,
  passedToService: 'glue.amazonaws.com',
  messageCause: { policyType: 'identity', explicit: true, policyArn: null },
  context: { 'aws:MultiFactorAuthPresent': 'false', 'aws:SourceIp': '198.51.100.24' },
  notes: [],
};

export const SEED_PROPOSAL: Proposal = {
  target: {
    type: 'group',
    name: 'GlueAccess',
    arn: 'arn:aws:iam::123456789012:group/GlueAccess',
    memberCount: 2,
  },
  policyName: 'AllowPassEtlNightlyRuntimeToGlue',
  document: {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowPassEtlNightlyRuntimeToGlue',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: 'arn:aws:iam::123456789012:role/etl-nightly-runtime',
        Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
      },
    ],
  },
  verified: true,
  blockers: [],
  verificationContext: { 'aws:MultiFactorAuthPresent': 'true' },
  risk: ['All 2 members of group GlueAccess gain this permission.'],
  commands: { apply: 'aws iam put-group-policy ...', verify: 'aws iam simulate-principal-policy ...' },
};

/** A diagnosis as the previous release stored it (flat, its words written then): the `recorded` outcome. */
export const SEED_DIAGNOSIS: DiagnosisOf<'recorded'> = {
  outcome: 'recorded',
  denial: SEED_DENIAL,
  verdict: 'explicitDeny',
  summary: 'mei.tanaka may not pass etl-nightly-runtime to glue.amazonaws.com.',
  findings: [{ kind: 'near-miss', message: 'AWSGlueConsoleFullAccess ...', policy: null, statement: '8' }],
  proposal: SEED_PROPOSAL,
  reason: null,
};

export function proposalRecord(overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  const proposal = overrides.proposal === undefined ? SEED_PROPOSAL : overrides.proposal;
  return {
    id: 'p-1',
    incidentKey: '504cb7416fee7f7774d607601f1b61f3',
    status: 'pending',
    denial: SEED_DENIAL,
    diagnosis: { ...SEED_DIAGNOSIS, proposal },
    proposal,
    documentHash: proposal ? 'faa75265c0013eee11becfb2bcd8ce13d88ee8f462aea68d4028b61295983859' : null,
    createdAt: '2026-06-17T02:05:00.000Z',
    expiresAt: '2026-06-20T02:05:00.000Z',
    occurrenceCount: 1,
    firstEventId: 'evt-1',
    lastEventId: 'evt-1',
    lastSeenAt: '2026-06-17T02:05:00.000Z',
    notifiedAt: null,
    notificationCount: 0,
    notificationLeaseUntil: null,
    history: [],
    outcome: null,
    applyLeaseUntil: null,
    applyAttempts: 0,
    resultMessageAt: null,
    resultEventAt: null,
    ...overrides,
  };
}
