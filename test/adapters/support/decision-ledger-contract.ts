/**
 * What every DecisionLedger must do, run against the in-memory ledger and DynamoDB (moto): a
 * decision id belongs to the first proposal it is recorded for, and is written at most once.
 */
import type { DecisionLedger } from '../../../lambda/ports/decision-ledger';

const AT = new Date('2026-06-17T03:00:05.000Z');
const LATER = new Date('2026-06-17T03:00:09.000Z');
const KEEP = new Date('2027-07-22T03:00:00.000Z');

export function decisionLedgerContract(name: string, makeLedger: () => Promise<DecisionLedger>): void {
  describe(`${name}: the decision ledger contract`, () => {
    let ledger: DecisionLedger;
    let n = 0;
    let id: string;
    beforeEach(async () => {
      ledger = await makeLedger();
      id = `decision-${++n}-${Math.random().toString(36).slice(2)}`;
    });

    it('records a new decision id for its proposal, and again for the same proposal', async () => {
      await expect(ledger.record(id, 'p-1', AT, KEEP)).resolves.toEqual({ kind: 'recorded' });
      await expect(ledger.record(id, 'p-1', LATER, KEEP)).resolves.toEqual({ kind: 'recorded' });
    });

    it('refuses the id to another proposal, naming the one it belongs to', async () => {
      await ledger.record(id, 'p-1', AT, KEEP);
      await expect(ledger.record(id, 'p-forged', LATER, KEEP)).resolves.toEqual({
        kind: 'taken',
        proposalId: 'p-1',
      });
    });

    it('says written once marked, keeping the first mark, and still refuses other proposals', async () => {
      await ledger.record(id, 'p-1', AT, KEEP);
      await ledger.markWritten(id, 'p-1', AT);
      await ledger.markWritten(id, 'p-1', LATER);
      await expect(ledger.record(id, 'p-1', LATER, KEEP)).resolves.toEqual({
        kind: 'written',
        writtenAt: AT.toISOString(),
      });
      await expect(ledger.record(id, 'p-2', LATER, KEEP)).resolves.toEqual({
        kind: 'taken',
        proposalId: 'p-1',
      });
    });

    it('refuses to mark written for a proposal the id is not recorded for', async () => {
      await expect(ledger.markWritten(id, 'p-1', AT)).rejects.toThrow(/not recorded for proposal p-1/);
      await ledger.record(id, 'p-1', AT, KEEP);
      await expect(ledger.markWritten(id, 'p-2', AT)).rejects.toThrow(/not recorded for proposal p-2/);
    });

    it('lets exactly one of two proposals racing for an id have it', async () => {
      const claims = await Promise.all([
        ledger.record(id, 'p-a', AT, KEEP),
        ledger.record(id, 'p-b', AT, KEEP),
      ]);
      const kinds = claims.map((claim) => claim.kind).sort();
      expect(kinds).toEqual(['recorded', 'taken']);
      const taken = claims.find((claim) => claim.kind === 'taken');
      const winner = claims[0]?.kind === 'recorded' ? 'p-a' : 'p-b';
      expect(taken).toEqual({ kind: 'taken', proposalId: winner });
    });
  });
}
