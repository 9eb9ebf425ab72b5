/**
 * What the diagnose function tells about accounts: each refused denial (logged with its reason and
 * counted, in total and per reason), and in organization mode the denials, proposals, reports,
 * refusals and failures of each account (the metric names below with the dimension `account`, the
 * hub dashboard's rows). Single-account mode publishes no per-account metrics: one account, and its
 * metric count (and cost) stays as it was.
 */
import type { CorrelatedLogger, DimensionedMetrics } from '../../ports/observability';
import type { DenialRefusal, GateRefusal } from './accounts';

/** Refused denials: the total, and one metric per reason. */
export const REFUSAL_METRIC = {
  total: 'DenialsRefused',
  byReason: {
    'account-fields-disagree': 'RefusedAccountFieldsDisagree',
    'account-excluded': 'RefusedAccountExcluded',
    'account-not-in-organization': 'RefusedAccountNotInOrganization',
    'account-not-enrolled': 'RefusedAccountNotEnrolled',
    'member-role-unavailable': 'MemberRoleUnavailable',
    'not-this-account': 'RefusedOtherAccount',
  } satisfies Record<DenialRefusal, string>,
} as const;

/** The dimension organization mode's per-account metrics carry (besides the service). */
export const ACCOUNT_DIMENSION = 'account';

/**
 * The metrics published per account in organization mode (same names as the totals, one more
 * dimension): DenialsSeen (admitted denials), ProposalsCreated, ReportsCreated, DenialsRefused
 * (refusals whose account is known) and Errors (denials that failed or cannot be diagnosed).
 */
export const ACCOUNT_METRICS = [
  'DenialsSeen',
  'ProposalsCreated',
  'ReportsCreated',
  'DenialsRefused',
  'Errors',
] as const;
export type AccountMetric = (typeof ACCOUNT_METRICS)[number];

const ACCOUNT_ID = /^\d{12}$/;

/**
 * Refusals whose account the organization vouches for (configured, a member, or admitted). The
 * others name whatever account a forged or foreign delivery claims: counted per account, each new id
 * would be a new CloudWatch metric, billed, so an attacker could run up the hub's bill.
 */
const ACCOUNT_KNOWN: Record<DenialRefusal, boolean> = {
  'account-fields-disagree': false,
  'account-excluded': true,
  'account-not-in-organization': false,
  'account-not-enrolled': true,
  'member-role-unavailable': true,
  'not-this-account': false,
};

export function accountReporter(
  logger: CorrelatedLogger,
  metrics: DimensionedMetrics,
  options: { byAccount: boolean },
) {
  /** One count under the account's dimension; only account ids become dimension values. */
  function countFor(name: AccountMetric, accountId: string | null): void {
    if (!options.byAccount || accountId === null || !ACCOUNT_ID.test(accountId)) return;
    const single = metrics.singleMetric();
    single.addDimension(ACCOUNT_DIMENSION, accountId);
    single.addMetric(name, 'Count', 1);
  }

  /** A denial acknowledged without a diagnosis: never read, never retried. */
  function refused(outcome: GateRefusal): void {
    metrics.addMetric(REFUSAL_METRIC.total, 'Count', 1);
    metrics.addMetric(REFUSAL_METRIC.byReason[outcome.reason], 'Count', 1);
    if (ACCOUNT_KNOWN[outcome.reason]) countFor('DenialsRefused', outcome.accountId);
    const attributes = { reason: outcome.reason, accountId: outcome.accountId, detail: outcome.detail };
    if (outcome.reason === 'member-role-unavailable') {
      logger.warn('denial acknowledged: the member role could not be assumed', attributes);
    } else {
      logger.info('denial acknowledged without a diagnosis', attributes);
    }
  }

  return { countFor, refused };
}
