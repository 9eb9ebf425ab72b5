import { nameOf } from '../../iam/arn';
import { callerName } from '../caller-name';
import type { Finding } from '../../model';
import type { OrganizationAccount } from '../../organization/model';
import type { MessageInput } from './types';
import { renderFindings } from '../findings';

/** The raw (unescaped) facts every form of the message is written from. */
export interface MessageFacts {
  /** The caller's short name (user name; a session's role and session name). */
  who: string;
  roleName: string;
  service: string;
  nearMiss: Finding | null;
  reviewUrl: string | null;
  /** `passrole-doctor approve <id>` / `reject <id>` for named approvers; null when not offered. */
  approveCommand: string | null;
  rejectCommand: string | null;
  /** Organization mode: the denial's account as Organizations names it; null in single-account mode. */
  account: OrganizationAccount | null;
  /** What the message is about, in a few words: 'proposal', 'reminder' or 'report'. */
  flavor: 'proposal' | 'reminder' | 'report';
}

/** The review page of a proposal: `<base>/proposals/<id>`. */
export function reviewUrlOf(base: string | null, proposalId: string): string | null {
  if (base === null || base.trim() === '') return null;
  return `${base.trim().replace(/\/+$/, '')}/proposals/${encodeURIComponent(proposalId)}`;
}

export function messageFacts({ kind, record, reviewBaseUrl, links }: MessageInput): MessageFacts {
  const denial = record.denial;
  const hasProposal = record.proposal !== null;
  const reviewUrl = links !== undefined ? links.reviewUrl : reviewUrlOf(reviewBaseUrl, record.id);
  return {
    who: callerName(denial.principalArn),
    roleName: denial.roleArn === null ? 'an unknown role' : nameOf(denial.roleArn),
    service: denial.passedToService ?? 'an unknown service',
    nearMiss: renderFindings(record.diagnosis).find((finding) => finding.kind === 'near-miss') ?? null,
    reviewUrl: hasProposal ? reviewUrl : null,
    approveCommand: hasProposal ? (links?.approveCommand ?? null) : null,
    rejectCommand: hasProposal ? (links?.rejectCommand ?? null) : null,
    account: record.organizationAccount ?? null,
    flavor: !hasProposal ? 'report' : kind === 'reminder' ? 'reminder' : 'proposal',
  };
}

export const VERDICT_WORDS: Record<string, string> = {
  allowed: 'allowed now',
  explicitDeny: 'explicit deny',
  implicitDeny: 'implicit deny',
  'not-applicable': 'not applicable',
};

export function memberPhrase(type: string, memberCount: number | null): string {
  if (type !== 'group' || memberCount === null) return '';
  return ` (${memberCount} member${memberCount === 1 ? '' : 's'})`;
}
