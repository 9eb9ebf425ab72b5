/** Escalation readers for tests whose account is a hand-built AccountScope. */
import type { EscalationInputs } from '../../lambda/core/escalation/model';
import type { AccountScope } from '../../lambda/core/model';
import type { EscalationReader } from '../../lambda/ports/escalation-reader';

/** The scope's passed role, its principal as the one who gains the grant; no trusting roles, no SCPs. */
export function scopeEscalationReader(scope: AccountScope): EscalationReader & { calls: number } {
  const reader = {
    calls: 0,
    async readEscalationInputs(): Promise<EscalationInputs> {
      reader.calls++;
      return {
        accountId: scope.accountId,
        role: scope.passedRole,
        gainers: scope.principal === null ? [] : [scope.principal],
        trustingRoles: [],
        scps: null,
        notes: [],
      };
    },
  };
  return reader;
}
