/**
 * The DynamoDB proposal store as the approval workflow uses it, against moto_server's DynamoDB: the
 * same contract the in-memory store passes (test/adapters/support/approval-store-contract.ts), with
 * the table laid out as lib/constructs/proposal-tables.ts makes it.
 */
import { DynamoDbIncidentStore } from '../../lambda/adapters/aws/dynamodb-incident-store';
import { linkMacOf } from '../support/link-tokens';
import { createProposalsTable } from './support/proposal-tables';
import {
  approvalStoreContract,
  hours,
  move,
  type FullStore,
} from '../adapters/support/approval-store-contract';
import { proposalRecord } from '../adapters/support/proposal-records';
import { createApprovalHandler } from '../../lambda/handlers/approval/handler';
import {
  formPost,
  KEY,
  NOW,
  RecordingLogger,
  RecordingTrigger,
  tokenFor,
} from '../handlers/approval/support';
import { createSerializedDynamoDbClient, type SerializedDynamoDb } from './support/serialized-dynamodb';
import { approvalTestDependencies } from '../support/escalation';

// moto's conditional writes are not atomic under truly concurrent requests (see serialized-dynamodb.ts):
// the races below are started together, and moto sees them in order, as DynamoDB orders them.
let dynamodb: SerializedDynamoDb;
let tables = 0;

beforeAll(() => {
  dynamodb = createSerializedDynamoDbClient();
});

afterAll(() => {
  dynamodb.destroy();
});

async function freshTable(): Promise<string> {
  const name = `proposals-${process.pid}-${++tables}`;
  await createProposalsTable(dynamodb.client, name);
  return name;
}

async function freshStore(): Promise<FullStore> {
  return new DynamoDbIncidentStore(dynamodb.client, await freshTable());
}

describe('DynamoDbIncidentStore against moto: the approval store contract', () => {
  approvalStoreContract(freshStore);
});

describe('DynamoDbIncidentStore against moto: the approval race', () => {
  it('20 concurrent approvals of one proposal: exactly one moved, 19 conflicts, one history entry', async () => {
    const store = await freshStore();
    await store.create(proposalRecord({ id: 'p-race' }), hours(0));
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => store.transition('p-race', move('pending', 'approved', hours(1)))),
    );
    const counts = outcomes.reduce<Record<string, number>>(
      (totals, outcome) => ({ ...totals, [outcome.kind]: (totals[outcome.kind] ?? 0) + 1 }),
      {},
    );
    expect(counts).toEqual({ moved: 1, conflict: 19 });
    expect(await store.get('p-race')).toMatchObject({
      status: 'approved',
      history: [{ status: 'approved' }],
    });
    expect((await store.get('p-race'))?.history).toHaveLength(1);
  });

  it('an approval past the expiry is expired, and writes nothing', async () => {
    const store = await freshStore();
    const record = proposalRecord({ id: 'p-old' });
    await store.create(record, hours(0));
    expect(await store.transition('p-old', move('pending', 'approved', hours(72)))).toMatchObject({
      kind: 'expired',
      record: { id: 'p-old', status: 'pending' },
    });
    expect(await store.get('p-old')).toMatchObject({ status: 'pending', history: [] });
  });
});

describe('the approval function against moto', () => {
  it('20 simultaneous approve POSTs of one review link: one 200, 19 409s, one apply started', async () => {
    const store = await freshStore();
    const record = proposalRecord({ id: 'p-posts' });
    await store.create(record, hours(0));
    const trigger = new RecordingTrigger();
    const handler = createApprovalHandler({
      ...approvalTestDependencies(),
      store,
      applyTrigger: trigger,
      linkMac: linkMacOf(KEY),
      logger: new RecordingLogger(),
      settings: { approvalMode: 'both' },
      clock: () => new Date(NOW),
    });
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => handler(formPost('/proposals/p-posts/approve', tokenFor(record)))),
    );
    const statuses = responses.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([200, ...Array<number>(19).fill(409)]);
    expect(trigger.requested).toEqual(['p-posts']);
    expect((await store.get('p-posts'))?.history).toHaveLength(1);
  });
});
