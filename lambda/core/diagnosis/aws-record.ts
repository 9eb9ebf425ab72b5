/**
 * AWS's evaluation record in the diagnosis: read it alongside the account data (never failing the
 * incident), take it as evidence only when it is of this request, run the simulations under the
 * context AWS evaluated, and say where AWS and the simulation disagree. Findings only; no words.
 */
import type { AuthorizationRecordReader } from '../../ports/authorization-record-reader';
import type { AwsAuthorizationRecord, AwsEvaluation, AwsRecordLookup } from '../evidence/aws-evaluation';
import { recordBelongs } from '../evidence/record-belongs';
import { recordedRequest, type RecordedRequest } from '../evidence/record-context';
import { recordDisagreement } from '../evidence/record-disagreement';
import { matchedStatementEvidence, type AwsStatementEvidence } from '../evidence/record-statements';
import type { Denial, Diagnosis, DiagnosisFinding, PrincipalDetails, SimulationResult } from '../model';

/** The record of a request, read and found to be of the denial. */
export interface AwsEvidence {
  authorizationId: string;
  record: AwsAuthorizationRecord;
  evaluation: AwsEvaluation;
  /** The request as AWS evaluated it: the context and service the simulations run under. */
  request: RecordedRequest;
}

export interface RecordAssessment {
  /** Unavailable, not of this request, or the context it replaced. */
  findings: DiagnosisFinding[];
  evidence: AwsEvidence | null;
}

/** The record's region: the message's console URL names it (checked by the reader), else the event's. */
export function recordRegion(denial: Denial): string {
  return denial.authorizationRegion ?? denial.region;
}

/** The lookup of the denial's record; null when the message carries no authorization ID. Never rejects. */
export async function readRecord(
  reader: AuthorizationRecordReader,
  denial: Denial,
): Promise<AwsRecordLookup | null> {
  const id = denial.authorizationId;
  if (id === null) return null;
  try {
    return await reader.read(id, recordRegion(denial));
  } catch (error) {
    // The port never rejects; a reader that does anyway must not fail the incident either.
    const detail = error instanceof Error ? error.message : String(error);
    return { kind: 'unavailable', reason: 'network', detail: detail.slice(0, 200) };
  }
}

export function assessRecord(
  lookup: AwsRecordLookup | null,
  denial: Denial,
  roleArn: string,
  policySourceArn: string,
): RecordAssessment {
  const authorizationId = denial.authorizationId;
  if (lookup === null || authorizationId === null) return { findings: [], evidence: null };
  if (lookup.kind === 'unavailable') {
    const { reason, detail } = lookup;
    return {
      findings: [{ kind: 'aws-record-unavailable', authorizationId, reason, detail: detail.slice(0, 200) }],
      evidence: null,
    };
  }
  const { record } = lookup;
  const belonging = recordBelongs(record, denial, roleArn, policySourceArn);
  if (belonging.kind === 'mismatch') {
    const finding = {
      kind: 'aws-record-mismatch',
      authorizationId,
      mismatches: belonging.mismatches,
    } as const;
    return { findings: [finding], evidence: null };
  }
  const request = recordedRequest(denial, record.requestContext, belonging.evaluation);
  const findings: DiagnosisFinding[] = [];
  if (request.differences.length > 0 || request.ignored.length > 0) {
    findings.push({ kind: 'aws-context', differences: request.differences, ignored: request.ignored });
  }
  return { findings, evidence: { authorizationId, record, evaluation: belonging.evaluation, request } };
}

/** What AWS matched (one finding per statement) and, against the first simulation, any disagreement. */
export function evidenceFindings(
  evidence: AwsEvidence,
  roleArn: string,
  principal: PrincipalDetails,
  first: SimulationResult,
): { findings: DiagnosisFinding[]; statements: AwsStatementEvidence[] } {
  const { authorizationId, record, evaluation } = evidence;
  const statements = matchedStatementEvidence(record, evaluation, principal);
  // Denies first: they are what denied the request.
  const ordered = [
    ...statements.filter((s) => s.effect === 'deny'),
    ...statements.filter((s) => s.effect !== 'deny'),
  ];
  const effect = evaluation.effect;
  const findings: DiagnosisFinding[] =
    ordered.length > 0
      ? ordered.map((statement) => ({ kind: 'aws-record', authorizationId, roleArn, effect, statement }))
      : [{ kind: 'aws-record', authorizationId, roleArn, effect, statement: null }];
  const disagreement = recordDisagreement(effect, statements, first);
  if (disagreement !== null) findings.push({ kind: 'aws-evaluation', disagreement });
  return { findings, statements };
}

/**
 * AWS's explicit denies the simulation cannot see (an SCP, RCP or session policy) when it did not
 * reproduce the explicit deny: a proposal's verification cannot stand for them.
 */
export function unseenDenies(
  evidence: AwsEvidence | null,
  statements: readonly AwsStatementEvidence[],
  first: SimulationResult,
): AwsStatementEvidence[] {
  if (evidence?.evaluation.effect !== 'explicit-deny' || first.decision === 'explicitDeny') return [];
  return statements.filter((s) => s.effect === 'deny' && s.location.kind === 'not-visible');
}

/** The record's findings in the order they are read: what AWS matched, how the simulation differs, the context. */
const AWS_ORDER: ReadonlyMap<DiagnosisFinding['kind'], number> = new Map<DiagnosisFinding['kind'], number>([
  ['aws-record-unavailable', 0],
  ['aws-record-mismatch', 0],
  ['aws-record', 1],
  ['aws-evaluation', 2],
  ['aws-context', 3],
]);

/** The record's findings lead: when there is a record, it is the first evidence of what denied the request. */
export function awsFindingsFirst(diagnosis: Diagnosis): Diagnosis {
  if (diagnosis.outcome === 'not-applicable' || diagnosis.outcome === 'recorded') return diagnosis;
  const rank = (finding: DiagnosisFinding) => AWS_ORDER.get(finding.kind);
  const aws = diagnosis.findings.filter((finding) => rank(finding) !== undefined);
  if (aws.length === 0) return diagnosis;
  aws.sort((left, right) => (rank(left) ?? 0) - (rank(right) ?? 0));
  const rest = diagnosis.findings.filter((finding) => rank(finding) === undefined);
  return { ...diagnosis, findings: [...aws, ...rest] };
}
