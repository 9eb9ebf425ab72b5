/**
 * The apply step's IAM side against moto_server: a real PutGroupPolicy / GetGroupPolicy round trip
 * on the seed's account through the product's IamPolicyWriter, then whole applies of the seed's
 * proposal (diagnosed live against moto) with the DynamoDB store on moto's DynamoDB, verified by the
 * local simulator over what moto holds (moto has no SimulatePrincipalPolicy).
 */
import {
  DeleteGroupPolicyCommand,
  GetGroupPolicyCommand,
  ListGroupPoliciesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { TargetedAccountReader } from '../../lambda/adapters/aws/targeted-account-reader';
import { recordAwsCalls } from '../../lambda/adapters/aws/aws-call-recorder';
import { DynamoDbIncidentStore } from '../../lambda/adapters/aws/dynamodb-incident-store';
import { IamPolicyWriter } from '../../lambda/adapters/aws/iam-policy-writer';
import { LocalPolicySimulator } from '../../lambda/adapters/local/local-policy-simulator';
import { InMemoryEventPublisher } from '../../lambda/adapters/memory/in-memory-event-publisher';
import { InMemoryNotifier } from '../../lambda/adapters/memory/in-memory-notifier';
import { applyProposal, type ApplyDependencies } from '../../lambda/core/apply/apply-proposal';
import { createDiagnoser } from '../../lambda/core/diagnose';
import { AwsCallError } from '../../lambda/core/errors';
import {
  canonicalJson,
  incidentKeyOf,
  newIncidentRecord,
  type IncidentRecord,
} from '../../lambda/core/incident';
import type { PolicyDocument, ProposalTarget } from '../../lambda/core/model';
import type { ApprovalStore } from '../../lambda/ports/approval-store';
import { SETTINGS, seedDenial } from '../core/apply/seed-apply';
import { createMotoClients, MOTO_ACCOUNT_ID, motoEndpoint, type MotoClients } from './support/aws-clients';
import { resetMoto } from './support/moto';
import { createProposalsTable } from './support/proposal-tables';
import { createSerializedDynamoDbClient, type SerializedDynamoDb } from './support/serialized-dynamodb';
import { decisionPorts, loopDecisionFor } from './support/remediation-loop';
import { seedGlueAccount } from './support/seed-account';
import { defaultEscalationDependencies } from '../../lambda/core/proposal/assess-escalation';
import { InMemoryAuthorizationRecordReader } from '../../lambda/adapters/memory/in-memory-authorization-record-reader';

const GLUE_ACCESS: ProposalTarget = {
  type: 'group',
  name: 'GlueAccess',
  arn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:group/GlueAccess`,
  memberCount: 2,
};
const POLICY_NAME = 'AllowPassEtlNightlyRuntimeToGlue';
/** The seed's proposal (examples/seed: what the diagnosis proposes for mei.tanaka). */
const DOCUMENT: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowPassEtlNightlyRuntimeToGlue',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/etl-nightly-runtime`,
      Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
    },
  ],
};

describe('IamPolicyWriter against moto_server', () => {
  let clients: MotoClients;
  let writer: IamPolicyWriter;

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    clients = createMotoClients();
    await seedGlueAccount(clients.iam);
    writer = new IamPolicyWriter(clients.iam);
  });

  afterAll(() => clients.destroy());

  it('reads back nothing before the policy is put', async () => {
    await expect(writer.getInlinePolicy(GLUE_ACCESS, POLICY_NAME)).resolves.toBeNull();
  });

  it('puts the group policy and reads back the same document (canonical JSON)', async () => {
    await writer.putInlinePolicy(GLUE_ACCESS, POLICY_NAME, DOCUMENT);

    const names = await clients.iam.send(new ListGroupPoliciesCommand({ GroupName: 'GlueAccess' }));
    expect(names.PolicyNames).toContain(POLICY_NAME);
    const raw = await clients.iam.send(
      new GetGroupPolicyCommand({ GroupName: 'GlueAccess', PolicyName: POLICY_NAME }),
    );
    // moto answers the document URL-encoded, as IAM does: the writer must decode it.
    expect(raw.PolicyDocument).toMatch(/^%7B/);
    expect(JSON.parse(decodeURIComponent(raw.PolicyDocument ?? ''))).toEqual(DOCUMENT);

    const readBack = await writer.getInlinePolicy(GLUE_ACCESS, POLICY_NAME);
    expect(readBack).toEqual(DOCUMENT);
    expect(canonicalJson(readBack)).toBe(canonicalJson(DOCUMENT));
  });

  it('overwrites on a second put (PutGroupPolicy replaces a policy of the same name)', async () => {
    const other: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'glue:GetJob', Resource: '*' }],
    };
    await writer.putInlinePolicy(GLUE_ACCESS, 'scratch', other);
    await writer.putInlinePolicy(GLUE_ACCESS, 'scratch', DOCUMENT);
    await expect(writer.getInlinePolicy(GLUE_ACCESS, 'scratch')).resolves.toEqual(DOCUMENT);
  });

  it('fails for good on a group IAM does not have', async () => {
    const missing: ProposalTarget = { ...GLUE_ACCESS, name: 'NoSuchGroup', arn: null };
    await expect(writer.putInlinePolicy(missing, POLICY_NAME, DOCUMENT)).rejects.toThrow(AwsCallError);
    await expect(writer.getInlinePolicy(missing, POLICY_NAME)).resolves.toBeNull();
  });
});

describe('applying the seed proposal against moto (IAM and DynamoDB)', () => {
  let clients: MotoClients;
  let dynamodb: SerializedDynamoDb;
  let tables = 0;
  /** The table behind each store: the decision ledger lives in it too. */
  const tableNames = new Map<ApprovalStore, string>();

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    clients = createMotoClients();
    // One connection: moto's conditional writes are not atomic under concurrent requests.
    dynamodb = createSerializedDynamoDbClient();
    await seedGlueAccount(clients.iam);
  });

  afterAll(() => {
    clients.destroy();
    dynamodb.destroy();
  });

  beforeEach(async () => {
    await clients.iam
      .send(new DeleteGroupPolicyCommand({ GroupName: 'GlueAccess', PolicyName: POLICY_NAME }))
      .catch(() => undefined);
  });

  /** The seed denial diagnosed live against moto, stored and approved in a fresh table. */
  async function approvedRecordInMoto(id: string): Promise<ApprovalStore> {
    const denial = seedDenial();
    const reader = new TargetedAccountReader(clients.iam);
    const diagnosis = await createDiagnoser({
      authorizationRecords: new InMemoryAuthorizationRecordReader(),
      accountReader: reader,
      simulator: new LocalPolicySimulator(),
      instanceProfiles: reader,
      escalation: defaultEscalationDependencies(reader),
    }).diagnose(denial);
    const record: IncidentRecord = newIncidentRecord({
      id,
      incidentKey: incidentKeyOf(denial),
      diagnosis: { ...diagnosis, denial },
      now: new Date(),
      ttlHours: 72,
    });
    const tableName = `apply-${++tables}`;
    await createProposalsTable(dynamodb.client, tableName);
    const table = new DynamoDbIncidentStore(dynamodb.client, tableName);
    expect((await table.create(record, new Date())).kind).toBe('created');
    const store: ApprovalStore = table;
    tableNames.set(store, tableName);
    // Approved by hand, with the decision the approval function would sign.
    const at = new Date();
    const approval = await store.transition(id, {
      from: 'pending',
      to: 'approved',
      actor: { kind: 'link-holder', name: 'link holder', sourceIp: '127.0.0.1', userAgent: 'jest' },
      at,
      decision: await loopDecisionFor(record, clients.iam, at),
    });
    expect(approval.kind).toBe('moved');
    return store;
  }

  function depsFor(store: ApprovalStore, iam: IAMClient): ApplyDependencies {
    return {
      store,
      ...decisionPorts(iam, dynamodb.client, tableNames.get(store) ?? ''),
      writer: new IamPolicyWriter(iam),
      simulator: new LocalPolicySimulator(),
      accountReader: new TargetedAccountReader(iam),
      notifier: new InMemoryNotifier(),
      events: new InMemoryEventPublisher(),
      clock: () => new Date(),
      // moto is consistent at once: a wait would mean the verification did not see the write.
      sleep: () => Promise.reject(new Error('verification should not need to wait on moto')),
      settings: { ...SETTINGS, accountId: MOTO_ACCOUNT_ID },
    };
  }

  it('writes the policy into moto, reads it back equal and verifies allowed over what moto holds', async () => {
    const store = await approvedRecordInMoto('p-moto');
    const result = await applyProposal('p-moto', depsFor(store, clients.iam));

    expect(result).toMatchObject({
      kind: 'applied-verified',
      outcome: { readBackMatches: true, verification: 'allowed', attempts: 1 },
    });
    const raw = await clients.iam.send(
      new GetGroupPolicyCommand({ GroupName: 'GlueAccess', PolicyName: POLICY_NAME }),
    );
    expect(JSON.parse(decodeURIComponent(raw.PolicyDocument ?? ''))).toEqual(DOCUMENT);
    const stored = await store.get('p-moto');
    expect(stored?.status).toBe('verified');
    expect(stored?.history.map((event) => event.status)).toEqual(['approved', 'applied', 'verified']);
  });

  it('20 simultaneous applies of one proposal make exactly one PutGroupPolicy', async () => {
    const store = await approvedRecordInMoto('p-race');
    const calls = recordAwsCalls(clients.iam);
    const deps = depsFor(store, clients.iam);
    const results = await Promise.all(Array.from({ length: 20 }, () => applyProposal('p-race', deps)));

    expect(calls.filter((call) => call.command === 'PutGroupPolicyCommand')).toHaveLength(1);
    expect(results.filter((result) => result.kind === 'applied-verified')).toHaveLength(1);
    expect(
      results.every((result) => ['applied-verified', 'busy', 'not-approved'].includes(result.kind)),
    ).toBe(true);
    expect((await store.get('p-race'))?.status).toBe('verified');
  });
});
