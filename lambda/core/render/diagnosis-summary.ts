/**
 * The sentence a person reads first, and the not-applicable reason, made from the outcome's data.
 */
import { describeMatched, denyingPolicyWords } from '../iam/blockers';
import { nameOf } from '../iam/arn';
import type {
  Denial,
  DenyingPolicyType,
  Diagnosis,
  DiagnosisFinding,
  DiagnosisOf,
  NearMissFinding,
} from '../model';
import { roleNameOf } from '../iam/arn';
import type { NotApplicableWhy } from '../diagnosis/types';
import { callerName } from './caller-name';
import { nearMissInsight } from './near-miss';

function notApplicableReason(why: NotApplicableWhy): string {
  switch (why.code) {
    case 'role-not-named':
      return 'The record does not say which role was passed (neither the message nor the request parameters name it).';
    case 'principal-unknown':
      return `Cannot tell which IAM entity made the call (${why.principalArn}).`;
    case 'not-a-passrole-denial':
      return why.reason;
    default: {
      const unknown: never = why;
      throw new TypeError(`unknown reason ${JSON.stringify(unknown)}`);
    }
  }
}

/** Why the record is not applicable; null for every other outcome. */
export function renderReason(diagnosis: Diagnosis): string | null {
  if (diagnosis.outcome === 'not-applicable') return notApplicableReason(diagnosis.why);
  if (diagnosis.outcome === 'recorded') return diagnosis.reason;
  return null;
}

/** Triage let only denials that name the role through. */
function roleArnOf(denial: Denial): string {
  return denial.roleArn ?? '';
}

function unsimulatedSummary({ denial, why }: DiagnosisOf<'unsimulated'>): string {
  switch (why.kind) {
    case 'root':
      return `The root user was denied iam:PassRole on ${nameOf(roleArnOf(denial))}: an organization policy blocks it.`;
    case 'cross-account':
      return why.roleAccount === null
        ? `${callerName(denial.principalArn)} tried to pass a role of another account, which AWS never allows (errorMessage: 'Cross-account pass role is not allowed').`
        : `${callerName(denial.principalArn)} tried to pass a role of another account (${why.roleAccount}), which AWS never allows.`;
    case 'service-linked-role':
      return `A service-linked role was denied iam:PassRole on ${nameOf(roleArnOf(denial))}; its permissions cannot be edited.`;
    case 'session-policy':
      return `${callerName(denial.principalArn)} was denied iam:PassRole on ${roleNameOf(roleArnOf(denial))} by its session policy, set when the session was created: no change to identity-based policies can lift it.`;
    case 'instance-profile-unresolved': {
      const now =
        why.state === 'empty' ? 'holds no role now' : `does not exist in account ${denial.account} now`;
      return `${callerName(denial.principalArn)} was denied iam:PassRole on the role in instance profile ${why.profile}, which ${now}: the role that was passed cannot be told.`;
    }
    default: {
      const unknown: never = why;
      throw new TypeError(`unknown reason ${JSON.stringify(unknown)}`);
    }
  }
}

function proposedSummary(diagnosis: DiagnosisOf<'proposed'>, who: string, roleName: string): string {
  const { cause, service } = diagnosis;
  const roleArn = roleArnOf(diagnosis.denial);
  const because =
    cause.kind === 'deny-without-context'
      ? `${cause.denies.map(describeMatched).join('; ') || 'an explicit deny'} denies it without ${cause.conditions.join(', ')}, and even with it no policy allows it`
      : cause.kind === 'deny-not-visible'
        ? `${unseenWords(cause)} denies it (the denying policy is not visible here), and no policy read here allows it`
        : 'no policy allows it';
  const misses = diagnosis.findings
    .filter((finding): finding is NearMissFinding => finding.kind === 'near-miss')
    .map((finding) => finding.miss);
  const sentence = nearMissInsight(misses, roleArn, service);
  const insight = sentence ? ` — ${sentence}` : '';
  return `${who} may not pass ${roleName} to ${service}: ${because}${insight}.`;
}

function unseenWords(deny: { policyType: DenyingPolicyType | null; policyArn: string | null }): string {
  return deny.policyType === null
    ? 'an explicit deny'
    : `an explicit deny in ${denyingPolicyWords(deny.policyType, deny.policyArn)}`;
}

/** The message's explicit deny that the policies read here do not reproduce, when there is one. */
function unseenDenyOf(diagnosis: { findings: readonly DiagnosisFinding[] }): string | null {
  const unseen = diagnosis.findings.find((finding) => finding.kind === 'deny-not-visible');
  return unseen?.kind === 'deny-not-visible' ? unseenWords(unseen) : null;
}

/** One sentence a person reads first. */
export function renderSummary(diagnosis: Diagnosis): string {
  if (diagnosis.outcome === 'not-applicable') {
    const { why } = diagnosis;
    return why.code === 'not-a-passrole-denial'
      ? `${why.where}: not an iam:PassRole denial (${why.reason})`
      : notApplicableReason(why);
  }
  if (diagnosis.outcome === 'recorded') return diagnosis.summary;
  const who = callerName(diagnosis.denial.principalArn);
  const roleName = roleNameOf(roleArnOf(diagnosis.denial));
  switch (diagnosis.outcome) {
    case 'unsimulated':
      return unsimulatedSummary(diagnosis);
    case 'already-allowed': {
      const unseen = unseenDenyOf(diagnosis);
      return unseen === null
        ? `${who} is allowed to pass ${roleName} now; nothing to fix.`
        : `The policies read here allow ${who} to pass ${roleName} now, but errorMessage names ${unseen} that they do not include.`;
    }
    case 'explicit-deny':
      return diagnosis.beneathContext
        ? `${who} was denied iam:PassRole on ${roleName} by explicit denies that no Allow can override.`
        : `${who} was denied iam:PassRole on ${roleName} by an explicit deny that no Allow can override; the deny's owner must narrow it.`;
    case 'context-only': {
      const unseen = unseenDenyOf(diagnosis);
      const conditions = diagnosis.conditions.join(', ');
      return unseen === null
        ? `${who} was denied iam:PassRole on ${roleName} only because of the request's context: retry with ${conditions}.`
        : `${who} was denied iam:PassRole on ${roleName}; with ${conditions} the policies read here allow it, but errorMessage names ${unseen} that they do not include.`;
    }
    case 'service-unknown':
      return `${who} was denied iam:PassRole on ${roleName}; the receiving service is unknown.`;
    case 'proposed':
      return proposedSummary(diagnosis, who, roleName);
    default: {
      const unknown: never = diagnosis;
      throw new TypeError(`unknown outcome ${JSON.stringify(unknown)}`);
    }
  }
}
