import type { EscalationInputs } from '../core/escalation/model';
import type { ProposalTarget } from '../core/model';

/**
 * Reads what the escalation analysis needs about a proposal: the passed role, everyone who gains the
 * grant (with their policies), and the roles that trust the passed role. A role that does not exist
 * is `role: null`; a failed read throws (the analysis is then `unknown`, never approvable).
 */
export interface EscalationReader {
  readEscalationInputs(roleArn: string, target: ProposalTarget): Promise<EscalationInputs>;
}
