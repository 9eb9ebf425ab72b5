/**
 * Which account's IAM the apply step acts in. Without AccountAccess it is the function's own ports
 * (the local server, tests). With it (both modes on AWS) the ports are the proposal's account's:
 * written through AccountAccess.write with the approver as the source identity, so the member's
 * CloudTrail shows who decided; verified through AccountAccess.read. An account that cannot be
 * reached (MemberAccessError) is a reason, never a write elsewhere.
 */
import type { AccountAccess } from '../../ports/account-access';
import type { DecisionEnvelope } from '../approval/signed-decision';
import { MemberAccessError } from '../errors';
import type { ApplyDependencies } from './apply-step';

export type AccountPortsResolution = { ok: true; deps: ApplyDependencies } | { ok: false; reason: string };

/**
 * Who the member's CloudTrail names: the approver whose approval completed the decision (the second
 * of two). AccountAccess maps it to sts:SourceIdentity's characters and length.
 */
export function sourceIdentityOf(envelope: DecisionEnvelope): string {
  return envelope.approvers.at(-1)?.identity ?? envelope.decisionId;
}

function unreachable(error: MemberAccessError): string {
  return `account ${error.accountId} cannot be reached (${error.reason}): ${error.message}`;
}

async function resolve(
  deps: ApplyDependencies,
  access: (
    accounts: AccountAccess,
  ) => Promise<
    Partial<Pick<ApplyDependencies, 'writer'>> &
      Pick<ApplyDependencies, 'simulator' | 'escalationReader' | 'accountReader'>
  >,
): Promise<AccountPortsResolution> {
  if (deps.accounts === undefined) return { ok: true, deps };
  try {
    const ports = await access(deps.accounts);
    return { ok: true, deps: { ...deps, ...ports } };
  } catch (error) {
    if (error instanceof MemberAccessError) return { ok: false, reason: unreachable(error) };
    throw error;
  }
}

/** The ports that write `accountId` under `envelope`, the decision signed for it. */
export function portsForWrite(
  deps: ApplyDependencies,
  accountId: string,
  envelope: DecisionEnvelope,
): Promise<AccountPortsResolution> {
  return resolve(deps, async (accounts) => {
    const access = await accounts.write(accountId, sourceIdentityOf(envelope));
    return {
      writer: access.writer,
      simulator: access.simulator,
      escalationReader: access.escalationReader,
      // An offline simulator re-reads the principal's policies: the member's, never the hub's.
      accountReader: access.accountReader,
    };
  });
}

/** The ports that verify an earlier write in `accountId` (reads and simulation only). */
export function portsForVerification(
  deps: ApplyDependencies,
  accountId: string,
): Promise<AccountPortsResolution> {
  return resolve(deps, async (accounts) => {
    const access = await accounts.read(accountId);
    return {
      simulator: access.simulator,
      escalationReader: access.escalationReader,
      accountReader: access.accountReader,
    };
  });
}
