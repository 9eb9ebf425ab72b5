/**
 * The item codec on items the previous release wrote (test/fixtures/baseline/dynamodb-items, captured
 * on moto before the proposals-table split): they decode to exactly what that release's get()
 * returned, and the proposal and the denial are now stored once per item.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { fromProposalItem, toProposalItem } from '../../../../lambda/adapters/aws/proposals-table/item-codec';
import type { IncidentRecord } from '../../../../lambda/core/incident';
import type { Diagnosis } from '../../../../lambda/core/model';
import { toJsonReport } from '../../../../lambda/core/render/json-report';
import { proposalRecord, SEED_DENIAL, SEED_DIAGNOSIS, SEED_PROPOSAL } from '../../support/proposal-records';

const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures', 'baseline', 'dynamodb-items');

interface Captured {
  item: Record<string, AttributeValue>;
  record?: IncidentRecord | null;
}

const proposals = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .map((name) => ({ name, ...(JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Captured) }))
  .filter((captured) => captured.record !== undefined && captured.record !== null)
  .map(({ name, item, record }) => [name, unmarshall(item), record as IncidentRecord] as const);

/** Through the wire and back, as the document client marshalls it and DynamoDB stores it. */
const stored = (record: IncidentRecord) =>
  unmarshall(marshall(toProposalItem(record), { removeUndefinedValues: true }));

describe('proposal items written before the split', () => {
  it('covers every life stage the fixture holds', () => {
    expect(proposals.map(([, , record]) => record.status).sort()).toEqual(
      expect.arrayContaining([
        'applied',
        'approved',
        'failed',
        'pending',
        'rejected',
        'reported',
        'verified',
      ]),
    );
  });

  it.each(proposals)('%s decodes to what the previous release returned', (_name, item, record) => {
    const { diagnosis, outcome, ...fields } = fromProposalItem(item);
    const { diagnosis: previous, outcome: oldOutcome, ...oldFields } = record;
    // Captured from the previous release: the flat {verdict, summary, findings, proposal, reason}.
    const flat = previous as unknown as Record<string, unknown>;
    // The denial gains the fields added since, as null: what an old record meant.
    const oldDenial = oldFields.denial as unknown as Record<string, unknown>;
    expect(fields).toEqual({
      ...oldFields,
      denial: { ...oldDenial, instanceProfile: null, authorizationId: null, authorizationRegion: null },
    });
    // The flat diagnosis of that release is the `recorded` outcome, reported in its own words.
    expect(diagnosis.outcome).toBe('recorded');
    expect(diagnosis).toEqual({
      ...flat,
      outcome: 'recorded',
      denial: {
        ...(flat['denial'] as object),
        instanceProfile: null,
        authorizationId: null,
        authorizationRegion: null,
      },
    });
    expect(toJsonReport(diagnosis)).toMatchObject({ verdict: flat['verdict'], summary: flat['summary'] });
    // Its apply outcome gains kind and reason, read from the status and the history.
    expect(outcome).toEqual(oldOutcome === null ? null : expect.objectContaining(oldOutcome));
  });

  it.each(proposals)('%s round-trips, storing the proposal and the denial once', (_name, item) => {
    const decoded = fromProposalItem(item);
    const rewritten = stored(decoded);
    expect(rewritten['diagnosis']).not.toHaveProperty('proposal');
    expect(rewritten['diagnosis']).not.toHaveProperty('denial');
    expect(rewritten['diagnosisOmits']).toEqual(['denial', 'proposal']);
    expect(fromProposalItem(rewritten)).toEqual(decoded);
  });
});

describe('the diagnosis, whatever its shape', () => {
  it('keeps a key it does not hold absent, and one that differs from the record in the diagnosis', () => {
    const withoutProposal: Diagnosis = {
      outcome: 'context-only',
      denial: SEED_DENIAL,
      findings: [],
      conditions: ['MFA present'],
    };
    const record = proposalRecord({ diagnosis: withoutProposal, proposal: null });
    const item = stored(record);
    expect(item['diagnosisOmits']).toEqual(['denial']);
    expect(fromProposalItem(item)).toEqual(record);
    expect(fromProposalItem(item).diagnosis).not.toHaveProperty('proposal');

    const other = { ...SEED_PROPOSAL, policyName: 'Other' };
    const differing = proposalRecord({
      diagnosis: { ...SEED_DIAGNOSIS, proposal: other, denial: { ...SEED_DENIAL, eventId: 'x' } },
    });
    const differingItem = stored(differing);
    expect(differingItem['diagnosisOmits']).toEqual([]);
    expect(fromProposalItem(differingItem)).toEqual(differing);
  });

  it('stores a report’s null proposal once too', () => {
    const report = proposalRecord({ status: 'reported', proposal: null });
    const item = stored(report);
    expect(item).not.toHaveProperty('proposal');
    expect(item['diagnosisOmits']).toEqual(['denial', 'proposal']);
    expect(fromProposalItem(item)).toEqual(report);
  });
});

describe('the organization account (organization mode)', () => {
  const ACCOUNT = {
    id: '123456789012',
    name: 'data-prod <script>',
    ouPath: [
      { id: 'r-ab12', name: 'Root' },
      { id: 'ou-ab12-aaaaaaaa', name: 'Workloads' },
    ],
  };

  it('is stored and read back with the record', () => {
    const record = proposalRecord({ organizationAccount: ACCOUNT });
    const item = stored(record);
    expect(item['organizationAccount']).toEqual(ACCOUNT);
    expect(fromProposalItem(item)).toEqual(record);
    expect(fromProposalItem(item).organizationAccount).toEqual(ACCOUNT);
  });

  it('is absent from items without it, which still decode', () => {
    const item = stored(proposalRecord());
    expect(item).not.toHaveProperty('organizationAccount');
    expect(fromProposalItem(item)).not.toHaveProperty('organizationAccount');
  });

  it.each([
    ['not a map', 'data-prod'],
    ['without a name', { id: '123456789012', ouPath: [] }],
    ['with an OU path that is not a list', { ...ACCOUNT, ouPath: 'Root' }],
    ['with an OU without a name', { ...ACCOUNT, ouPath: [{ id: 'r-ab12' }] }],
  ])('is dropped when malformed (%s), the record still decoding', (_why, value) => {
    const item = { ...stored(proposalRecord()), organizationAccount: value };
    const decoded = fromProposalItem(item);
    expect(decoded).not.toHaveProperty('organizationAccount');
    expect(decoded.denial).toEqual(SEED_DENIAL);
  });
});
