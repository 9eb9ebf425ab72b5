/**
 * Which account a denial is diagnosed in, and with whose identity: the gate in front of the incident
 * workflow. Single-account mode serves the function's own account only (SingleAccountAccess): a
 * denial of another account is refused, never read with this account's identity. Organization mode
 * admits the denial first (core/organization/admission.ts), then reads through that account's
 * member role (AccountAccess) with the SCPs Organizations says are in force there.
 *
 * The diagnoser is cheap to build (closures over the access's clients): organization mode builds one
 * per denial, so the SCP levels are the reader's current ones; the costly parts (credentials, IAM
 * clients, managed policy documents) live in the AccountReadAccess, which the AccountAccess keeps per
 * account per container. Single-account mode builds one per access object, i.e. once per container.
 */
import type { Diagnoser } from '../../core/diagnose';
import { InvalidInputError, MemberAccessError } from '../../core/errors';
import { accountOf } from '../../core/iam/arn';
import type { Denial } from '../../core/model';
import { admitDenial, type AdmissionPolicy } from '../../core/organization/admission';
import type {
  AdmissionRefusal,
  DenialAccountFields,
  OrganizationAccount,
} from '../../core/organization/model';
import type { AccountAccess, AccountReadAccess } from '../../ports/account-access';
import type { OrganizationReader, ServiceControlPolicy } from '../../ports/organization-reader';
import type { OuChannels } from './ou-channel';

export type DenialAccounts =
  | {
      mode: 'single-account';
      /** This deployment's access, given the function's own account (from its ARN). */
      access: (ownAccountId: string) => AccountAccess;
    }
  | {
      mode: 'organization';
      access: AccountAccess;
      organization: OrganizationReader;
      policy: AdmissionPolicy;
      /** Each account's messages also go to its nearest OU's channel (settings channelsByOu). */
      channels?: OuChannels;
    };

/** The diagnoser of one account: its reads and simulator, and the SCP levels in force (null: unknown). */
export type DiagnoserFor = (
  access: AccountReadAccess,
  scps: readonly (readonly ServiceControlPolicy[])[] | null,
) => Diagnoser;

/** Why a denial is not diagnosed here: organization mode's refusals, or another account than this one. */
export type DenialRefusal = AdmissionRefusal | 'not-this-account';

export interface GateRefusal {
  kind: 'refused';
  reason: DenialRefusal;
  accountId: string | null;
  detail: string;
}

export type GateOutcome =
  | GateRefusal
  | {
      kind: 'admitted';
      accountId: string;
      /** Organization mode: the account as Organizations names it (kept on the incident record). */
      organizationAccount: OrganizationAccount | null;
      diagnoser: Diagnoser;
    };

export interface AccountGate {
  admit(denial: Denial, fields: DenialAccountFields): Promise<GateOutcome>;
}

/** The MemberAccessError that stopped the work, whether thrown as is or wrapped as a cause. */
export function memberAccessErrorIn(error: unknown): MemberAccessError | null {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    if (current instanceof MemberAccessError) return current;
    seen.add(current);
    current = current.cause;
  }
  return null;
}

/** A MemberAccessError as the refusal it is: another account in single-account mode, else the role. */
export function refusalOf(error: MemberAccessError, mode: DenialAccounts['mode']): GateRefusal {
  const reason: DenialRefusal =
    mode === 'single-account' && error.reason === 'not-this-account'
      ? 'not-this-account'
      : 'member-role-unavailable';
  return { kind: 'refused', reason, accountId: error.accountId, detail: error.message };
}

/** The gate for the handler's mode; `invokedFunctionArn` gives single-account mode its own account. */
export function accountGate(
  accounts: DenialAccounts,
  diagnoserFor: DiagnoserFor,
  invokedFunctionArn: () => string | null,
): AccountGate {
  const diagnosers = new WeakMap<AccountReadAccess, Diagnoser>();
  let single: { accountId: string; access: AccountAccess } | null = null;

  function ownAccess(accessFor: (ownAccountId: string) => AccountAccess): AccountAccess {
    const arn = invokedFunctionArn();
    const accountId = arn === null ? null : accountOf(arn);
    if (accountId === null) {
      throw new InvalidInputError(`the function's own account is unknown (ARN ${String(arn)})`, 'context');
    }
    if (single === null || single.accountId !== accountId)
      single = { accountId, access: accessFor(accountId) };
    return single.access;
  }

  async function read(
    access: AccountAccess,
    accountId: string,
  ): Promise<AccountReadAccess | MemberAccessError> {
    try {
      return await access.read(accountId);
    } catch (error) {
      if (error instanceof MemberAccessError) return error;
      throw error;
    }
  }

  async function admitSingle(
    accessFor: (ownAccountId: string) => AccountAccess,
    denial: Denial,
  ): Promise<GateOutcome> {
    const access = await read(ownAccess(accessFor), denial.account);
    if (access instanceof MemberAccessError) return refusalOf(access, 'single-account');
    let diagnoser = diagnosers.get(access);
    if (diagnoser === undefined) {
      diagnoser = diagnoserFor(access, null);
      diagnosers.set(access, diagnoser);
    }
    return { kind: 'admitted', accountId: access.accountId, organizationAccount: null, diagnoser };
  }

  async function admitMember(
    organization: Extract<DenialAccounts, { mode: 'organization' }>,
    fields: DenialAccountFields,
  ): Promise<GateOutcome> {
    const admission = await admitDenial(fields, organization.policy, organization.organization);
    if (admission.kind === 'refused') return admission;
    const { account } = admission;
    const access = await read(organization.access, account.id);
    if (access instanceof MemberAccessError) return refusalOf(access, 'organization');
    // SCPs only for a new incident's diagnosis: a repeat of an open one reads nothing.
    const diagnoser: Diagnoser = {
      diagnose: async (denial) =>
        diagnoserFor(access, await organization.organization.serviceControlPolicies(account.id)).diagnose(
          denial,
        ),
    };
    return { kind: 'admitted', accountId: account.id, organizationAccount: account, diagnoser };
  }

  return {
    admit: (denial, fields) =>
      accounts.mode === 'single-account'
        ? admitSingle(accounts.access, denial)
        : admitMember(accounts, fields),
  };
}
