/** The decision ledger in memory (serve, tests): the port's semantics, each call atomic. */
import { PassRoleDoctorError } from '../../core/errors';
import type { DecisionClaim, DecisionLedger } from '../../ports/decision-ledger';

interface Entry {
  proposalId: string;
  recordedAt: string;
  writtenAt: string | null;
}

export class InMemoryDecisionLedger implements DecisionLedger {
  private readonly entries = new Map<string, Entry>();

  // No expiry in memory: entries live as long as the process.
  async record(decisionId: string, proposalId: string, at: Date, _keepUntil?: Date): Promise<DecisionClaim> {
    const entry = this.entries.get(decisionId);
    if (entry === undefined) {
      this.entries.set(decisionId, { proposalId, recordedAt: at.toISOString(), writtenAt: null });
      return { kind: 'recorded' };
    }
    if (entry.proposalId !== proposalId) return { kind: 'taken', proposalId: entry.proposalId };
    return entry.writtenAt === null ? { kind: 'recorded' } : { kind: 'written', writtenAt: entry.writtenAt };
  }

  async markWritten(decisionId: string, proposalId: string, at: Date): Promise<void> {
    const entry = this.entries.get(decisionId);
    if (entry === undefined || entry.proposalId !== proposalId) {
      throw new PassRoleDoctorError(`decision ${decisionId} is not recorded for proposal ${proposalId}`);
    }
    entry.writtenAt ??= at.toISOString();
  }

  /** The entry of a decision id, for tests. */
  peek(decisionId: string): Readonly<Entry> | undefined {
    const entry = this.entries.get(decisionId);
    return entry === undefined ? undefined : { ...entry };
  }
}
