/**
 * The domain model shared by the whole product. Pure data: no AWS SDK types leak in here,
 * so the core can run against live AWS, an account snapshot or an emulator alike.
 */

import type { BlastRadius } from './identity-center/model';
import type { ApprovalRule } from './approval/requirement';
import type { EscalationAnalysis } from './escalation/model';

// ---------------------------------------------------------------- policies

/** A condition block as IAM writes it: operator -> key -> value(s). */
export type PolicyCondition = Record<
  string,
  Record<string, string | boolean | number | (string | boolean | number)[]>
>;

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: PolicyCondition;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

/** An inline policy: it has a name but no ARN. */
export interface InlinePolicy {
  name: string;
  document: PolicyDocument;
}

/** A managed policy (AWS or customer managed) with its default version's document. */
export interface ManagedPolicy {
  arn: string;
  name: string;
  document: PolicyDocument;
}

// ---------------------------------------------------------------- account entities

export interface GroupDetails {
  arn: string;
  name: string;
  path: string;
  /** How many users are in the group: all of them gain whatever is added to it. */
  memberCount: number;
  /** The members' user names, sorted, when the reader read them (absent otherwise). */
  memberNames?: string[];
  inlinePolicies: InlinePolicy[];
  attachedPolicies: ManagedPolicy[];
}

export interface UserDetails {
  kind: 'user';
  arn: string;
  name: string;
  path: string;
  inlinePolicies: InlinePolicy[];
  attachedPolicies: ManagedPolicy[];
  permissionsBoundary: ManagedPolicy | null;
  groups: GroupDetails[];
}

export interface RoleDetails {
  kind: 'role';
  arn: string;
  name: string;
  path: string;
  trustPolicy: PolicyDocument | null;
  inlinePolicies: InlinePolicy[];
  attachedPolicies: ManagedPolicy[];
  permissionsBoundary: ManagedPolicy | null;
}

export type PrincipalDetails = UserDetails | RoleDetails;

/** What the diagnosis needs to know about the account: the principal entity and the passed role. */
export interface AccountScope {
  accountId: string;
  /** null when the account has no such user or role (deleted since the event, or a snapshot that lacks it). */
  principal: PrincipalDetails | null;
  /** null when the passed role does not exist in this account (or is in another account). */
  passedRole: RoleDetails | null;
  /** What the reader could not read or had to assume (a managed policy gone, a document it could not parse). */
  notes: string[];
}

// ---------------------------------------------------------------- a denial, as read from CloudTrail

export type PrincipalType =
  'user' | 'role' | 'sso-role' | 'service-linked-role' | 'root' | 'federated' | 'unknown';

export type DenyingPolicyType =
  'identity' | 'scp' | 'rcp' | 'boundary' | 'session' | 'resource' | 'vpc-endpoint';

/** What AWS's own error message says caused the denial. */
export interface MessageCause {
  policyType: DenyingPolicyType | null;
  /** true for "with an explicit deny", false for "because no ... policy allows", null when the message does not say. */
  explicit: boolean | null;
  policyArn: string | null;
  /**
   * true when the message says 'Cross-account pass role is not allowed' (absent otherwise): the role
   * is of another account, whatever the record names.
   */
  crossAccount?: boolean;
}

/**
 * The request's context as IAM condition keys (aws:MultiFactorAuthPresent, aws:SourceIp,
 * aws:RequestedRegion, aws:CurrentTime, aws:PrincipalArn), values as IAM's simulator takes them.
 */
export type RequestContext = Record<string, string>;

export interface Denial {
  eventId: string;
  eventTime: string | null;
  account: string;
  region: string;
  eventSource: string;
  eventName: string;
  /** The API call that was denied, as an IAM action, e.g. glue:UpdateJob. */
  deniedAction: string;
  /** The caller as CloudTrail recorded it (for a session, the sts assumed-role ARN). */
  principalArn: string;
  principalType: PrincipalType;
  /** The IAM entity whose policies are evaluated (the user, or the role behind a session); null for root/unknown. */
  policySourceArn: string | null;
  /** For an Identity Center session: the permission set's name. */
  permissionSetName: string | null;
  /** The role that was passed; null when neither the message nor the request parameters name it. */
  roleArn: string | null;
  /**
   * The instance profile the request passed (EC2: `iamInstanceProfile.arn` or `.name`, as written),
   * when the role is to be resolved through it; null otherwise.
   */
  instanceProfile: string | null;
  /**
   * The authorization ID at the end of AWS's message (IAM Toolbox GetRequestAuthorizationDetails), null
   * when the message carries none or CloudTrail cut it off.
   */
  authorizationId: string | null;
  /**
   * The region whose IAM Toolbox endpoint keeps that record: the region of the message's console URL
   * when it names one in the event's partition, else the event's region; null when authorizationId is.
   */
  authorizationRegion: string | null;
  /** The iam:PassedToService value, e.g. glue.amazonaws.com; null when unknown. */
  passedToService: string | null;
  messageCause: MessageCause;
  context: RequestContext;
  /** Facts about the record a reader should know (message cut at 1 KB, role taken from parameters, ...). */
  notes: string[];
}

// ---------------------------------------------------------------- simulation

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

/** A statement that decided (or took part in) a simulated decision. */
export interface MatchedStatement {
  /** Where the statement lives: 'identity', 'scp', 'boundary', ... */
  policyType: DenyingPolicyType;
  /** The policy's name (inline name, managed policy name or SCP name) or id as the simulator reports it. */
  policyName: string;
  /** The managed policy's ARN where there is one. */
  policyArn: string | null;
  /** Where an inline or attached policy sits, as 'group/Developers', 'user/mei', 'role/x'; null for SCPs or when unknown. */
  attachedTo: string | null;
  effect: 'Allow' | 'Deny';
  /** The statement's Sid when it has one, else its 0-based index as a string; null when unknown. */
  statement: string | null;
}

export interface SimulationRequest {
  /** The IAM entity whose policies are evaluated. */
  policySourceArn: string;
  action: string;
  resourceArn: string;
  context: RequestContext;
  /** Extra identity policies, as if attached to the principal (PolicyInputList on AWS). */
  additionalPolicies: PolicyDocument[];
  /**
   * The principal's collected policies, for simulators that evaluate offline. It may still be loading:
   * a simulator that does not need it (AWS) can run while the account data is read.
   */
  scope: AccountScope | PromiseLike<AccountScope>;
}

export interface SimulationResult {
  decision: Decision;
  /** The statements that produced the decision (the denies for explicitDeny, the allows for allowed). */
  matchedStatements: MatchedStatement[];
  /** Which policy layer blocked, when the simulator can tell (SCP, permissions boundary, identity). */
  blockedBy: DenyingPolicyType[];
}

// ---------------------------------------------------------------- diagnosis result (the JSON contract)

export type {
  Diagnosis,
  DiagnosisFinding,
  DiagnosisOf,
  Finding,
  FindingKind,
  NearMissFinding,
  Outcome,
  Verdict,
} from './diagnosis/types';

export type ProposalTargetType = 'group' | 'user' | 'role' | 'permission-set';

export interface ProposalTarget {
  type: ProposalTargetType;
  name: string;
  /** null for a permission set (no IAM ARN to edit). */
  arn: string | null;
  /** Users who gain the permission (group members); 1 for a user, null when not meaningful. */
  memberCount: number | null;
  /**
   * A group: its members' user names, sorted, at most TARGET_MEMBER_NAMES (the reviewer reads who gains
   * it); absent when the reader did not read them.
   */
  memberNames?: string[];
  /** A permission set read from Identity Center: its instance. */
  instanceArn?: string;
  /** A permission set read from Identity Center: the set (the `arn` stays null: IAM cannot edit it). */
  permissionSetArn?: string;
  /** A permission set: who it reaches (core/identity-center/model.ts). */
  blastRadius?: BlastRadius;
  /** A permission set: the accounts it is provisioned to. */
  provisionedAccounts?: string[];
  /**
   * A permission set: SHA-256 of its whole definition as analysed (identity-center/definition-hash);
   * the apply refuses when the set read again hashes otherwise.
   */
  definitionHash?: string;
}

export interface Proposal {
  target: ProposalTarget;
  policyName: string;
  document: PolicyDocument;
  /** true only when a simulation with the document added yields allowed under the request's context. */
  verified: boolean;
  /** What still blocks when not verified. */
  blockers: string[];
  /**
   * Denies no simulation here can see (named by the message or AWS's record, absent from the account
   * data): part of `blockers`, kept apart so the apply step never reports verified past them.
   */
  unverifiable?: string[];
  /** The context the proposal was verified under: the request's own, with relievable conditions met (MFA). */
  verificationContext: RequestContext;
  risk: string[];
  commands: { apply: string | null; verify: string };
  /**
   * What the grant really adds (core/escalation). Absent only on records stored before the analysis
   * existed: the approval function analyses those when they are opened.
   */
  escalation?: EscalationAnalysis;
  /** Who may approve it, derived from the escalation level and the approval settings. */
  approval?: ApprovalRule;
}
