/**
 * Whether the hub diagnoses a denial: its account fields agree, the account is not excluded, the
 * organization knows it and it sits under an enrolled OU. Each check in that order, so an excluded
 * account is never looked up and nothing is read of an account whose fields disagree. Pure over the
 * OrganizationReader port; the handler acknowledges, logs and counts every refusal.
 */
import type { OrganizationReader } from '../../ports/organization-reader';
import type { Admission, AdmissionRefusal, DenialAccountFields, OrganizationPolicy } from './model';

/** The part of the hub's policy the admission applies. */
export type AdmissionPolicy = Pick<OrganizationPolicy, 'memberOus' | 'excludedAccounts'>;

export type Refusal = Extract<Admission, { kind: 'refused' }>;

const ACCOUNT_ID = /^\d{12}$/;

function refused(reason: AdmissionRefusal, accountId: string | null, detail: string): Refusal {
  return { kind: 'refused', reason, accountId, detail };
}

/** A field's value for a detail line: its own characters never reach a log unbounded. */
function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/**
 * The one account the three fields name, or why there is none. The envelope's account is set by
 * EventBridge (the member's own bus forwards it unchanged), the other two by CloudTrail; a record
 * whose caller is of another account than the one that recorded it is refused too: the hub acts in
 * one account per denial. An absent userIdentity.accountId (AWS service callers) is fine.
 */
export function agreedAccount(fields: DenialAccountFields): { kind: 'agreed'; accountId: string } | Refusal {
  const { envelopeAccount, recipientAccountId, userIdentityAccountId } = fields;
  // The envelope's account is the one EventBridge vouches for: the refusal is counted under it.
  const claimed = envelopeAccount !== null && ACCOUNT_ID.test(envelopeAccount) ? envelopeAccount : null;
  const disagree = (detail: string): Refusal => refused('account-fields-disagree', claimed, detail);
  if (envelopeAccount === null) return disagree('the event has no envelope account');
  if (claimed === null)
    return disagree(`the envelope account ${shown(envelopeAccount)} is not an account id`);
  if (recipientAccountId === null) return disagree('the record has no recipientAccountId');
  if (recipientAccountId !== envelopeAccount) {
    return disagree(
      `the envelope account ${envelopeAccount} and the record's recipientAccountId ${shown(recipientAccountId)} differ`,
    );
  }
  if (userIdentityAccountId !== null && userIdentityAccountId !== envelopeAccount) {
    return disagree(
      `the envelope account ${envelopeAccount} and the record's userIdentity.accountId ${shown(userIdentityAccountId)} differ`,
    );
  }
  return { kind: 'agreed', accountId: envelopeAccount };
}

/** Admits the denial's account, or refuses it with the first reason that applies. */
export async function admitDenial(
  fields: DenialAccountFields,
  policy: AdmissionPolicy,
  organization: OrganizationReader,
): Promise<Admission> {
  const agreed = agreedAccount(fields);
  if (agreed.kind === 'refused') return agreed;
  const { accountId } = agreed;
  if (policy.excludedAccounts.includes(accountId)) {
    return refused('account-excluded', accountId, `account ${accountId} is in excludedAccounts`);
  }
  const account = await organization.account(accountId);
  if (account === null) {
    return refused(
      'account-not-in-organization',
      accountId,
      `account ${accountId} is not an account of the organization`,
    );
  }
  // The root's own id counts: enrolling the root enrols every account.
  const enrolledBy = account.ouPath.find((unit) => policy.memberOus.includes(unit.id));
  if (enrolledBy === undefined) {
    return refused(
      'account-not-enrolled',
      accountId,
      `account ${accountId} is under none of the enrolled OUs (${policy.memberOus.join(', ')})`,
    );
  }
  return { kind: 'admitted', account };
}
