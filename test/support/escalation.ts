/**
 * Escalation analyses and account reads for the approval tests: the analysis engine is injected
 * (core/escalation/analyse.ts is another branch's), so each test states the level it needs.
 */
import { LocalDecisionKeys } from '../../lambda/adapters/local/local-keys';
import type { EscalationAnalyser } from '../../lambda/core/approval/recheck';
import type {
  EscalationAnalysis,
  EscalationInputs,
  EscalationLevel,
} from '../../lambda/core/escalation/model';
import type { PrincipalDetails, ProposalTarget, RoleDetails } from '../../lambda/core/model';
import type { EscalationReader } from '../../lambda/ports/escalation-reader';

export const FINGERPRINT = { rolePolicies: 'a'.repeat(64), membership: 'b'.repeat(64) };

export const MEI = 'arn:aws:iam::123456789012:user/mei.tanaka';
export const KENJI = 'arn:aws:iam::123456789012:user/kenji.sato';
/** The seed group's members (GlueAccess): the denied user and a colleague. */
export const SEED_GAINERS = [MEI, KENJI];

export function analysed(level: EscalationLevel, fingerprint = FINGERPRINT): EscalationAnalysis {
  return {
    kind: 'analysed',
    level,
    comparedWith: MEI,
    gains:
      level === 'none'
        ? []
        : [{ category: 'other', actions: ['glue:GetJob'], policy: 'etl', statement: '0' }],
    exposure: [],
    fingerprint,
  };
}

export function unknownAnalysis(reason = 'the role could not be read'): EscalationAnalysis {
  return {
    kind: 'unknown',
    level: null,
    comparedWith: null,
    gains: [],
    exposure: [],
    reason,
    fingerprint: null,
  };
}

/** An analyser that answers `level` whatever it is given. */
export function analyserAt(level: EscalationLevel | null): EscalationAnalyser {
  return () => (level === null ? unknownAnalysis() : analysed(level));
}

function principal(arn: string): PrincipalDetails {
  const name = arn.split('/').at(-1) ?? arn;
  if (arn.includes(':role/')) {
    return {
      kind: 'role',
      arn,
      name,
      path: '/',
      trustPolicy: null,
      inlinePolicies: [],
      attachedPolicies: [],
      permissionsBoundary: null,
    };
  }
  return {
    kind: 'user',
    arn,
    name,
    path: '/',
    inlinePolicies: [],
    attachedPolicies: [],
    permissionsBoundary: null,
    groups: [],
  };
}

/** The account as the re-check reads it: who gains the grant now, counting each read. */
export class FakeEscalationReader implements EscalationReader {
  readonly reads: { roleArn: string; target: ProposalTarget }[] = [];
  failure: Error | null = null;
  constructor(public gainers: string[] = SEED_GAINERS) {}

  async readEscalationInputs(roleArn: string, target: ProposalTarget): Promise<EscalationInputs> {
    this.reads.push({ roleArn, target });
    if (this.failure !== null) throw this.failure;
    const role = principal(roleArn) as RoleDetails;
    return {
      accountId: '123456789012',
      role,
      gainers: this.gainers.map(principal),
      trustingRoles: [],
      scps: null,
      notes: [],
    };
  }
}

/**
 * What an approval handler built in a test needs beyond the store and the trigger: an in-process
 * signer, the account as the re-check reads it, and an analysis at `level` (`contained`: a link
 * or any IAM caller who does not gain it may approve).
 */
export function approvalTestDependencies(level: EscalationLevel | null = 'contained') {
  return {
    signer: new LocalDecisionKeys('test:decision-key').signer,
    escalationReader: new FakeEscalationReader(),
    analyse: analyserAt(level),
  };
}
