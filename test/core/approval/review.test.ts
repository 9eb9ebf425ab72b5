import { InMemoryIncidentStore } from '../../../lambda/adapters/memory/in-memory-incident-store';
import { approvalClaimsOf } from '../../../lambda/core/approval/links';
import {
  checkReviewLink,
  listOpenProposals,
  reviewByLink,
  type LinkDependencies,
} from '../../../lambda/core/approval/review';
import type { Actor } from '../../../lambda/core/approval/status';
import { createHmac } from 'node:crypto';
import { legacyClaimsMessage } from '../../../lambda/core/approval/token';
import { linkMacOf, tokenOf } from '../../support/link-tokens';
import type { IncidentRecord } from '../../../lambda/core/incident';
import type { RecheckDependencies } from '../../../lambda/core/approval/recheck';
import { DEFAULT_APPROVAL_POLICY } from '../../../lambda/core/approval/requirement';
import { proposalRecord } from '../../adapters/support/proposal-records';
import { analyserAt, FakeEscalationReader } from '../../support/escalation';

const KEY = 'review-test-signing-key-'.padEnd(64, 'r');
const NOW = new Date('2026-06-18T00:00:00Z');
const AFTER_EXPIRY = new Date('2026-06-21T00:00:00Z');
const HOLDER: Actor = { kind: 'link-holder', name: 'link holder', sourceIp: '198.51.100.7', userAgent: null };

/** Another proposal of another incident (a store opens one record per incident). */
function anotherRecord(id: string, overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  return proposalRecord({ id, incidentKey: `incident-${id}`, ...overrides });
}

function tokenFor(record: IncidentRecord, key = KEY): string {
  const claims = approvalClaimsOf(record);
  if (claims === null) throw new Error('the record has no proposal to sign');
  return tokenOf(claims, key);
}

async function storeWith(...records: IncidentRecord[]): Promise<InMemoryIncidentStore> {
  const store = new InMemoryIncidentStore();
  for (const record of records) await store.create(record, new Date(record.createdAt));
  return store;
}

/** The re-check a review runs for proposals stored before the escalation analysis. */
function recheck(level: Parameters<typeof analyserAt>[0] = 'contained'): RecheckDependencies {
  return {
    escalationReader: new FakeEscalationReader(),
    analyse: analyserAt(level),
    policy: DEFAULT_APPROVAL_POLICY,
    ownResourceArns: [],
  };
}

async function linkDeps(...records: IncidentRecord[]): Promise<LinkDependencies & RecheckDependencies> {
  return { store: await storeWith(...records), linkMac: linkMacOf(KEY), ...recheck() };
}

describe('checkReviewLink', () => {
  it('vouches for the record its token was signed for', async () => {
    const deps = await linkDeps(proposalRecord());
    expect(await checkReviewLink(deps, 'p-1', tokenFor(proposalRecord()), NOW)).toMatchObject({
      kind: 'valid',
      record: { id: 'p-1' },
    });
  });

  it('says why a link vouches for nothing, reading nothing for a malformed id or a missing token', async () => {
    let reads = 0;
    const store = await storeWith(proposalRecord(), anotherRecord('p-report', { proposal: null }));
    const deps: LinkDependencies = {
      store: { get: (id) => (reads++, store.get(id)) },
      linkMac: linkMacOf(KEY),
    };
    const token = tokenFor(proposalRecord());

    expect(await checkReviewLink(deps, '../p-1', token, NOW)).toEqual({
      kind: 'invalid',
      reason: 'not a proposal id',
    });
    expect(await checkReviewLink(deps, 'p-1', '', NOW)).toEqual({ kind: 'invalid', reason: 'no token' });
    expect(reads).toBe(0);
    expect(await checkReviewLink(deps, 'p-gone', token, NOW)).toEqual({
      kind: 'invalid',
      reason: 'unknown proposal',
    });
    expect(await checkReviewLink(deps, 'p-report', token, NOW)).toEqual({
      kind: 'invalid',
      reason: 'nothing to review',
    });
    expect(
      await checkReviewLink(deps, 'p-1', tokenFor(proposalRecord(), KEY.replace('r', 'x')), NOW),
    ).toEqual({ kind: 'invalid', reason: 'wrong token' });
  });

  it('refuses a link of account A presented for the same proposal moved to account B', async () => {
    const inA = proposalRecord();
    const inB = proposalRecord({ denial: { ...inA.denial, account: '210987654321' } });
    const deps = await linkDeps(inB);
    expect(await checkReviewLink(deps, 'p-1', tokenFor(inA), NOW)).toEqual({
      kind: 'invalid',
      reason: 'wrong token',
    });
  });

  it('takes a link signed before the account was claimed for a single-account record only', async () => {
    const single = proposalRecord();
    const claims = approvalClaimsOf(single);
    if (claims === null) throw new Error('the record has a proposal');
    const legacy = createHmac('sha256', Buffer.from(KEY, 'utf8'))
      .update(legacyClaimsMessage(claims))
      .digest('base64url');
    expect(await checkReviewLink(await linkDeps(single), 'p-1', legacy, NOW)).toMatchObject({
      kind: 'valid',
    });
    const hub = proposalRecord({
      organizationAccount: { id: single.denial.account, name: 'payments', ouPath: [] },
    });
    expect(await checkReviewLink(await linkDeps(hub), 'p-1', legacy, NOW)).toEqual({
      kind: 'invalid',
      reason: 'wrong token',
    });
  });

  it('tells an expired link apart from a wrong one', async () => {
    const deps = await linkDeps(proposalRecord());
    expect(await checkReviewLink(deps, 'p-1', tokenFor(proposalRecord()), AFTER_EXPIRY)).toMatchObject({
      kind: 'expired',
      record: { id: 'p-1' },
    });
  });
});

describe('reviewByLink', () => {
  it('serves the page with the token for the forms and the history as the page lists it', async () => {
    const store = await storeWith(proposalRecord());
    await store.transition('p-1', { from: 'pending', to: 'rejected', actor: HOLDER, at: NOW, detail: 'no' });
    const token = tokenFor(proposalRecord());

    const outcome = await reviewByLink({ store, linkMac: linkMacOf(KEY), ...recheck() }, 'p-1', token, NOW);

    expect(outcome).toMatchObject({ kind: 'page', token, record: { status: 'rejected' } });
    expect(outcome.kind === 'page' && outcome.history).toEqual([
      {
        status: 'rejected',
        actor: 'link holder',
        at: NOW.toISOString(),
        sourceIp: '198.51.100.7',
        detail: 'no',
      },
    ]);
  });

  it('is forbidden with a wrong token', async () => {
    const deps = await linkDeps(proposalRecord());
    expect(await reviewByLink(deps, 'p-1', undefined, NOW)).toEqual({
      kind: 'forbidden',
      reason: 'no token',
    });
  });

  it('past the expiry: a pending proposal is expired, a decided one still shows, without the forms', async () => {
    const store = await storeWith(proposalRecord(), anotherRecord('p-2'));
    await store.transition('p-2', { from: 'pending', to: 'rejected', actor: HOLDER, at: NOW });
    const deps = { store, linkMac: linkMacOf(KEY), ...recheck() };

    expect(await reviewByLink(deps, 'p-1', tokenFor(proposalRecord()), AFTER_EXPIRY)).toMatchObject({
      kind: 'expired',
      record: { id: 'p-1' },
    });
    expect(await reviewByLink(deps, 'p-2', tokenFor(anotherRecord('p-2')), AFTER_EXPIRY)).toMatchObject({
      kind: 'page',
      token: null,
      record: { id: 'p-2', status: 'rejected' },
    });
  });
});

describe('listOpenProposals', () => {
  it('lists pending proposals not yet expired, newest first', async () => {
    const store = await storeWith(
      anotherRecord('p-old', {
        createdAt: '2026-06-14T00:00:00.000Z',
        expiresAt: '2026-06-17T00:00:00.000Z',
      }),
      proposalRecord({ id: 'p-1' }),
      anotherRecord('p-2', { createdAt: '2026-06-17T03:00:00.000Z' }),
      anotherRecord('p-report', { status: 'reported', proposal: null }),
    );
    const open = await listOpenProposals(store, 10, NOW);
    expect(open.map((record) => record.id)).toEqual(['p-2', 'p-1']);
  });
});
