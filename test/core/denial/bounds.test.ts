/**
 * What a denial may carry: it is stored with its proposal (a DynamoDB item, at most 400 KB) and keys
 * idempotency by its eventID, so a record whose eventID or names no CloudTrail record would hold is
 * refused as invalid, with the field in its reason, instead of failing the store on every retry.
 */
import { readDenials, type ReadOutcome } from '../../../lambda/core/denial';
import {
  MAX_DENIAL_BYTES,
  MAX_DENIAL_FIELD_CHARS,
  MAX_EVENT_ID_CHARS,
} from '../../../lambda/core/denial/read-denials';
import { ACCOUNT, USER_ARN, denialRecord } from './helpers';

const KB = 1024;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`;

function readOne(record: Record<string, unknown>): ReadOutcome {
  const [outcome, ...others] = readDenials(record, 'denial.json');
  if (outcome === undefined || others.length > 0) throw new Error('expected exactly one outcome');
  return outcome;
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

function withIdentity(overrides: Record<string, unknown>): Record<string, unknown> {
  const record = denialRecord();
  return { ...record, userIdentity: { ...(record['userIdentity'] as object), ...overrides } };
}

describe('readDenials: the eventID', () => {
  it.each([
    ['a UUID', '0c5d3e7a-9b1f-4f6e-8a2d-3c4b5a6e7f80'],
    ['letters, digits and - _ : .', 'evt_1:2.3-x'],
    ['the longest plausible', 'e'.repeat(MAX_EVENT_ID_CHARS)],
  ])('accepts %s', (_label, eventId) => {
    const outcome = readOne(denialRecord({ eventID: eventId }));
    expect(outcome.kind === 'denial' ? outcome.denial.eventId : outcome).toBe(eventId);
  });

  it.each([
    [
      '200 KB long',
      'e'.repeat(200 * KB),
      /eventID "e{40}"… \(204800 characters\) is not a CloudTrail event ID/,
    ],
    ['one character too long', 'e'.repeat(MAX_EVENT_ID_CHARS + 1), /\(129 characters\) is not a CloudTrail/],
    [
      'with a line break and a NUL',
      'evt\n\u0000# INJECTED',
      /eventID "evt\\n\\u0000# INJECTED" \(15 characters\)/,
    ],
    ['blank', ' \t ', /eventID " \\t " \(3 characters\) is not a CloudTrail event ID/],
    ['with markup', '<b>1</b>', /eventID "<b>1<\/b>"/],
  ])('refuses one %s as invalid, saying so', (_label, eventId, reason) => {
    expect(readOne(denialRecord({ eventID: eventId }))).toEqual({
      kind: 'invalid',
      where: 'denial.json',
      reason: expect.stringMatching(reason) as unknown,
    });
  });

  it('refuses a record that is no denial too, rather than carry its eventID', () => {
    const succeeded = denialRecord({ eventID: 'e'.repeat(200 * KB) });
    delete succeeded['errorCode'];
    expect(readOne(succeeded)).toMatchObject({ kind: 'invalid', reason: /eventID .* is not a CloudTrail/ });
  });

  it('leaves out an implausible eventID from an outcome that only mentions it', () => {
    const insight = denialRecord({ eventType: 'AwsCloudTrailInsight', eventID: 'e'.repeat(200 * KB) });
    expect(readOne(insight)).toMatchObject({ kind: 'not-applicable', eventId: null });
    const plausible = denialRecord({ eventType: 'AwsCloudTrailInsight' });
    expect(readOne(plausible)).toMatchObject({ kind: 'not-applicable', eventId: plausible['eventID'] });
  });
});

describe('readDenials: names no CloudTrail record would hold', () => {
  const huge = 'a'.repeat(300 * KB);

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'a 300 KB caller ARN',
      withIdentity({ arn: `${USER_ARN}${huge}` }),
      /whose principalArn is 3072\d\d characters/,
    ],
    [
      'a 300 KB session name',
      withIdentity({
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ci-deployer/${huge}`,
        sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/ci-deployer` } },
      }),
      /whose principalArn is \d+ characters long, over the 2048/,
    ],
    [
      'a 300 KB eventName',
      denialRecord({ eventName: `UpdateJob${huge}` }),
      /whose eventName is \d+ characters/,
    ],
    ['a 300 KB awsRegion', denialRecord({ awsRegion: huge }), /whose region is/],
    ['a 300 KB eventTime', denialRecord({ eventTime: huge }), /whose eventTime is/],
    ['a 300 KB recipientAccountId', denialRecord({ recipientAccountId: huge }), /whose account is/],
    [
      'a 300 KB role in errorMessage',
      denialRecord({
        errorMessage: `User: ${USER_ARN} is not authorized to perform: iam:PassRole on resource: ${ROLE_ARN}${huge}`,
        requestParameters: {},
      }),
      /whose roleArn is \d+ characters/,
    ],
    [
      'a 300 KB policy ARN in errorMessage',
      denialRecord({
        errorMessage: `User: ${USER_ARN} is not authorized to perform: iam:PassRole on resource: ${ROLE_ARN} with an explicit deny in an identity-based policy: arn:aws:iam::${ACCOUNT}:policy/${huge}`,
      }),
      /whose messageCause.policyArn is \d+ characters/,
    ],
  ])('refuses %s as invalid, naming the field', (_label, record, reason) => {
    expect(readOne(record)).toEqual({
      kind: 'invalid',
      where: 'denial.json',
      reason: expect.stringMatching(reason) as unknown,
    });
  });

  it('accepts the longest names IAM allows', () => {
    // A role path of 512 characters and a name of 64: the longest role ARN there is.
    const path = `/${'p'.repeat(510)}/`;
    const role = `arn:aws:iam::${ACCOUNT}:role${path}${'r'.repeat(64)}`;
    const outcome = readOne(
      denialRecord({
        errorMessage: `User: ${USER_ARN} is not authorized to perform: iam:PassRole on resource: ${role}`,
        requestParameters: { jobName: 'x', jobUpdate: { role } },
      }),
    );
    expect(outcome.kind === 'denial' ? outcome.denial.roleArn : outcome).toBe(role);
  });

  it('lists ten of the roles a request passes, and counts the others', () => {
    const roles = Array.from({ length: 50 }, (_, index) => ({
      Id: `t${index}`,
      Arn: 'arn:aws:sqs:ap-northeast-1:123456789012:q',
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/decoy-${index}`,
    }));
    const outcome = readOne(
      denialRecord({
        eventSource: 'events.amazonaws.com',
        eventName: 'PutTargets',
        errorMessage: `User: ${USER_ARN} is not authorized to perform: iam:PassRole`,
        requestParameters: {
          rule: 'r',
          targets: roles.map(({ Id, Arn, RoleArn }) => ({ id: Id, arn: Arn, roleArn: RoleArn })),
        },
      }),
    );
    if (outcome.kind !== 'denial') throw new Error(`expected a denial, got ${JSON.stringify(outcome)}`);
    const note = outcome.denial.notes.find((text) => text.startsWith('the request passes several roles'));
    expect(note).toContain('role/decoy-9 and 40 more)');
    expect(note).not.toContain('role/decoy-10,');
    expect(Buffer.byteLength(JSON.stringify(outcome.denial))).toBeLessThanOrEqual(MAX_DENIAL_BYTES);
  });

  it('keeps every denial it reads within the bounds, whatever field is 300 KB', () => {
    const record = denialRecord();
    const paths = [
      ...Object.keys(record).filter((key) => typeof record[key] === 'string'),
      'userIdentity.arn',
      'userIdentity.principalId',
      'userIdentity.invokedBy',
      'userIdentity.accountId',
      'requestParameters.jobUpdate.role',
      'requestParameters.jobName',
    ];
    for (const path of paths) {
      const mutated = structuredClone(record);
      const keys = path.split('.');
      let node = mutated;
      for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
      const last = keys[keys.length - 1] ?? '';
      node[last] = `${String(node[last] ?? '')}${huge}`;
      const outcome = readOne(mutated);
      if (outcome.kind !== 'denial') continue;
      const { denial } = outcome;
      expect({ path, bytes: Buffer.byteLength(JSON.stringify(denial)) <= MAX_DENIAL_BYTES }).toEqual({
        path,
        bytes: true,
      });
      const { notes: _notes, ...fields } = denial;
      for (const value of stringsIn(fields)) {
        expect({ path, long: value.length > MAX_DENIAL_FIELD_CHARS }).toEqual({ path, long: false });
      }
    }
  });
});
