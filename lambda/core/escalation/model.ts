/**
 * What a proposal really grants. Whoever may pass role R to a service can run code as R, so a
 * proposal "P may pass R to S" gives the people who gain it whatever R can do that they cannot
 * already do. These are the values the escalation analysis (analyse.ts) produces and the approval
 * rules (core/approval/requirement.ts), the signed decision, the renderers and the JSON report read.
 */
import type { PolicyDocument, PrincipalDetails, RoleDetails } from '../model';

/**
 * `none`: provably nothing new; `contained`: new access, none of it sensitive; `sensitive`: new
 * access to IAM/Organizations writes, unscoped sts:AssumeRole, code execution as other identities,
 * secrets and key material, this stack's own resources or whole-account data writes; `admin`:
 * effectively everything.
 */
export type EscalationLevel = 'none' | 'contained' | 'sensitive' | 'admin';

export const ESCALATION_LEVELS: readonly EscalationLevel[] = ['none', 'contained', 'sensitive', 'admin'];

/** Orders levels: a higher rank needs more approval. */
export function levelRank(level: EscalationLevel): number {
  return ESCALATION_LEVELS.indexOf(level);
}

export type GainCategory =
  | 'admin'
  | 'iam-write'
  | 'organizations-write'
  | 'assume-role'
  | 'code-execution'
  | 'secrets'
  | 'own-resources'
  | 'data-write'
  /** New access that is none of the above (what makes a grant `contained`). */
  | 'other';

/** One kind of access R has that the member compared with has not, and where R gets it. */
export interface EscalationGain {
  category: GainCategory;
  /** Example actions, at most a handful (e.g. `iam:PutRolePolicy`). */
  actions: string[];
  /** The policy of R that grants it (inline name or managed policy ARN); null when not one policy. */
  policy: string | null;
  /** The statement's Sid, else its 0-based index as a string; null when unknown. */
  statement: string | null;
}

/**
 * Hashes (SHA-256 hex of canonical JSON) of what the analysis read, so a signed decision can say what
 * was approved and the apply step can refuse when it changed since.
 */
export interface EscalationFingerprint {
  /** R's trust policy, inline and attached policies (documents) and boundary. */
  rolePolicies: string;
  /** The ARNs of everyone who gains the grant (the target group's members, the user, the role), sorted. */
  membership: string;
}

export type EscalationAnalysis =
  | {
      kind: 'analysed';
      level: EscalationLevel;
      /** The ARN of the member compared with (the least-privileged one); null when no one is compared. */
      comparedWith: string | null;
      gains: EscalationGain[];
      /** What else R's power includes as the account data shows it (roles that trust R, ...). */
      exposure: string[];
      fingerprint: EscalationFingerprint;
    }
  | {
      /** The role does not exist, could not be read, or the analysis failed: never approvable. */
      kind: 'unknown';
      level: null;
      comparedWith: null;
      gains: [];
      exposure: string[];
      reason: string;
      fingerprint: EscalationFingerprint | null;
    };

/** What the analysis needs, as read by an EscalationReader (ports/escalation-reader.ts). */
export interface EscalationInputs {
  /** The account the grant is made in. */
  accountId: string;
  /** The ARN of the role asked about, so a role that does not exist can be named. */
  roleArn?: string;
  /** The role that would become passable; null when it does not exist. */
  role: RoleDetails | null;
  /**
   * Everyone who gains the grant, with their policies: the target group's members (users with their
   * groups), the target user, or the target role.
   */
  gainers: PrincipalDetails[];
  /** Roles in the account whose trust policy names R (R can become them). */
  trustingRoles: RoleDetails[];
  /** SCPs in force for the account, one list per level, root first; null when unknown. */
  scps: { name: string; document: PolicyDocument }[][] | null;
  /** What could not be read or had to be assumed. Non-empty notes keep the level at least `contained`. */
  notes: string[];
}

export interface EscalationOptions {
  /** ARNs (patterns allowed) of this deployment's own resources: access to them is `sensitive`. */
  ownResourceArns: readonly string[];
}

/** An analysis that could not be made: never approvable, with the reason. */
export function unknownEscalation(
  reason: string,
  fingerprint: EscalationFingerprint | null = null,
  exposure: string[] = [],
): EscalationAnalysis {
  return { kind: 'unknown', level: null, comparedWith: null, gains: [], exposure, reason, fingerprint };
}
