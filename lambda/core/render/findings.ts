/**
 * The words of each finding, made from its data, in the contract's shape
 * ({kind, message, policy, statement}) that the JSON, text, email and review reports show.
 */
import { describeMatched, denyingPolicyWords } from '../iam/blockers';
import type { Diagnosis, DiagnosisFinding, Finding, FindingKind } from '../model';
import { describeNearMiss } from './near-miss';
import { renderAwsFinding } from './aws-record';
import { permissionSetMessage } from './identity-center';

function shown(
  kind: FindingKind,
  message: string,
  policy: string | null = null,
  statement: string | null = null,
): Finding {
  return { kind, message, policy, statement };
}

function trustedWords(trustedServices: readonly string[]): string {
  return trustedServices.length > 0 ? trustedServices.join(', ') : 'no service';
}

/** The quota finding's sentence, also one of the proposal's risk flags. */
export function quotaMessage(finding: Extract<DiagnosisFinding, { kind: 'quota' }>): string {
  const { policyName, target, total, quota } = finding;
  return `Adding ${policyName} brings the inline policies of ${target.type} ${target.name} to ${total} characters, over IAM's ${quota}: put the statement in a customer managed policy instead.`;
}

function denyStatement(finding: Extract<DiagnosisFinding, { kind: 'deny-statement' }>): Finding {
  const { match } = finding;
  const kind =
    match.policyType === 'scp' ? 'scp' : match.policyType === 'boundary' ? 'boundary' : 'explicit-deny';
  const layer =
    match.policyType === 'scp'
      ? 'service control policy'
      : match.policyType === 'boundary'
        ? 'permissions boundary'
        : 'policy';
  return shown(
    kind,
    `Explicit deny in ${layer} ${describeMatched(match)}.`,
    match.policyArn ?? match.policyName,
    match.statement,
  );
}

type FindingOf<K extends DiagnosisFinding['kind']> = Extract<DiagnosisFinding, { kind: K }>;

const CROSS_ACCOUNT_MESSAGE = "errorMessage says 'Cross-account pass role is not allowed'";

function crossAccountMessage({ roleArn, roleAccount, account }: FindingOf<'cross-account'>): string {
  const never = `AWS never allows passing a role of another account`;
  if (roleArn !== null && roleAccount !== null) {
    return `The role ${roleArn} is in account ${roleAccount}, not ${account}: ${never}. Create the role in ${account}.`;
  }
  const named = roleArn === null ? 'and the record does not name it' : `though the record names ${roleArn}`;
  return `${CROSS_ACCOUNT_MESSAGE}: the role passed is of another account than ${account}, ${named}. ${never}: pass a role of ${account} (create it there if need be).`;
}

/** The message's explicit deny that the policies read here do not reproduce. */
function denyNotVisible({ policyType, policyArn }: FindingOf<'deny-not-visible'>): Finding {
  const kind = policyType === 'scp' ? 'scp' : policyType === 'boundary' ? 'boundary' : 'explicit-deny';
  const where = policyType === null ? '' : ` in ${denyingPolicyWords(policyType, policyArn)}`;
  const scpHint =
    policyType === 'scp' ? " To include it in the simulation, pass the SCP's document with --scp." : '';
  return shown(
    kind,
    `errorMessage names an explicit deny${where}, which the policies read here do not reproduce: the denying policy is not visible here, and no change made here can be verified against it.${scpHint}`,
    policyArn,
  );
}

/** Who creates such a session, and with which call: where the session policy is set. */
function sessionCreatedBy(principalType: FindingOf<'session-policy'>['principalType']): string {
  if (principalType === 'federated') return 'sts:GetFederationToken';
  if (principalType === 'role' || principalType === 'sso-role') {
    return 'sts:AssumeRole (or AssumeRoleWithSAML, AssumeRoleWithWebIdentity)';
  }
  return 'sts:AssumeRole or sts:GetFederationToken';
}

function sessionPolicyMessage(finding: FindingOf<'session-policy'>): string {
  const { explicit, policyArn, principalType, entity } = finding;
  const policy = `the session policy${policyArn === null ? '' : ` ${policyArn}`}`;
  const what =
    explicit === true
      ? `An explicit deny in ${policy} denied the request`
      : explicit === false
        ? `${policy.charAt(0).toUpperCase()}${policy.slice(1)} does not allow the request`
        : `errorMessage names ${policy} as the cause`;
  const owner =
    entity === null
      ? 'the entity behind the session'
      : `${principalType === 'federated' || principalType === 'user' ? 'the IAM user' : 'the role'} ${entity}`;
  return (
    `${what}. A session policy is set when the session is created and limits the session below the policies of ${owner}: no change to those can lift it, so none is proposed. ` +
    `It is passed to ${sessionCreatedBy(principalType)} in the Policy or PolicyArns parameter: create the session with a session policy that allows this iam:PassRole, or without one.`
  );
}

export function renderFinding(finding: DiagnosisFinding): Finding {
  switch (finding.kind) {
    case 'deny-statement':
      return denyStatement(finding);
    case 'scp-allows-nothing':
      return shown(
        'scp',
        'No service control policy in force allows iam:PassRole on this role: an identity policy alone cannot fix it.',
      );
    case 'boundary-allows-nothing':
      return shown(
        'boundary',
        `The permissions boundary ${finding.boundary?.name ?? ''} does not allow iam:PassRole on this role: the boundary must allow it too.`.replace(
          '  ',
          ' ',
        ),
        finding.boundary?.arn ?? null,
      );
    case 'root':
      return shown(
        'root',
        'The root user is not limited by identity policies: only an SCP or RCP of the organization can deny it. Ask the organization admins.',
      );
    case 'cross-account':
      return shown('cross-account', crossAccountMessage(finding));
    case 'service-linked-role':
      return shown(
        'service-linked-role',
        `${finding.role} is a service-linked role: AWS defines its permissions and they cannot be edited. The service's own configuration (or the role it was given) must change.`,
      );
    case 'account-note':
      return shown('not-found', finding.note);
    case 'role-not-found':
      return shown(
        'not-found',
        `The role ${finding.roleArn} does not exist in account ${finding.account}: check the name, or create it.`,
      );
    case 'trust-policy':
      if (finding.deniesService === true) {
        return shown(
          'trust-policy',
          `The trust policy of ${finding.role} denies ${finding.service} sts:AssumeRole: PassRole alone will not fix this; the trust policy's deny must not cover ${finding.service}.`,
        );
      }
      return shown(
        'trust-policy',
        `The trust policy of ${finding.role} does not let ${finding.service} assume it (it trusts ${trustedWords(finding.trustedServices)}): ` +
          `PassRole alone will not fix this; add ${finding.service} to the role's trust policy too.`,
      );
    case 'trust-mismatch':
      return shown(
        'service-mismatch',
        `The API implies iam:PassedToService ${finding.service}, but the role trusts ${trustedWords(finding.trustedServices)}: one of the two is not what was intended.`,
      );
    case 'service-assumed':
      return shown(
        'service-mismatch',
        `The record does not say which service receives the role; assuming ${finding.service}, the only service its trust policy admits.`,
      );
    case 'service-unknown':
      return shown(
        'service-mismatch',
        'The service that receives the role is unknown, so no minimal policy can be proposed.',
      );
    case 'already-allowed':
      return shown(
        'already-allowed',
        `${finding.principal} can pass ${finding.role} now: the permission was granted after the event, or the request's context differed.`,
      );
    case 'context-allows': {
      const conditions = finding.conditions.join(', ');
      return shown(
        'beneath-deny',
        `With ${conditions}, the request is allowed: no policy change is needed; make the call with ${conditions}.`,
      );
    }
    case 'context-deny-remains':
      return shown(
        'beneath-deny',
        `Even with ${finding.conditions.join(', ')}, another explicit deny blocks the request; no Allow can override it.`,
      );
    case 'context-no-allow':
      return shown(
        'beneath-deny',
        `With ${finding.conditions.join(', ')}, the request is still denied: no policy allows iam:PassRole on ${finding.role} for ${finding.service} (implicit deny).`,
      );
    case 'near-miss':
      return shown(
        'near-miss',
        describeNearMiss(finding.miss, finding.roleArn, finding.service),
        finding.miss.located.policyArn ?? finding.miss.located.policyName,
        finding.miss.located.statementId,
      );
    case 'quota':
      return shown('quota', quotaMessage(finding));
    case 'identity-center':
      return shown(
        'sso',
        `${finding.principal} is managed by IAM Identity Center: do not edit the role. Add the statement to the inline policy of permission set ${finding.permissionSet} (merge it with what is there), then re-provision the permission set to account ${finding.account}.`,
      );
    case 'permission-set':
      return shown('sso', permissionSetMessage(finding));
    case 'deny-not-visible':
      return denyNotVisible(finding);
    case 'session-policy':
      return shown('session-policy', sessionPolicyMessage(finding), finding.policyArn);
    case 'aws-record-unavailable':
    case 'aws-record-mismatch':
    case 'aws-record':
    case 'aws-context':
    case 'aws-evaluation':
      return renderAwsFinding(finding);
    case 'role-from-instance-profile':
      return shown(
        'instance-profile',
        `The record names no role, only instance profile ${finding.profile}: diagnosed for ${finding.roleArn}, the role the profile holds now (it may have held another when the call was made).`,
      );
    case 'instance-profile-not-found':
      return shown(
        'not-found',
        `There is no instance profile ${finding.profile} in account ${finding.account} now (deleted since the event, or not in the account data read): the role that was passed cannot be told.`,
      );
    case 'instance-profile-empty':
      return shown(
        'instance-profile',
        `The instance profile ${finding.profile} holds no role now: the role that was passed cannot be told. Put the intended role in it (aws iam add-role-to-instance-profile) before launching with it.`,
      );
    default: {
      const unknown: never = finding;
      throw new TypeError(`unknown finding ${JSON.stringify(unknown)}`);
    }
  }
}

/** A diagnosis's findings as the reports show them, in the order they were found. */
export function renderFindings(diagnosis: Diagnosis): Finding[] {
  switch (diagnosis.outcome) {
    case 'not-applicable':
      return [];
    case 'recorded':
      return diagnosis.findings;
    case 'unsimulated':
    case 'already-allowed':
    case 'explicit-deny':
    case 'context-only':
    case 'service-unknown':
    case 'proposed':
      return diagnosis.findings.map(renderFinding);
    default: {
      const unknown: never = diagnosis;
      throw new TypeError(`unknown outcome ${JSON.stringify(unknown)}`);
    }
  }
}
