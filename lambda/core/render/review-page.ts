import { approvableTarget } from '../approval/approvable-target';
import type { DecisionApprover } from '../approval/signed-decision';
import type { Diagnosis, Denial, Proposal } from '../model';
import type { OrganizationAccount } from '../organization/model';
import { accountName, ouPathText } from './account-label';
import { linkMayApproveProposal, NOT_ANALYSED, notApprovable, requirementWords } from './escalation-labels';
import { escapeHtml, page } from './html';
import { approvalSection, escalationSection, LINK_THREAT_SENTENCE } from './review-escalation';
import { verdictOf } from '../diagnosis/derived';
import { renderSummary } from './diagnosis-summary';
import { renderFindings } from './findings';
import { blastRadiusLines, mergedInto } from './identity-center';
import { lastSeenWords } from './occurrence';
import { VERDICT_WORDS } from './message/facts';
import { decisionCommand } from '../approval/links';
import { allowedAsVerified, andAssumed, assumedBy } from './verification-context';

/** What the review page shows of a stored proposal (a subset of the store's record). */
export interface ReviewRecord {
  id: string;
  status: string;
  denial: Denial;
  diagnosis: Diagnosis;
  proposal: Proposal | null;
  occurrenceCount: number;
  createdAt: string;
  lastSeenAt: string;
  /** The last counted denial's eventTime (core/incident.ts). */
  lastEventTime?: string | null;
  expiresAt: string;
  /** What the apply step found, once it finished. */
  outcome?: ReviewOutcome | null;
  /** Approvals collected so far for a proposal that needs two distinct approvers. */
  approvals?: DecisionApprover[];
  /** Organization mode: the denial's account as Organizations names it. */
  organizationAccount?: OrganizationAccount;
}

/** The parts of the apply outcome the page tells (core/apply/outcome.ts ApplyOutcome). */
export interface ReviewOutcome {
  readBackMatches: boolean;
  verification: string | null;
  blockers: string[];
  attempts: number;
  appliedAt: string | null;
  finishedAt: string;
}

/** One step of the record's history, as the page tells it. */
export interface ReviewEvent {
  status: string;
  /** An IAM ARN, or "link holder". */
  actor: string;
  at: string;
  sourceIp: string | null;
  /** Why (a failure's reason, what still blocks). */
  detail?: string | null;
}

export interface ReviewPageInput {
  record: ReviewRecord;
  history: ReviewEvent[];
  /** The link's token, for the Approve/Reject forms; null shows no buttons. */
  token: string | null;
  /** Where the forms post: `${actionBase}/approve` and `${actionBase}/reject`. */
  actionBase: string;
  now: Date;
  /**
   * Whether this link may approve the proposal, as the approval function decided it when the page was
   * asked for (it re-analyses). It can only take the Approve button away: the button also needs the
   * proposal's own analysis and requirement to allow a link (one approver). Absent: the proposal decides.
   */
  linkMayApprove?: boolean;
}

/** A row whose value is text (escaped here), or HTML already escaped where it was built. */
type Row = [string, string] | [string, { html: string }];

function definitionList(rows: Row[]): string {
  return `<dl>${rows.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${typeof value === 'string' ? escapeHtml(value) : value.html}</dd>`).join('')}</dl>`;
}

/**
 * The target group's members by name (at most TARGET_MEMBER_NAMES, the rest counted), each escaped
 * and in its own <bdi> (a name cannot reorder its neighbours); null when the names were not read.
 */
function membersHtml(proposal: Proposal): string | null {
  const { target } = proposal;
  if (target.type !== 'group' || target.memberNames === undefined) return null;
  if (target.memberNames.length === 0) return 'none';
  const names = target.memberNames.map((name) => `<bdi class="member">${escapeHtml(name)}</bdi>`).join(', ');
  const rest = (target.memberCount ?? target.memberNames.length) - target.memberNames.length;
  return `<span id="members">${names}</span>${rest > 0 ? ` and ${rest} more` : ''}`;
}

function list(items: string[], className = ''): string {
  if (items.length === 0) return '<p class="muted">None.</p>';
  return `<ul${className ? ` class="${className}"` : ''}>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
}

function targetWords(proposal: Proposal): string {
  const { target } = proposal;
  const members =
    target.type === 'group' && target.memberCount !== null
      ? ` (${target.memberCount} member${target.memberCount === 1 ? '' : 's'} gain it)`
      : '';
  return `${target.type} ${target.name}${members}`;
}

/** Who a permission set reaches: every name from Identity Center escaped as it lands in the HTML. */
function blastRadiusSection(proposal: Proposal, account: string): string {
  const reach = blastRadiusLines(proposal.target.blastRadius, account, escapeHtml);
  if (reach === null) return '';
  const items = reach.assignments.map((line) => `<li>${line}</li>`).join('');
  return `<h2>Who the permission set reaches</h2><p id="blast-radius">${reach.summary}</p>${items === '' ? '' : `<ul id="assignments">${items}</ul>`}`;
}

/**
 * The CLI command for a decision, as a person runs it: the page does not know the API's public URL
 * for sure (a custom domain), so URL is named for what it is rather than guessed.
 */
function cliCommand(decision: 'approve' | 'reject', id: string): string {
  return `<code>${escapeHtml(decisionCommand(decision, id, 'URL'))}</code> (URL: the stack's ApprovalApiUrl output, this page's address before /proposals)`;
}

/** Why the link offers no Approve button, and how the proposal can be approved instead. */
function noLinkApproval(record: ReviewRecord, proposal: Proposal): string {
  const command = cliCommand('approve', record.id);
  const rule = proposal.approval;
  if (notApprovable(proposal)) {
    const why =
      proposal.escalation?.kind === 'unknown'
        ? `what the grant adds is unknown: ${proposal.escalation.reason}`
        : (rule?.reason ?? 'it is not approvable');
    return `<p id="no-approve">No one can approve this proposal: ${escapeHtml(why)}. You can still reject it.</p>`;
  }
  if (rule === undefined || proposal.escalation === undefined) {
    return `<p id="no-approve">This link cannot approve it: it is ${escapeHtml(NOT_ANALYSED)}. An IAM approver can approve it with ${command}, signed with their own AWS credentials, once it is analysed. You can still reject it here.</p>`;
  }
  if (rule.requires === 'one-approver') {
    return `<p id="no-approve">This link cannot approve it now. An approver who does not gain it can approve it on the IAM route with ${command}, signed with their own AWS credentials. You can still reject it here.</p>`;
  }
  return `<p id="no-approve">This link cannot approve it: it needs ${escapeHtml(requirementWords(rule))}. A listed approver approves it with ${command}, signed with their own AWS credentials. You can still reject it here.</p>`;
}

/** What the Approve button does, exactly: an IAM write, or a permission set's write and provisioning. */
function approvingWords(record: ReviewPageInput['record'], proposal: Proposal): string {
  if (proposal.target.type !== 'permission-set') {
    return `Approving applies exactly the policy above to the ${escapeHtml(targetWords(proposal))}, reads it back and verifies it by simulation.`;
  }
  return `Approving merges exactly the statement above into the inline policy of permission set <strong>${escapeHtml(proposal.target.name)}</strong>, provisions it to account ${escapeHtml(accountOfRecord(record))} only, reads the role back there and verifies it by simulation.`;
}

function accountOfRecord(record: ReviewPageInput['record']): string {
  return record.organizationAccount === undefined
    ? record.denial.account
    : accountName(record.organizationAccount);
}

function decisionSection(input: ReviewPageInput, expired: boolean): string {
  const { record, token, actionBase } = input;
  const proposal = record.proposal;
  if (!proposal) return '<p>There is nothing to apply: this diagnosis has no proposal.</p>';
  if (!approvableTarget(proposal.target)) {
    return `<h2>Where to add it</h2><p>This principal is managed by IAM Identity Center: its role must not be edited, so this policy cannot be applied from here. Add the statement above to the inline policy of permission set <strong>${escapeHtml(proposal.target.name)}</strong> (merge it with what is there), then re-provision the permission set to account ${escapeHtml(accountOfRecord(record))}.</p>`;
  }
  if (record.status !== 'pending') {
    return `<p>This proposal is <span class="status">${escapeHtml(record.status)}</span>; it can no longer be approved or rejected.</p>`;
  }
  if (expired) return '<p>This proposal has expired; a new denial will open a new one.</p>';
  if (token === null) {
    return notApprovable(proposal)
      ? `<p class="muted">No one can approve it; reject it with ${cliCommand('reject', record.id)}.</p>`
      : `<p class="muted">Approve or reject it with ${cliCommand('approve', record.id)} / ${cliCommand('reject', record.id)}.</p>`;
  }
  const hidden = `<input type="hidden" name="token" value="${escapeHtml(token)}">`;
  const reject = `<form method="post" action="${escapeHtml(`${actionBase}/reject`)}">${hidden}<button class="reject" type="submit">Reject</button></form>`;
  // Safe by default: the button needs the caller's word and the proposal's own analysis and requirement.
  if (input.linkMayApprove === false || !linkMayApproveProposal(proposal)) {
    return `<h2>Decision</h2>\n${noLinkApproval(record, proposal)}\n${reject}`;
  }
  return `<h2>Decision</h2>
<p>${approvingWords(record, proposal)}</p>
<p id="link-threat" class="muted">${escapeHtml(LINK_THREAT_SENTENCE)}</p>
<form method="post" action="${escapeHtml(`${actionBase}/approve`)}">${hidden}<button class="approve" type="submit">Approve</button></form>
${reject}`;
}

/**
 * Where the proposal stands after the decision, in words a reviewer waiting for the result reads:
 * "being applied", "applied and verified", what still blocks, why it failed.
 */
function progressSection(input: ReviewPageInput): string {
  const { record, history } = input;
  const last = history[history.length - 1];
  const detail = last?.detail ? ` ${last.detail}` : '';
  const outcome = record.outcome ?? null;
  const readBack = outcome
    ? ` The policy read back from IAM ${outcome.readBackMatches ? 'matches' : 'does NOT match'} the approved document; ${outcome.attempts} simulation${outcome.attempts === 1 ? '' : 's'}.`
    : '';
  const words: Record<string, string> = {
    approved:
      'Approved: the change is being applied. The result appears on this page (reload it) and in the team channel.',
    applied:
      'Applied: verifying by simulation while IAM propagates the change. Reload this page for the result; the team channel gets it too.',
    verified: `Applied and verified: the denied request is now ${allowedAsVerified(record)}.${readBack}`,
    'not-verified': `Applied, but not verified: the request is still not allowed.${outcome && outcome.blockers.length > 0 ? ` Still blocking: ${outcome.blockers.join('; ')}.` : detail}${readBack}`,
    failed: `Failed:${detail || ' the change could not be applied.'}${readBack}`,
    rejected: 'Rejected: nothing was changed.',
  };
  const text = words[record.status];
  return text === undefined ? '' : `<p id="outcome">${escapeHtml(text)}</p>`;
}

/**
 * `data-prod (111122223333) in Root / Workloads`, each Organizations name escaped and in its own
 * <bdi>: a name with a bidi override cannot reorder the id or the path around it.
 */
function accountHtml(account: OrganizationAccount): string {
  const name = (text: string) => `<bdi>${escapeHtml(text)}</bdi>`;
  const path =
    account.ouPath.length === 0 ? 'no OU path' : account.ouPath.map((unit) => name(unit.name)).join(' / ');
  return `${name(account.name)} (${escapeHtml(account.id)}) in ${path}`;
}

/** What the page is about: a proposal to review only while it can still be decided. */
const DECIDED_HEADINGS: Record<string, string> = {
  reported: 'report (no proposal)',
  approved: 'approved proposal, being applied',
  applied: 'applied proposal, being verified',
  verified: 'applied and verified proposal',
  'not-verified': 'applied proposal, not verified',
  failed: 'approved proposal, apply failed',
  rejected: 'rejected proposal',
};

function pageHeading(record: ReviewRecord, expired: boolean): string {
  if (record.status === 'pending') return expired ? 'expired proposal' : 'review proposal';
  return DECIDED_HEADINGS[record.status] ?? `proposal (${record.status})`;
}

/** The review page: everything a reviewer needs to judge the change, and nothing that changes state. */
export function renderReviewPage(input: ReviewPageInput): string {
  const { record, history, now } = input;
  const { denial, diagnosis, proposal } = record;
  const expired = now.getTime() >= Date.parse(record.expiresAt);
  const findings = renderFindings(diagnosis);
  const nearMisses = findings
    .filter((finding) => finding.kind === 'near-miss')
    .map((finding) => finding.message);
  const otherFindings = findings
    .filter((finding) => finding.kind !== 'near-miss')
    .map((finding) => finding.message);
  const account = record.organizationAccount;
  const members = proposal ? membersHtml(proposal) : null;
  const body = [
    `<h1>iam:PassRole denial: ${escapeHtml(pageHeading(record, expired))}</h1>`,
    // Organization mode: which account the change writes into, before anything else.
    ...(account === undefined
      ? []
      : [`<p id="account">Account: <strong>${accountHtml(account)}</strong></p>`]),
    `<p>Status: <span class="status" id="status">${escapeHtml(record.status)}</span>${expired ? ' <span class="status">expired</span>' : ''}</p>`,
    progressSection(input),
    `<p id="summary">${escapeHtml(renderSummary(diagnosis))}</p>`,
    `<h2>The denial</h2>`,
    definitionList([
      ['Who', denial.principalArn],
      ['IAM entity', denial.policySourceArn ?? 'unknown'],
      ['Denied call', `${denial.deniedAction} (${denial.eventSource} ${denial.eventName})`],
      ['Role passed', denial.roleArn ?? 'unknown'],
      ['To service', denial.passedToService ?? 'unknown'],
      ['When', denial.eventTime ?? 'unknown'],
      ['Account and region', `${denial.account} ${denial.region}`],
      ...(account === undefined
        ? []
        : ([
            ['Account name', account.name],
            ['OU path', ouPathText(account)],
          ] as [string, string][])),
      ['Occurrences', `${record.occurrenceCount} (${lastSeenWords(record)})`],
      ['Verdict', VERDICT_WORDS[verdictOf(diagnosis)] ?? verdictOf(diagnosis)],
    ]),
    `<h2>Near misses</h2>`,
    list(nearMisses),
    `<h2>Other findings</h2>`,
    list(otherFindings),
    ...(proposal
      ? [
          `<h2>The change</h2>`,
          definitionList([
            ...(mergedInto(proposal.target)
              ? ([
                  ['Target', `permission set ${proposal.target.name}: merged into its inline policy`],
                  ['Statement', proposal.policyName],
                ] as Row[])
              : ([
                  ['Target', targetWords(proposal)],
                  ...(members === null ? [] : ([['Members who gain it', { html: members }]] as Row[])),
                  ['Inline policy name', proposal.policyName],
                ] as Row[])),
            [
              'Verified by simulation',
              proposal.verified
                ? `yes: allowed with it${andAssumed(assumedBy(record))}`
                : `no: ${proposal.blockers.join('; ')}`,
            ],
            ['Expires', record.expiresAt],
          ]),
          `<pre id="policy">${escapeHtml(JSON.stringify(proposal.document, null, 2))}</pre>`,
          blastRadiusSection(proposal, record.denial.account),
          escalationSection(proposal),
          approvalSection(proposal, record.approvals),
          `<h2>Risk</h2>`,
          list(proposal.risk, 'risk'),
        ]
      : []),
    decisionSection(input, expired),
    ...(history.length > 0
      ? [
          `<h2>History</h2>`,
          list(
            history.map(
              (event) =>
                `${event.at}: ${event.status} by ${event.actor}${event.sourceIp ? ` from ${event.sourceIp}` : ''}${event.detail ? ` (${event.detail})` : ''}`,
            ),
          ),
        ]
      : []),
  ].join('\n');
  const about = account === undefined ? '' : ` in ${account.name}`;
  const heading = pageHeading(record, expired);
  return page(`${heading[0]?.toUpperCase() ?? ''}${heading.slice(1)} ${record.id}${about}`, body);
}

export type ResultKind =
  | 'forbidden'
  | 'expired'
  | 'conflict'
  | 'not-found'
  | 'done'
  | 'bad-request'
  | 'method-not-allowed'
  | 'error'
  | 'unavailable';

const RESULT_STATUS: Record<ResultKind, number> = {
  forbidden: 403,
  expired: 410,
  conflict: 409,
  'not-found': 404,
  done: 200,
  'bad-request': 400,
  'method-not-allowed': 405,
  error: 500,
  unavailable: 503,
};

/** A link on a result page (back to the review page, whose URL carries the token). */
export interface ResultLink {
  href: string;
  label: string;
}

/** A short page for the outcome of a POST or a refused link, with its HTTP status. */
export function renderResultPage(
  kind: ResultKind,
  title: string,
  message: string,
  link?: ResultLink,
): { statusCode: number; body: string } {
  const more = link
    ? `<p><a id="review-link" href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>`
    : '';
  return {
    statusCode: RESULT_STATUS[kind],
    body: page(
      title,
      `<h1 id="result">${escapeHtml(title)}</h1><p id="message">${escapeHtml(message)}</p>${more}`,
    ),
  };
}
