/**
 * Part D of the attack suite: the hub's admission (organization mode). A member account, or anyone
 * who gets an event onto the hub's bus, tries to have the hub diagnose a denial in an account it must
 * not act in: another member (a forged envelope account, a record whose caller is of another account,
 * a custom event claiming another member's denial), an excluded account, an account outside the
 * organization. The real diagnose handler, admission and diagnoser run over in-memory ports and a
 * fake member access that records every account read; the attack escalated if any account was read
 * or anything was stored or sent.
 */
import {
  EXCLUDED,
  MEMBER_A,
  MEMBER_B,
  memberEnvelope,
  memberRecord,
  organizationHarness,
  OUTSIDER,
} from '../support/organization-diagnose';
import { lambdaContext, sqsRecord } from '../handlers/diagnose/support';
import { recordAttack } from './support/attack-results';

const PART = 'organization';

/** Member B's record, moved to member A in the fields the attacker controls. */
function bRecordClaimingA(eventId: string, fields: 'recipient' | 'caller'): Record<string, unknown> {
  const record = memberRecord(MEMBER_A, eventId);
  if (fields === 'recipient')
    return { ...record, userIdentity: memberRecord(MEMBER_B, eventId)['userIdentity'] };
  return { ...record, userIdentity: { ...(record['userIdentity'] as object), accountId: MEMBER_B } };
}

const ATTACKS: [string, string][] = [
  // Member B's event, its envelope rewritten to say member A.
  ['a forged envelope account', memberEnvelope(memberRecord(MEMBER_B, 'atk-1'), { account: MEMBER_A })],
  // Recorded in A (envelope and recipient agree) but the caller is of B: the hub acts in one account.
  ['disagreeing account fields', memberEnvelope(bRecordClaimingA('atk-2', 'caller'))],
  // Member B forwards (from its own account) a record saying it was received in A.
  [
    'a member forwarding another member’s denial',
    memberEnvelope(bRecordClaimingA('atk-3', 'recipient'), { account: MEMBER_B }),
  ],
  // PutEvents by member B with its own source: never an aws.* event, whatever the detail says.
  [
    'a custom event claiming a member’s denial',
    memberEnvelope(memberRecord(MEMBER_A, 'atk-4'), { account: MEMBER_B, source: 'custom.forwarder' }),
  ],
  ['an excluded account', memberEnvelope(memberRecord(EXCLUDED, 'atk-5'))],
  ['an account outside the organization', memberEnvelope(memberRecord(OUTSIDER, 'atk-6'))],
];

describe('the hub diagnoses no denial it must not', () => {
  it.each(ATTACKS)('%s', async (name, body) => {
    const h = organizationHarness();
    const response = await h.handler({ Records: [sqsRecord('attack', body)] }, lambdaContext());
    const escalated = h.access.reads.length > 0 || h.store.all().length > 0 || h.notifier.messages.length > 0;
    recordAttack({ part: PART, name, escalated, forgedApplied: h.access.writes.length > 0 });

    expect(response.batchItemFailures).toEqual([]);
    expect(h.access.reads).toEqual([]);
    expect(h.access.writes).toEqual([]);
    expect(h.store.all()).toEqual([]);
    expect(h.notifier.messages).toEqual([]);
  });

  it('forged deliveries inventing account ids create no per-account metric (a billing attack)', async () => {
    const h = organizationHarness();
    const invented = ['900000000001', '900000000002', '900000000003'];
    const bodies = invented.flatMap((id, index) => [
      memberEnvelope(memberRecord(id, `bill-${index}`)),
      memberEnvelope(memberRecord(MEMBER_A, `bill-mix-${index}`), { account: id }),
    ]);
    await h.handler(
      { Records: bodies.map((body, index) => sqsRecord(`bill-${index}`, body)) },
      lambdaContext(),
    );
    const accountsCounted = new Set(
      h.metrics.dimensioned.published.map((metric) => metric.dimensions['account']),
    );
    const escalated = invented.some((id) => accountsCounted.has(id));
    recordAttack({
      part: PART,
      name: 'invented account ids as billed metrics',
      escalated,
      forgedApplied: false,
    });
    expect([...accountsCounted]).toEqual([]);
  });

  it('the same harness diagnoses a genuine denial of member A, read only there (the cases above are not vacuous)', async () => {
    const h = organizationHarness();
    await h.handler(
      { Records: [sqsRecord('genuine', memberEnvelope(memberRecord(MEMBER_A, 'ok-1')))] },
      lambdaContext(),
    );
    expect(h.access.reads).toEqual([MEMBER_A]);
    expect(h.store.all()).toHaveLength(1);
  });
});
