import { createHash } from 'node:crypto';
import {
  canonicalJson,
  documentHash,
  epochSeconds,
  incidentKeyOf,
  newIncidentRecord,
} from '../../lambda/core/incident';
import type { Denial, Diagnosis, PolicyDocument, Proposal } from '../../lambda/core/model';

function denial(overrides: Partial<Denial> = {}): Denial {
  return {
    eventId: 'evt-1',
    eventTime: '2026-06-17T02:04:37Z',
    account: '123456789012',
    region: 'ap-northeast-1',
    eventSource: 'glue.amazonaws.com',
    eventName: 'UpdateJob',
    deniedAction: 'glue:UpdateJob',
    principalArn: 'arn:aws:sts::123456789012:assumed-role/etl-deployer/session-a',
    principalType: 'role',
    policySourceArn: 'arn:aws:iam::123456789012:role/etl-deployer',
    permissionSetName: null,
    roleArn: 'arn:aws:iam::123456789012:role/etl-nightly-runtime',
    instanceProfile: null,
    authorizationId: null,
    authorizationRegion: null,
    passedToService: 'glue.amazonaws.com',
    messageCause: { policyType: 'identity', explicit: false, policyArn: null },
    context: {},
    notes: [],
    ...overrides,
  };
}

const DOCUMENT: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowPass',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: 'arn:aws:iam::123456789012:role/etl-nightly-runtime',
      Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
    },
  ],
};

describe('incidentKeyOf', () => {
  it('is the same for every denial of one entity, role and service, whatever the event, time or session', () => {
    const key = incidentKeyOf(denial());
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(
      incidentKeyOf(
        denial({
          eventId: 'evt-2',
          eventTime: '2026-06-18T00:00:00Z',
          region: 'eu-west-1',
          principalArn: 'arn:aws:sts::123456789012:assumed-role/etl-deployer/session-b',
          eventName: 'CreateJob',
          context: { 'aws:MultiFactorAuthPresent': 'true' },
        }),
      ),
    ).toBe(key);
  });

  it('keys a denial that names only an instance profile by the profile', () => {
    const byProfile = (instanceProfile: string) => incidentKeyOf(denial({ roleArn: null, instanceProfile }));
    expect(byProfile('web-tier')).toBe(byProfile('Web-Tier'));
    expect(byProfile('web-tier')).not.toBe(byProfile('batch-workers'));
    expect(byProfile('web-tier')).not.toBe(incidentKeyOf(denial({ roleArn: null })));
  });

  it('compares ARNs and services case-insensitively, as IAM names are', () => {
    expect(
      incidentKeyOf(
        denial({
          roleArn: 'arn:aws:iam::123456789012:role/ETL-Nightly-Runtime',
          passedToService: 'Glue.amazonaws.com',
        }),
      ),
    ).toBe(incidentKeyOf(denial()));
  });

  it('differs when the account, the entity, the role or the service differs', () => {
    const key = incidentKeyOf(denial());
    const others = [
      denial({ account: '210987654321' }),
      denial({ policySourceArn: 'arn:aws:iam::123456789012:role/other-deployer' }),
      denial({ roleArn: 'arn:aws:iam::123456789012:role/etl-weekly-runtime' }),
      denial({ passedToService: 'lambda.amazonaws.com' }),
      denial({ passedToService: null }),
    ].map(incidentKeyOf);
    for (const other of others) expect(other).not.toBe(key);
    expect(new Set(others).size).toBe(others.length);
  });

  it('falls back on the caller when there is no IAM entity (root)', () => {
    const root = (arn: string) =>
      incidentKeyOf(denial({ principalType: 'root', policySourceArn: null, principalArn: arn }));
    expect(root('arn:aws:iam::123456789012:root')).not.toBe(root('arn:aws:iam::210987654321:root'));
  });
});

describe('canonicalJson and documentHash', () => {
  it('sorts keys at every depth, keeps array order and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('hashes the canonical JSON with SHA-256, so key order does not change the hash', () => {
    const reordered = JSON.parse(
      '{"Statement":[{"Condition":{"StringEquals":{"iam:PassedToService":"glue.amazonaws.com"}},"Resource":"arn:aws:iam::123456789012:role/etl-nightly-runtime","Action":"iam:PassRole","Effect":"Allow","Sid":"AllowPass"}],"Version":"2012-10-17"}',
    ) as PolicyDocument;
    const expected = createHash('sha256').update(canonicalJson(DOCUMENT)).digest('hex');
    expect(documentHash(DOCUMENT)).toBe(expected);
    expect(documentHash(reordered)).toBe(expected);
    expect(
      documentHash({ ...DOCUMENT, Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }] }),
    ).not.toBe(expected);
  });
});

describe('newIncidentRecord', () => {
  const proposal: Proposal = {
    target: {
      type: 'group',
      name: 'GlueAccess',
      arn: 'arn:aws:iam::123456789012:group/GlueAccess',
      memberCount: 2,
    },
    policyName: 'AllowPass',
    document: DOCUMENT,
    verified: true,
    blockers: [],
    verificationContext: {},
    risk: [],
    commands: { apply: 'aws iam put-group-policy ...', verify: 'aws iam simulate-principal-policy ...' },
  };
  const diagnosis = (withProposal: boolean): Diagnosis & { denial: Denial } => ({
    outcome: 'recorded',
    denial: denial(),
    verdict: 'implicitDeny',
    summary: 'etl-deployer may not pass etl-nightly-runtime to glue.amazonaws.com.',
    findings: [],
    proposal: withProposal ? proposal : null,
    reason: null,
  });

  it('opens a pending proposal with its hash, expiry and first occurrence', () => {
    const record = newIncidentRecord({
      id: 'p-1',
      incidentKey: 'k',
      diagnosis: diagnosis(true),
      now: new Date('2026-06-17T02:05:00Z'),
      ttlHours: 72,
    });
    expect(record).toMatchObject({
      status: 'pending',
      documentHash: documentHash(DOCUMENT),
      createdAt: '2026-06-17T02:05:00.000Z',
      expiresAt: '2026-06-20T02:05:00.000Z',
      occurrenceCount: 1,
      firstEventId: 'evt-1',
      lastEventId: 'evt-1',
      notifiedAt: null,
      notificationCount: 0,
    });
    expect(epochSeconds(record.expiresAt)).toBe(Date.UTC(2026, 5, 20, 2, 5) / 1000);
  });

  it('records a diagnosis without a proposal as reported, without a hash', () => {
    const record = newIncidentRecord({
      id: 'p-2',
      incidentKey: 'k',
      diagnosis: diagnosis(false),
      now: new Date('2026-06-17T02:05:00Z'),
      ttlHours: 1,
    });
    expect(record).toMatchObject({ status: 'reported', proposal: null, documentHash: null });
    expect(record.expiresAt).toBe('2026-06-17T03:05:00.000Z');
  });
});
