/**
 * Part C of the attack suite: AWS's record of a denial (IAM Toolbox) as a way in. A denial's message
 * is attacker-writable wherever CloudTrail records what a caller sent, and the reader turns its tail
 * into a signed request: a crafted tail must never send that request anywhere but IAM Toolbox's own
 * endpoint for a real region, nor to another path. And a record of another request (a forged event
 * carrying a real authorization ID) must never be taken as evidence. The denial reader and the
 * IamToolboxRecordReader are the real ones; the network is a recording `fetch` that answers 404.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IamToolboxRecordReader } from '../../lambda/adapters/aws/iam-toolbox/iam-toolbox-record-reader';
import { InMemoryAuthorizationRecordReader } from '../../lambda/adapters/memory/in-memory-authorization-record-reader';
import { SnapshotAccountReader } from '../../lambda/adapters/snapshot/snapshot-account-reader';
import { LocalPolicySimulator } from '../../lambda/adapters/local/local-policy-simulator';
import { readDenials } from '../../lambda/core/denial';
import { createDiagnoser } from '../../lambda/core/diagnose';
import type { AwsAuthorizationRecord } from '../../lambda/core/evidence/aws-evaluation';
import type { Denial } from '../../lambda/core/model';
import { defaultEscalationDependencies } from '../../lambda/core/proposal/assess-escalation';
import { recordAttack } from './support/attack-results';

const PART = 'evidence';
const ROOT = join(__dirname, '../..');
const SEED_EVENT = join(ROOT, 'examples/seed/denial.json');
const SEED_ACCOUNT = join(ROOT, 'examples/seed/account.json');
const ID = 'a1b2c3d4e5f6g7h8i9j0';
const ENDPOINT =
  /^https:\/\/iam-toolbox\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(\.cn)?\/authorization-details\/[0-9A-Za-z]+$/;

/** The seed denial with `tail` appended to its message, as the reader makes it. */
function denialWithTail(tail: string): Denial {
  const record = JSON.parse(readFileSync(SEED_EVENT, 'utf8')) as Record<string, unknown>;
  record['errorMessage'] = `${String(record['errorMessage'])}${tail}`;
  const [outcome] = readDenials(record, 'attack');
  if (outcome?.kind !== 'denial') throw new Error('the seed event is no longer a denial');
  return outcome.denial;
}

const tail = (region: string, urlId: string, id: string) =>
  `. Go to https://${region}.console.aws.amazon.com/iam/home?region=${region}#/authorization-details/${urlId} for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: ${id}`;

const CRAFTED_TAILS: [string, string][] = [
  ['a host in the region', tail('evil.example/x?', ID, ID)],
  ['a host after the region', tail('us-east-1.evil.example#', ID, ID)],
  ['an ID that climbs the path', tail('ap-northeast-1', '../../x', '../../x')],
  ['an ID with a query', tail('ap-northeast-1', `${ID}?nextToken=1`, `${ID}?nextToken=1`)],
  ['a region of no partition', tail('zz-fake-1', ID, ID)],
  ['an encoded host', tail('ap-northeast-1%2eevil.example', ID, ID)],
];

describe('a crafted message tail never sends the signed read elsewhere', () => {
  it.each(CRAFTED_TAILS)('%s', async (name, crafted) => {
    const denial = denialWithTail(crafted);
    const sent: string[] = [];
    const reader = new IamToolboxRecordReader({
      credentials: async () => ({ accessKeyId: 'AKIAATTACK', secretAccessKey: 'attack' }),
      fetch: async (input) => {
        sent.push(String(input instanceof Request ? input.url : input));
        return new Response('{"message":"no"}', {
          status: 404,
          headers: { 'x-amzn-errortype': 'ResourceNotFoundException' },
        });
      },
      sleep: async () => undefined,
    });
    if (denial.authorizationId !== null) {
      await reader.read(denial.authorizationId, denial.authorizationRegion ?? denial.region);
    }
    const elsewhere = sent.filter((url) => !ENDPOINT.test(url));
    recordAttack({
      part: PART,
      name: `record read: ${name}`,
      escalated: elsewhere.length > 0,
      forgedApplied: false,
    });
    expect(elsewhere).toEqual([]);
  });
});

describe("a record of another request is never AWS's evidence", () => {
  it('a forged event carrying the real ID of an allowed request by someone else', async () => {
    const denial = denialWithTail(tail('ap-northeast-1', ID, ID));
    const roleArn = denial.roleArn ?? '';
    // AWS allowed this pass for an administrator: taken as evidence it would say the pass is allowed.
    const record: AwsAuthorizationRecord = {
      authorizationId: ID,
      region: 'ap-northeast-1',
      requestContext: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:user/admin' },
      evaluations: [
        { action: 'iam:PassRole', resource: roleArn, context: {}, effect: 'allow', matchedPolicies: [] },
      ],
      policies: [],
    };
    const accountReader = await SnapshotAccountReader.fromFile(SEED_ACCOUNT);
    const diagnosis = await createDiagnoser({
      accountReader,
      simulator: new LocalPolicySimulator(),
      instanceProfiles: accountReader,
      authorizationRecords: new InMemoryAuthorizationRecordReader([[ID, record]]),
      escalation: defaultEscalationDependencies(accountReader),
    }).diagnose(denial);
    const kinds = diagnosis.outcome === 'not-applicable' ? [] : diagnosis.findings.map((f) => f.kind);
    const taken = kinds.includes('aws-record') || diagnosis.outcome === 'already-allowed';
    recordAttack({ part: PART, name: 'forged event with a real ID', escalated: taken, forgedApplied: false });
    expect(kinds).toContain('aws-record-mismatch');
    expect(taken).toBe(false);
  });
});
