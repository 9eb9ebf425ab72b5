/**
 * The diagnosis as data: one variant per outcome, each with the facts that make it, and typed
 * findings. The words are made from these by core/render (diagnosis-summary.ts, findings.ts); the
 * JSON report derives its flat fields (verdict, summary, findings, reason) from them.
 */
import type { NotApplicableCode } from '../denial/read-outcome';
import type { AwsEvaluatedEffect, AwsRecordUnavailableReason } from '../evidence/aws-evaluation';
import type { AwsRecordMismatch } from '../evidence/record-belongs';
import type { ContextDifference } from '../evidence/record-context';
import type { AwsDisagreement } from '../evidence/record-disagreement';
import type { AwsStatementEvidence } from '../evidence/record-statements';
import type { NearMiss } from '../analysis/near-miss';
import type {
  Denial,
  DenyingPolicyType,
  MatchedStatement,
  PrincipalType,
  Proposal,
  ProposalTargetType,
} from '../model';

export type Verdict = 'allowed' | 'explicitDeny' | 'implicitDeny' | 'not-applicable';

/** The finding kinds of the JSON contract (a report's `findings[].kind`): several typed findings share one. */
export type FindingKind =
  | 'explicit-deny'
  | 'near-miss'
  | 'scp'
  | 'boundary'
  | 'trust-policy'
  | 'cross-account'
  | 'service-linked-role'
  | 'sso'
  | 'root'
  | 'not-found'
  | 'beneath-deny'
  | 'already-allowed'
  | 'service-mismatch'
  | 'quota'
  | 'session-policy'
  /** AWS's own record of the request: what it matched, the context it evaluated. */
  | 'aws-record'
  /** AWS's record and the simulation disagree. */
  | 'aws-evaluation'
  | 'aws-record-unavailable'
  /** The record under the message's authorization ID is of another request: not evidence. */
  | 'aws-record-mismatch'
  | 'instance-profile';

/** A finding as the reports show it: the contract's shape, rendered from a DiagnosisFinding. */
export interface Finding {
  kind: FindingKind;
  message: string;
  /** The policy concerned (name or ARN), when there is one. */
  policy: string | null;
  /** The statement concerned (Sid or index), when there is one. */
  statement: string | null;
}

/** A finding as data: what was found, with the facts a renderer needs. */
export type DiagnosisFinding =
  /** A Deny statement the simulator matched (identity policy, SCP or permissions boundary). */
  | { kind: 'deny-statement'; match: MatchedStatement }
  /** The SCPs in force allow nothing for the request, without a matched deny. */
  | { kind: 'scp-allows-nothing' }
  /** The permissions boundary does not allow the request, without a matched deny. */
  | { kind: 'boundary-allows-nothing'; boundary: { name: string; arn: string } | null }
  | { kind: 'root' }
  /**
   * A role of another account; `roleAccount` null when only the message says so ('Cross-account pass
   * role is not allowed'), `roleArn` null when the record names no role. `account` is the caller's.
   */
  | { kind: 'cross-account'; roleArn: string | null; roleAccount: string | null; account: string }
  /** The caller's entity is a service-linked role (its name). */
  | { kind: 'service-linked-role'; role: string }
  /** What the account reader could not read or had to assume. */
  | { kind: 'account-note'; note: string }
  | { kind: 'role-not-found'; roleArn: string; account: string }
  /** The passed role's trust policy does not admit the receiving service (or denies it). */
  | { kind: 'trust-policy'; role: string; service: string; trustedServices: string[]; deniesService?: true }
  /** The API implies one service, the role trusts others. */
  | { kind: 'trust-mismatch'; service: string; trustedServices: string[] }
  /** The record names no service: the only one the trust policy admits is assumed. */
  | { kind: 'service-assumed'; service: string }
  | { kind: 'service-unknown' }
  | { kind: 'already-allowed'; principal: string; role: string }
  /** Once the request's context is met (conditions, e.g. 'MFA present'), the request is allowed. */
  | { kind: 'context-allows'; conditions: string[] }
  /** Even with the context met, another explicit deny blocks. */
  | { kind: 'context-deny-remains'; conditions: string[] }
  /** With the context met, no policy allows it (implicit deny). */
  | { kind: 'context-no-allow'; conditions: string[]; role: string; service: string }
  | { kind: 'near-miss'; miss: NearMiss; roleArn: string; service: string }
  /** The target's inline policies would exceed IAM's quota with the proposal added. */
  | {
      kind: 'quota';
      policyName: string;
      target: { type: Exclude<ProposalTargetType, 'permission-set'>; name: string };
      total: number;
      quota: number;
    }
  /** The principal is an Identity Center role: the statement goes into the permission set. */
  | { kind: 'identity-center'; principal: string; permissionSet: string; account: string }
  /** The permission set as read from Identity Center: the merge proposed, or why none is. */
  | { kind: 'permission-set'; permissionSet: string; account: string; state: PermissionSetState }
  /** The message names an explicit deny (its type and ARN as written) that the simulation does not reproduce. */
  | { kind: 'deny-not-visible'; policyType: DenyingPolicyType | null; policyArn: string | null }
  /**
   * The message names the session's own policy as the cause (explicit deny, or nothing allows): set
   * when the session was created, beyond the reach of the entity's policies. `entity` names the role
   * or the IAM user behind the session, when known.
   */
  | {
      kind: 'session-policy';
      explicit: boolean | null;
      policyArn: string | null;
      principalType: PrincipalType;
      entity: string | null;
    }
  /** AWS's record of the request could not be read (the reason is counted): the simulation alone decides. */
  | {
      kind: 'aws-record-unavailable';
      authorizationId: string;
      reason: AwsRecordUnavailableReason;
      detail: string;
    }
  /** The record under the message's authorization ID is not of this request: never evidence. */
  | { kind: 'aws-record-mismatch'; authorizationId: string; mismatches: AwsRecordMismatch[] }
  /**
   * AWS's evaluation of iam:PassRole on the role, the first evidence: its effect and one statement it
   * matched, found in the account data where possible (null: it matched none, as for an implicit deny).
   */
  | {
      kind: 'aws-record';
      authorizationId: string;
      roleArn: string;
      effect: AwsEvaluatedEffect | null;
      statement: AwsStatementEvidence | null;
    }
  /** AWS's request context replaced the reconstructed one where they differ (simulations run under it). */
  | { kind: 'aws-context'; differences: ContextDifference[]; ignored: string[] }
  /** AWS's evaluation and the simulation of the request disagree. */
  | { kind: 'aws-evaluation'; disagreement: AwsDisagreement }
  /** The record names no role, only an instance profile: the role is the one the profile holds now. */
  | { kind: 'role-from-instance-profile'; profile: string; roleArn: string }
  /** The record names no role, only an instance profile, and the account has no such profile now. */
  | { kind: 'instance-profile-not-found'; profile: string; account: string }
  /** The record names no role, only an instance profile, which holds no role now. */
  | { kind: 'instance-profile-empty'; profile: string };

/**
 * What reading the permission set gave. Only `merged` is an automatic proposal; every other state
 * keeps the advice to change the set in Identity Center, and says why.
 */
export type PermissionSetState =
  /** Merged into the set's inline policy (`alreadyPresent`: it was there, only provisioning is missing). */
  | { kind: 'merged'; alreadyPresent: boolean; provisionedAccounts: number }
  /** No set of that name in the instance. */
  | { kind: 'not-found' }
  /** Identity Center could not be read. */
  | { kind: 'read-failed'; problem: string }
  /** The set's inline policy cannot be merged into (not JSON, no statements). */
  | { kind: 'inline-unreadable'; problem: string }
  /** The merged inline policy exceeds a limit: sso-admin's with whitespace, or IAM's without. */
  | { kind: 'too-large'; limit: 'permission-set-inline' | 'iam-role-inline'; size: number; max: number }
  /** A delegated administrator cannot change a set provisioned to the management account. */
  | { kind: 'management-account'; managementAccountId: string; administratorAccountId: string };

export type NearMissFinding = Extract<DiagnosisFinding, { kind: 'near-miss' }>;

/** Why a record is not a denial the engine diagnoses: a code, with its facts. */
export type NotApplicableWhy =
  /** Neither the message nor the request parameters name the passed role. */
  | { code: 'role-not-named' }
  /** The IAM entity that made the call cannot be told (the caller as recorded). */
  | { code: 'principal-unknown'; principalArn: string }
  /** The reader found no iam:PassRole denial in the record (where it is, and the reader's reason). */
  | { code: 'not-a-passrole-denial'; where: string; reason: string; readerCode: NotApplicableCode };

/**
 * Why a denial is not simulated: no identity policy change can fix it, or (an instance profile that is
 * gone or holds no role) the role that was passed cannot be told.
 */
export type UnsimulatedWhy =
  | { kind: 'root' }
  /** `roleAccount` null when only the message says the role is of another account. */
  | { kind: 'cross-account'; roleAccount: string | null }
  | { kind: 'service-linked-role' }
  /** The session's own policy denied it: no change to the entity's policies can lift it. */
  | { kind: 'session-policy' }
  | { kind: 'instance-profile-unresolved'; profile: string; state: 'not-found' | 'empty' };

/** What the first simulation decided, for the outcomes that follow a deny. */
export type DenyDecision = 'explicitDeny' | 'implicitDeny';

/** What the proposal's summary names as the cause. */
export type ProposedCause =
  | { kind: 'no-allow' }
  /** An explicit deny that the request's context would lift, and even then no policy allows it. */
  | { kind: 'deny-without-context'; denies: MatchedStatement[]; conditions: string[] }
  /** The explicit deny the message names, which the policies read here do not reproduce. */
  | { kind: 'deny-not-visible'; policyType: DenyingPolicyType | null; policyArn: string | null };

interface Diagnosed {
  denial: Denial;
  findings: DiagnosisFinding[];
}

export type Diagnosis =
  | { outcome: 'not-applicable'; denial: Denial | null; why: NotApplicableWhy }
  /**
   * No fix possible by an identity policy (root, another account's role, a service-linked role), or
   * no role to diagnose (an instance profile that is gone or empty).
   */
  | ({ outcome: 'unsimulated'; why: UnsimulatedWhy } & Diagnosed)
  /** The principal can pass the role now. */
  | ({ outcome: 'already-allowed' } & Diagnosed)
  /** An explicit deny no Allow can override; `beneathContext` when it remains with the context met. */
  | ({ outcome: 'explicit-deny'; beneathContext: boolean } & Diagnosed)
  /** Allowed once the request's context is met (conditions, e.g. 'MFA present'). */
  | ({ outcome: 'context-only'; conditions: string[] } & Diagnosed)
  /** Denied, but the receiving service is unknown: no minimal policy can be proposed. */
  | ({ outcome: 'service-unknown'; decision: DenyDecision } & Diagnosed)
  | ({
      outcome: 'proposed';
      decision: DenyDecision;
      /** The service the role is passed to. */
      service: string;
      cause: ProposedCause;
      proposal: Proposal;
    } & Diagnosed)
  /**
   * A diagnosis stored by a release before the outcomes were data: its words were written then and
   * are shown as recorded.
   */
  | {
      outcome: 'recorded';
      denial: Denial | null;
      verdict: Verdict;
      summary: string;
      findings: Finding[];
      proposal: Proposal | null;
      reason: string | null;
    };

export type Outcome = Diagnosis['outcome'];

/** The variant of one outcome. */
export type DiagnosisOf<O extends Outcome> = Extract<Diagnosis, { outcome: O }>;
