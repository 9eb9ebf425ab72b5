/**
 * INTERIM, until the wiring branch's EscalationReader adapters (snapshot and live) land: reads R and
 * a user or role target through an AccountReader. A group's members are not read (its gainers are
 * empty), so membership changes of a group go unnoticed: it is wired only into `serve` and the
 * integration tests' loop, never into a deployed function (the apply function fails closed instead).
 */
import type { EscalationInputs } from '../core/escalation/model';
import type { PrincipalDetails, ProposalTarget } from '../core/model';
import type { AccountReader } from '../ports/account-reader';
import type { EscalationReader } from '../ports/escalation-reader';

export class InterimEscalationReader implements EscalationReader {
  constructor(private readonly accounts: AccountReader) {}

  async readEscalationInputs(roleArn: string, target: ProposalTarget): Promise<EscalationInputs> {
    const entity = target.type === 'user' || target.type === 'role' ? target.arn : null;
    // loadScope needs a principal: the target itself when it is one, else the role (read twice, harmless).
    const scope = await this.accounts.loadScope(entity ?? roleArn, roleArn);
    const gainers: PrincipalDetails[] = entity !== null && scope.principal !== null ? [scope.principal] : [];
    return {
      accountId: scope.accountId,
      role: scope.passedRole,
      gainers,
      trustingRoles: [],
      scps: null,
      notes: [...scope.notes, ...(target.type === 'group' ? ['the group members were not read'] : [])],
    };
  }
}
