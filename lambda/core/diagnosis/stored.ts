/**
 * A diagnosis read back from the store. Records written before the outcomes were data hold the flat
 * shape {denial, verdict, summary, findings, proposal, reason}: their words were written by that
 * release and cannot be turned back into facts exactly, so they decode as the `recorded` outcome and
 * are shown as written. Records written since hold the union and decode as they are.
 */
import { InvalidInputError } from '../errors';
import type {
  Denial,
  Diagnosis,
  DiagnosisFinding,
  Finding,
  FindingKind,
  Outcome,
  Proposal,
  Verdict,
} from '../model';

const WHERE = '$.diagnosis';

const OUTCOMES: ReadonlySet<Outcome> = new Set<Outcome>([
  'not-applicable',
  'unsimulated',
  'already-allowed',
  'explicit-deny',
  'context-only',
  'service-unknown',
  'proposed',
  'recorded',
]);

const VERDICTS: ReadonlySet<Verdict> = new Set<Verdict>([
  'allowed',
  'explicitDeny',
  'implicitDeny',
  'not-applicable',
]);

const FINDING_KINDS: ReadonlySet<FindingKind> = new Set<FindingKind>([
  'explicit-deny',
  'near-miss',
  'scp',
  'boundary',
  'trust-policy',
  'cross-account',
  'service-linked-role',
  'sso',
  'root',
  'not-found',
  'beneath-deny',
  'already-allowed',
  'service-mismatch',
  'quota',
  'session-policy',
  'instance-profile',
]);

const DIAGNOSIS_FINDING_KINDS: ReadonlySet<DiagnosisFinding['kind']> = new Set<DiagnosisFinding['kind']>([
  'deny-statement',
  'scp-allows-nothing',
  'boundary-allows-nothing',
  'root',
  'cross-account',
  'service-linked-role',
  'account-note',
  'role-not-found',
  'trust-policy',
  'trust-mismatch',
  'service-assumed',
  'service-unknown',
  'already-allowed',
  'context-allows',
  'context-deny-remains',
  'context-no-allow',
  'near-miss',
  'quota',
  'identity-center',
  'permission-set',
  'deny-not-visible',
  'session-policy',
  'aws-record-unavailable',
  'aws-record-mismatch',
  'aws-record',
  'aws-context',
  'aws-evaluation',
  'role-from-instance-profile',
  'instance-profile-not-found',
  'instance-profile-empty',
]);

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(what: string, where = WHERE): InvalidInputError {
  return new InvalidInputError(`the stored diagnosis ${what}`, where);
}

function has<T>(set: ReadonlySet<T>, value: unknown): value is T {
  return set.has(value as T);
}

function nullableString(value: unknown, where: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid('has a field that is not text', where);
  return value;
}

/** A denial the store wrote (the whole map, with its event): checked where the reports read it. */
function denialOf(value: unknown, required: boolean): Denial | null {
  if ((value === undefined || value === null) && !required) return null;
  if (!isFields(value) || typeof value['eventId'] !== 'string' || typeof value['principalArn'] !== 'string') {
    throw invalid('has no readable denial', `${WHERE}.denial`);
  }
  return withDenialDefaults(value as unknown as Partial<Denial>);
}

/** A stored denial with the fields added since it was written, as null: what an older record meant. */
export function withDenialDefaults(stored: Partial<Denial>): Denial {
  return { instanceProfile: null, authorizationId: null, authorizationRegion: null, ...stored } as Denial;
}

function proposalOf(value: unknown, required: boolean): Proposal | null {
  if ((value === undefined || value === null) && !required) return null;
  if (!isFields(value) || !isFields(value['target']) || typeof value['policyName'] !== 'string') {
    throw invalid('has no readable proposal', `${WHERE}.proposal`);
  }
  return value as unknown as Proposal;
}

function legacyFinding(value: unknown, index: number): Finding {
  const where = `${WHERE}.findings[${index}]`;
  if (!isFields(value) || !has(FINDING_KINDS, value['kind']) || typeof value['message'] !== 'string') {
    throw invalid('has a finding of an unknown kind or without words', where);
  }
  return {
    kind: value['kind'],
    message: value['message'],
    policy: nullableString(value['policy'], `${where}.policy`),
    statement: nullableString(value['statement'], `${where}.statement`),
  };
}

/** The flat shape of the previous release: its words, as written. */
function legacy(value: Fields): Diagnosis {
  const { verdict, summary, findings } = value;
  if (!has(VERDICTS, verdict)) throw invalid('has an unknown verdict', `${WHERE}.verdict`);
  if (typeof summary !== 'string') throw invalid('has no summary', `${WHERE}.summary`);
  if (!Array.isArray(findings)) throw invalid('has no findings', `${WHERE}.findings`);
  return {
    outcome: 'recorded',
    denial: denialOf(value['denial'], false),
    verdict,
    summary,
    findings: findings.map(legacyFinding),
    proposal: proposalOf(value['proposal'], false),
    reason: nullableString(value['reason'], `${WHERE}.reason`),
  };
}

/** The union as this release writes it: the tags and the fields every reader relies on. */
function current(value: Fields, outcome: Outcome): Diagnosis {
  if (outcome === 'recorded') return legacy(value);
  if (outcome === 'not-applicable') {
    if (!isFields(value['why']) || typeof value['why']['code'] !== 'string') {
      throw invalid('is not applicable without a code', `${WHERE}.why`);
    }
    return { ...value, denial: denialOf(value['denial'], false) } as unknown as Diagnosis;
  }
  const denial = denialOf(value['denial'], true);
  const findings = value['findings'];
  if (
    !Array.isArray(findings) ||
    !findings.every((f) => isFields(f) && has(DIAGNOSIS_FINDING_KINDS, f['kind']))
  ) {
    throw invalid('has a finding of an unknown kind', `${WHERE}.findings`);
  }
  if (outcome === 'proposed') proposalOf(value['proposal'], true);
  return { ...value, denial } as unknown as Diagnosis;
}

/** Decodes a stored diagnosis of either release; throws InvalidInputError for anything else. */
export function decodeStoredDiagnosis(value: unknown): Diagnosis {
  if (!isFields(value)) throw invalid('is not a map');
  const outcome = value['outcome'];
  if (outcome === undefined) return legacy(value);
  if (!has(OUTCOMES, outcome)) throw invalid('has an unknown outcome', `${WHERE}.outcome`);
  return current(value, outcome);
}
