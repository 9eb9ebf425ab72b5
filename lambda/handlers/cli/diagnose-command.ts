import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { TargetedAccountReader } from '../../adapters/aws/targeted-account-reader';
import { AwsAuthorizationMessageDecoder } from '../../adapters/aws/aws-authorization-message-decoder';
import { AwsPolicySimulator } from '../../adapters/aws/aws-policy-simulator';
import { LocalPolicySimulator } from '../../adapters/local/local-policy-simulator';
import { SnapshotAccountReader } from '../../adapters/snapshot/snapshot-account-reader';
import { SnapshotIdentityCenterReader } from '../../adapters/snapshot/snapshot-identity-center-reader';
import {
  encodedAuthorizationMessages,
  readDenials,
  type NotApplicableCode,
  type ReadOutcome,
} from '../../core/denial';
import { createDiagnoser, type Diagnoser, type DiagnoserDependencies } from '../../core/diagnose';
import type { ManagedPolicyReader } from '../../ports/managed-policy-reader';
import { defaultEscalationDependencies } from '../../core/proposal/assess-escalation';
import { PrincipalNotFoundError } from '../../core/errors';
import type { Diagnosis } from '../../core/model';
import { toJsonLine } from '../../core/render/json-report';
import { renderTextReport } from '../../core/render/text-report';
import type { AuthorizationMessageDecoder } from '../../ports/authorization-message-decoder';
import { IAM_REQUEST_HANDLER, REQUEST_HANDLER } from '../client-settings';
import { EXIT_BAD_INPUT, EXIT_OK, reportFailure, type CliIo } from './io';
import { assertReadableFiles, openEventInput } from './input/read-input';
import type { InputDocument } from './input/parse-documents';
import { notShownLine, noRecordsLine } from '../../core/render/input-summary';
import { IamToolboxRecordReader } from '../../adapters/aws/iam-toolbox/iam-toolbox-record-reader';
import { iamToolboxEndpointFromEnv } from '../../adapters/aws/iam-toolbox/endpoint';
import { InMemoryAuthorizationRecordReader } from '../../adapters/memory/in-memory-authorization-record-reader';

export interface DiagnoseOptions {
  event: string;
  snapshot?: string;
  scp: string[];
  simulator: 'aws' | 'local';
  json: boolean;
  /** Text output of a collection shows every record, not only the denials. */
  all: boolean;
  /** An Identity Center snapshot ('snapshot --identity-center'): permission sets resolved offline. */
  identityCenter?: string | undefined;
}

interface Engine {
  diagnoser: Diagnoser;
  decoder: AuthorizationMessageDecoder | null;
  /** Where missing principals come from, for the error line. */
  source: string;
}

async function buildEngine(options: DiagnoseOptions): Promise<Engine> {
  const scps = await LocalPolicySimulator.loadScpFiles(options.scp);
  // Loaded (and checked, every problem on its own line) before anything is read. The set as it would
  // be provisioned is evaluated offline with the same SCPs (IAM's simulator sees only the role as it is).
  const identityCenterReader =
    options.identityCenter === undefined
      ? null
      : await SnapshotIdentityCenterReader.fromFile(options.identityCenter);
  const identityCenter = (managedPolicies?: ManagedPolicyReader): Partial<DiagnoserDependencies> =>
    identityCenterReader === null
      ? {}
      : {
          identityCenter: {
            reader: identityCenterReader,
            simulator: new LocalPolicySimulator({ serviceControlPolicies: scps }),
            ...(managedPolicies === undefined ? {} : { managedPolicies }),
          },
        };
  // Each --scp file is one level of the organization; without any, the SCPs in force are unknown.
  const scpLevels = scps.length > 0 ? scps.map((scp) => [scp]) : null;
  if (options.snapshot !== undefined) {
    const accountReader = await SnapshotAccountReader.fromFile(options.snapshot, { scps: scpLevels });
    const simulator = new LocalPolicySimulator({ serviceControlPolicies: scps });
    return {
      diagnoser: createDiagnoser({
        authorizationRecords: new InMemoryAuthorizationRecordReader(
          [],
          'a diagnosis from a snapshot reads no AWS records',
        ),
        accountReader,
        simulator,
        instanceProfiles: accountReader,
        escalation: defaultEscalationDependencies(accountReader),
        ...identityCenter(accountReader),
      }),
      decoder: null,
      source: options.snapshot,
    };
  }
  // Live and read-only, with the default credential chain; AWS_ENDPOINT_URL points it at an emulator.
  const region = process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
  const iam = new IAMClient({ region, requestHandler: IAM_REQUEST_HANDLER });
  const simulator =
    options.simulator === 'local'
      ? new LocalPolicySimulator({ serviceControlPolicies: scps })
      : new AwsPolicySimulator(iam);
  // One run reads each entity once, however many records name it: the account is read at one moment.
  const accountReader = new TargetedAccountReader(iam, { scps: scpLevels, reuseEntityReads: true });
  return {
    diagnoser: createDiagnoser({
      authorizationRecords: new IamToolboxRecordReader({ endpoint: iamToolboxEndpointFromEnv(process.env) }),
      accountReader,
      simulator,
      instanceProfiles: accountReader,
      escalation: defaultEscalationDependencies(accountReader),
      ...identityCenter(),
    }),
    decoder: new AwsAuthorizationMessageDecoder(new STSClient({ region, requestHandler: REQUEST_HANDLER })),
    source: 'the account',
  };
}

/** Every complete encoded message in the input decoded once, while a terminal shows that it runs. */
async function decodeMessages(
  documents: readonly InputDocument[],
  decoder: AuthorizationMessageDecoder | null,
  io: CliIo,
): Promise<Map<string, string>> {
  const decoded = new Map<string, string>();
  if (!decoder) return decoded;
  const blobs = new Set(
    documents.flatMap((document) =>
      document.kind === 'document' ? encodedAuthorizationMessages(document.value) : [],
    ),
  );
  if (blobs.size === 0) return decoded;
  io.progress?.(
    `passrole-doctor: decoding ${blobs.size} authorization message${blobs.size === 1 ? '' : 's'}...`,
  );
  await Promise.all(
    [...blobs].map(async (blob) => {
      const message = await decoder.decode(blob);
      if (message !== null) decoded.set(blob, message);
    }),
  );
  return decoded;
}

function notApplicableDiagnosis(outcome: Extract<ReadOutcome, { kind: 'not-applicable' }>): Diagnosis {
  return {
    outcome: 'not-applicable',
    denial: null,
    why: {
      code: 'not-a-passrole-denial',
      where: outcome.where,
      reason: outcome.reason,
      readerCode: outcome.code,
    },
  };
}

/** What the text output leaves out unless --all: the reader's not-applicable records, by code. */
class NotShown {
  readonly counts = new Map<NotApplicableCode, number>();
  add(code: NotApplicableCode): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
  }
}

/** Every record of every document, read, in input order; documents that are not JSON stay as they are. */
function readAll(
  documents: readonly InputDocument[],
  decodedMessages: ReadonlyMap<string, string>,
): (ReadOutcome | Extract<InputDocument, { kind: 'invalid' }>)[] {
  return documents.flatMap((document) =>
    document.kind === 'invalid'
      ? [document]
      : readDenials(document.value, document.where, { decodedMessages }),
  );
}

/**
 * `passrole-doctor diagnose`: every record in the input is diagnosed, or reported with its reason.
 * Text output of a collection (a log file, an array, lines, lookup-events, a directory) shows the
 * denials only, with a count of the rest, unless --all; --json keeps one object per record.
 */
export async function runDiagnose(options: DiagnoseOptions, io: CliIo): Promise<number> {
  let exitCode = EXIT_OK;
  try {
    const input = await openEventInput(options.event);
    await assertReadableFiles([
      ...(options.snapshot === undefined ? [] : [options.snapshot]),
      ...options.scp,
    ]);
    const engine = await buildEngine(options);
    const quiet = input.collection && !options.json && !options.all;
    const live = options.snapshot === undefined;
    const notShown = new NotShown();
    let printed = 0;
    let records = 0;
    let file = 0;
    for await (const documents of input.parts()) {
      file++;
      const outcomes = readAll(documents, await decodeMessages(documents, engine.decoder, io));
      records += outcomes.length;
      const denials = outcomes.filter((outcome) => outcome.kind === 'denial').length;
      const ofFile = input.files > 1 ? ` in file ${file} of ${input.files}` : '';
      let diagnosed = 0;
      for (const outcome of outcomes) {
        if (outcome.kind === 'invalid') {
          io.err(`passrole-doctor: ${outcome.where}: ${outcome.reason}`);
          exitCode = EXIT_BAD_INPUT;
          continue;
        }
        let diagnosis: Diagnosis;
        if (outcome.kind === 'not-applicable') {
          if (quiet) {
            notShown.add(outcome.code);
            continue;
          }
          diagnosis = notApplicableDiagnosis(outcome);
        } else {
          diagnosed++;
          if (live) {
            io.progress?.(
              `passrole-doctor: diagnosing denial ${diagnosed} of ${denials}${ofFile} (reading the account)...`,
            );
          }
          try {
            diagnosis = await engine.diagnoser.diagnose(outcome.denial);
          } catch (error) {
            if (error instanceof PrincipalNotFoundError) {
              io.err(
                `passrole-doctor: ${outcome.where}: ${engine.source} has no IAM entity ${error.policySourceArn}`,
              );
              exitCode = EXIT_BAD_INPUT;
              continue;
            }
            throw error;
          }
        }
        io.progress?.(null);
        if (options.json) {
          io.out(toJsonLine(diagnosis));
        } else {
          if (printed > 0) io.out('');
          io.out(renderTextReport(diagnosis));
        }
        printed++;
      }
    }
    io.progress?.(null);
    if (input.collection && records === 0) io.err(`passrole-doctor: ${noRecordsLine(options.event)}`);
    if (notShown.counts.size > 0) {
      if (printed > 0) io.out('');
      io.out(notShownLine(notShown.counts));
    }
    return exitCode;
  } catch (error) {
    io.progress?.(null);
    return reportFailure(error, io);
  }
}
