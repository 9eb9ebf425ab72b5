/**
 * The concurrency check, end to end on moto: 20 simultaneous approve POSTs of one review link
 * reach the approval function, whose apply trigger runs the apply step in-process (as the local server
 * does) with the product's IAM writer on moto's IAM and the DynamoDB store on moto's DynamoDB,
 * verified by the local simulator over what moto's IAM holds. The policy is applied exactly once.
 */
import { GetGroupPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { TargetedAccountReader } from '../../lambda/adapters/aws/targeted-account-reader';
import { recordAwsCalls } from '../../lambda/adapters/aws/aws-call-recorder';
import { DynamoDbIncidentStore } from '../../lambda/adapters/aws/dynamodb-incident-store';
import { IamPolicyWriter } from '../../lambda/adapters/aws/iam-policy-writer';
import { LocalLinkMac } from '../../lambda/adapters/local/local-keys';
import { LocalPolicySimulator } from '../../lambda/adapters/local/local-policy-simulator';
import { InMemoryEventPublisher } from '../../lambda/adapters/memory/in-memory-event-publisher';
import { InMemoryNotifier } from '../../lambda/adapters/memory/in-memory-notifier';
import { approvalClaimsOf } from '../../lambda/core/approval/links';
import { signApprovalToken } from '../../lambda/core/approval/token';
import { createDiagnoser } from '../../lambda/core/diagnose';
import { defaultEscalationDependencies } from '../../lambda/core/proposal/assess-escalation';
import { incidentKeyOf, newIncidentRecord, type IncidentRecord } from '../../lambda/core/incident';
import { createApprovalHandler } from '../../lambda/handlers/approval/handler';
import {
  describeApplyResult,
  InProcessApplyTrigger,
} from '../../lambda/handlers/local/in-process-apply-trigger';
import { SETTINGS, seedDenial } from '../core/apply/seed-apply';
import { formPost, RecordingLogger } from '../handlers/approval/support';
import {
  createMotoClients,
  MOTO_ACCOUNT_ID,
  motoClientConfig,
  motoEndpoint,
  type MotoClients,
} from './support/aws-clients';
import { resetMoto } from './support/moto';
import { createProposalsTable } from './support/proposal-tables';
import { createSerializedDynamoDbClient, type SerializedDynamoDb } from './support/serialized-dynamodb';
import { decisionPorts, LOOP_DECISION_KEYS } from './support/remediation-loop';
import { seedGlueAccount } from './support/seed-account';
import { InMemoryAuthorizationRecordReader } from '../../lambda/adapters/memory/in-memory-authorization-record-reader';

const APPROVALS = 20;

let clients: MotoClients;
let dynamodb: SerializedDynamoDb;

beforeAll(async () => {
  await resetMoto(motoEndpoint());
  clients = createMotoClients();
  // One connection: moto's conditional writes are not atomic under concurrent requests (DynamoDB's are).
  dynamodb = createSerializedDynamoDbClient();
  await seedGlueAccount(clients.iam);
});

afterAll(() => {
  clients.destroy();
  dynamodb.destroy();
});

/** The seed denial diagnosed live against moto's IAM, stored pending in a fresh table. */
async function pendingSeedProposal(): Promise<{
  store: DynamoDbIncidentStore;
  record: IncidentRecord;
  tableName: string;
}> {
  const denial = seedDenial();
  const reader = new TargetedAccountReader(clients.iam);
  const diagnosis = await createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(),
    accountReader: reader,
    simulator: new LocalPolicySimulator(),
    instanceProfiles: reader,
    escalation: defaultEscalationDependencies(reader),
  }).diagnose(denial);
  const now = new Date();
  const record = newIncidentRecord({
    id: 'p-approve-once',
    incidentKey: incidentKeyOf(denial),
    diagnosis: { ...diagnosis, denial },
    now,
    ttlHours: 72,
  });
  const tableName = 'approve-apply-once';
  await createProposalsTable(dynamodb.client, tableName);
  const table = new DynamoDbIncidentStore(dynamodb.client, tableName);
  expect((await table.create(record, now)).kind).toBe('created');
  return { store: table, record, tableName };
}

describe('20 simultaneous approve POSTs of one review link, on moto (DynamoDB and IAM)', () => {
  it('answer one 200 and 19 409s, and apply the policy exactly once', async () => {
    const { store, record, tableName } = await pendingSeedProposal();
    const proposal = record.proposal;
    if (proposal === null) throw new Error('the seed should yield a proposal');
    const claims = approvalClaimsOf(record);
    if (claims === null) throw new Error('nothing to sign');

    // The apply step's own IAM client, so its calls are the only ones counted.
    const applyIam = new IAMClient(motoClientConfig());
    const iamCalls = recordAwsCalls(applyIam);
    const results: string[] = [];
    const trigger = new InProcessApplyTrigger(
      {
        store,
        ...decisionPorts(applyIam, dynamodb.client, tableName),
        writer: new IamPolicyWriter(applyIam),
        simulator: new LocalPolicySimulator(),
        accountReader: new TargetedAccountReader(applyIam),
        notifier: new InMemoryNotifier(),
        events: new InMemoryEventPublisher(),
        clock: () => new Date(),
        // moto is consistent at once: a wait would mean the verification did not see the write.
        sleep: () => Promise.reject(new Error('verification should not need to wait on moto')),
        settings: { ...SETTINGS, accountId: MOTO_ACCOUNT_ID },
      },
      (_id, result) => results.push(describeApplyResult(result)),
    );
    const linkMac = new LocalLinkMac();
    const handler = createApprovalHandler({
      // The key and the reader the apply step verifies with: the real analysis over moto's IAM.
      signer: LOOP_DECISION_KEYS.signer,
      escalationReader: new TargetedAccountReader(clients.iam),
      store,
      applyTrigger: trigger,
      linkMac,
      logger: new RecordingLogger(),
      settings: { approvalMode: 'link' },
    });
    const token = await signApprovalToken(claims, linkMac);

    const responses = await Promise.all(
      Array.from({ length: APPROVALS }, () => handler(formPost(`/proposals/${record.id}/approve`, token))),
    );
    applyIam.destroy();

    const statuses = responses.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([200, ...Array<number>(APPROVALS - 1).fill(409)]);
    const winner = responses.find((response) => response.statusCode === 200);
    expect(winner?.body).toContain('<h1 id="result">Applied and verified</h1>');
    expect(results).toEqual([
      'applied and verified: allowed with MFA present (assumed by the simulation: the denied request did not have it) (1 simulation)',
    ]);

    const puts = iamCalls.filter((call) => call.command === 'PutGroupPolicyCommand');
    expect(puts).toHaveLength(1);
    const inIam = await clients.iam.send(
      new GetGroupPolicyCommand({ GroupName: proposal.target.name, PolicyName: proposal.policyName }),
    );
    expect(JSON.parse(decodeURIComponent(inIam.PolicyDocument ?? ''))).toEqual(proposal.document);

    const stored = await store.get(record.id);
    expect(stored?.status).toBe('verified');
    expect(stored?.history.map((event) => event.status)).toEqual(['approved', 'applied', 'verified']);
    expect(stored?.outcome).toMatchObject({ readBackMatches: true, verification: 'allowed' });

    console.log(
      `approve-apply-once: cases run 1, faults injected 0, incidents lost 0, policies double-applied ${Math.max(0, puts.length - 1)}; ${APPROVALS} simultaneous approve POSTs -> ${statuses.filter((s) => s === 200).length} x 200, ${statuses.filter((s) => s === 409).length} x 409; PutGroupPolicy calls: ${puts.length}; IAM calls of the apply: ${iamCalls.map((call) => call.command.replace(/Command$/, '')).join(', ')}; record ${stored?.status}`,
    );
  });
});
