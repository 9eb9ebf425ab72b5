/**
 * Part E of the attack suite: applying Identity Center permission sets. The real apply handler and
 * its core run over in-memory ports and Identity Center in memory (test/support/identity-center-
 * apply.ts). Each case is a record or an Identity Center state someone arranged so that the apply
 * function would push what nobody approved: a set edited after the approval, a set the delegated
 * administrator may not touch, a set the organization did not tag, a decision replayed or signed for
 * another account or another set. The attack escalated if any inline policy was written or any
 * provisioning requested.
 */
import { createApplyHandler } from '../../lambda/handlers/apply/handler';
import type { IncidentRecord } from '../../lambda/core/incident';
import { diagnosedSeedRecord, PROPOSAL_ID } from '../core/apply/seed-apply';
import {
  MANAGEMENT_ACCOUNT,
  OTHER_ACCOUNT,
  permissionSetApproved,
  permissionSetWorld,
  PS_SETTINGS,
  setDefinition,
  SET_ARN,
  type PermissionSetWorld,
} from '../core/apply/permission-set/world';
import { lambdaContext, RecordingLogger, RecordingMetrics } from '../handlers/diagnose/support';
import { envelopeOf, signEnvelope } from '../support/signed-approval';
import { recordAttack } from './support/attack-results';

const PART = 'identity-center';

let seed: IncidentRecord;
beforeAll(async () => {
  seed = await diagnosedSeedRecord();
});

async function run(world: PermissionSetWorld): Promise<string> {
  const { settings: _settings, clock, sleep, ...ports } = world.deps;
  const handler = createApplyHandler({
    ...ports,
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    clock,
    sleep,
    settings: { ...PS_SETTINGS, accountId: null, organization: true },
  });
  return handler({ proposalId: PROPOSAL_ID }, lambdaContext(240_000));
}

type Arrange = () => PermissionSetWorld;

const ATTACKS: [string, Arrange][] = [
  [
    'a set edited after the approval (AdministratorAccess attached, not provisioned)',
    () => {
      const world = permissionSetWorld(permissionSetApproved(seed));
      world.ic.edit(SET_ARN, (set) =>
        set.managedPolicyArns.push('arn:aws:iam::aws:policy/AdministratorAccess'),
      );
      return world;
    },
  ],
  [
    'a set provisioned to the management account, administered by a delegated administrator',
    () =>
      permissionSetWorld(permissionSetApproved(seed), {
        provisionedTo: [OTHER_ACCOUNT, MANAGEMENT_ACCOUNT, '123456789012'],
        administration: {
          kind: 'delegated',
          accountId: '555555555555',
          managementAccountId: MANAGEMENT_ACCOUNT,
        },
      }),
  ],
  [
    'a set the organization did not tag',
    () => {
      const definition = setDefinition({ tags: {} });
      return permissionSetWorld(permissionSetApproved(seed, definition), { definition });
    },
  ],
  [
    'a replayed decision (its id already used for another proposal)',
    () => {
      const record = permissionSetApproved(seed);
      const world = permissionSetWorld(record);
      void world.ledger.record(
        envelopeOf(record).decisionId,
        'p-earlier',
        new Date(),
        new Date(Date.now() + 3_600_000),
      );
      return world;
    },
  ],
  [
    'a decision whose claim provisions another account',
    () => permissionSetWorld(permissionSetApproved(seed, setDefinition(), { accountId: OTHER_ACCOUNT })),
  ],
  [
    'a record moved to another account under the same decision',
    () => {
      const record = permissionSetApproved(seed);
      return permissionSetWorld({ ...record, denial: { ...record.denial, account: OTHER_ACCOUNT } });
    },
  ],
  [
    'a record pointed at another permission set after the approval',
    () => {
      const record = permissionSetApproved(seed);
      const other = 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-ffffffffffffffff';
      if (record.proposal === null) throw new Error('no proposal');
      record.proposal.target.permissionSetArn = other;
      return permissionSetWorld(record, { definition: setDefinition({ permissionSetArn: other }) });
    },
  ],
  [
    'a decision for an IAM target copied onto the permission-set record',
    () => {
      const record = permissionSetApproved(seed);
      const { permissionSet: _claim, ...iam } = envelopeOf(record);
      return permissionSetWorld({ ...record, decision: signEnvelope(iam) });
    },
  ],
];

describe('the apply function pushes no permission set nobody approved', () => {
  it.each(ATTACKS)('%s', async (name, arrange) => {
    const world = arrange();
    await new Promise((resolve) => setImmediate(resolve));
    const outcome = await run(world);
    const wrote = world.ic.puts.length > 0 || world.ic.provisions.length > 0;
    recordAttack({ part: PART, name, escalated: wrote, forgedApplied: wrote });
    expect(outcome).toBe('refused');
    expect(world.ic.puts).toEqual([]);
    expect(world.ic.provisions).toEqual([]);
    expect(world.store.peek(PROPOSAL_ID)?.status).toBe('failed');
  });
});

describe('the apply function writes Identity Center only under the signed approver', () => {
  it('a record whose stored approvals name someone else: the writer carries the signed approver', async () => {
    const record = permissionSetApproved(seed);
    const forged = 'arn:aws:iam::123456789012:role/SomeoneElse';
    const world = permissionSetWorld({
      ...record,
      approvals: [{ kind: 'iam', name: forged, identity: forged }],
    });
    const outcome = await run(world);
    const misnamed = world.approvers.some((approver) => approver !== 'link holder');
    recordAttack({
      part: PART,
      name: 'a forged approver on the record (SourceIdentity of the Identity Center writes)',
      escalated: misnamed,
      forgedApplied: false,
    });
    expect(outcome).toBe('applied-verified');
    expect(world.approvers).toEqual(['link holder']);
  });
});
