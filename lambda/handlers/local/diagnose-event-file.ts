/**
 * What `serve` reviews: every denial in the event file diagnosed over the snapshot before anything
 * listens, so bad input is refused at once. Denials with a proposed fix go on to the incident
 * workflow; the others are skipped with one line each (nothing stored, nothing sent for them).
 */
import { renderSummary } from '../../core/render/diagnosis-summary';
import type { LocalPolicySimulator } from '../../adapters/local/local-policy-simulator';
import type { SnapshotAccountReader } from '../../adapters/snapshot/snapshot-account-reader';
import { readDenials } from '../../core/denial';
import { createDiagnoser } from '../../core/diagnose';
import { InvalidInputError, PrincipalNotFoundError } from '../../core/errors';
import type { Denial, Diagnosis } from '../../core/model';
import { defaultEscalationDependencies } from '../../core/proposal/assess-escalation';
import { readEventInput } from '../cli/input/read-input';
import { InMemoryAuthorizationRecordReader } from '../../adapters/memory/in-memory-authorization-record-reader';

export interface DiagnosedFile {
  /** Denials whose diagnosis proposes a fix, in file order, with it. */
  proposals: { denial: Denial; diagnosis: Diagnosis }[];
  /** Denials that yield nothing to review (not PassRole denials, no fix proposed), one line each. */
  skipped: string[];
}

/** Every denial in `event` diagnosed over the snapshot; bad input throws InvalidInputError. */
export async function diagnoseEventFile(
  files: { event: string; snapshot: string },
  snapshot: SnapshotAccountReader,
  simulator: LocalPolicySimulator,
): Promise<DiagnosedFile> {
  const input = await readEventInput(files.event);
  // Offline, as the CLI: the default approval settings, said to be assumed.
  const diagnoser = createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(
      [],
      'a diagnosis from a snapshot reads no AWS records',
    ),
    accountReader: snapshot,
    simulator,
    instanceProfiles: snapshot,
    escalation: defaultEscalationDependencies(snapshot),
  });
  const diagnosed: DiagnosedFile = { proposals: [], skipped: [] };
  const outcomes = input.documents.flatMap((document) =>
    document.kind === 'invalid' ? [document] : readDenials(document.value, document.where),
  );
  for (const outcome of outcomes) {
    if (outcome.kind === 'invalid') throw new InvalidInputError(outcome.reason, outcome.where);
    if (outcome.kind === 'not-applicable') {
      diagnosed.skipped.push(`${outcome.where}: not an iam:PassRole denial (${outcome.reason})`);
      continue;
    }
    let diagnosis: Diagnosis;
    try {
      diagnosis = await diagnoser.diagnose(outcome.denial);
    } catch (error) {
      if (error instanceof PrincipalNotFoundError) {
        throw new InvalidInputError(
          `${files.snapshot} has no IAM entity ${error.policySourceArn}`,
          outcome.where,
          { cause: error },
        );
      }
      throw error;
    }
    if (diagnosis.outcome !== 'proposed') {
      diagnosed.skipped.push(`${outcome.where}: no fix proposed: ${renderSummary(diagnosis)}`);
      continue;
    }
    diagnosed.proposals.push({ denial: outcome.denial, diagnosis });
  }
  if (diagnosed.proposals.length === 0) {
    const why = diagnosed.skipped.length > 0 ? ` (${diagnosed.skipped.join('; ')})` : '';
    throw new InvalidInputError(
      `nothing to review: no denial in the file has a proposed fix${why}`,
      files.event,
    );
  }
  return diagnosed;
}
