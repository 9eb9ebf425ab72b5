import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { TargetedAccountReader } from '../../adapters/aws/targeted-account-reader';
import { AwsAuthorizationMessageDecoder } from '../../adapters/aws/aws-authorization-message-decoder';
import { AwsPolicySimulator } from '../../adapters/aws/aws-policy-simulator';
import { LocalPolicySimulator } from '../../adapters/local/local-policy-simulator';
import { SnapshotAccountReader } from '../../adapters/snapshot/snapshot-account-reader';
import { SnapshotIdentityCenterReader } from '../../adapters/snapshot/snapshot-identity-center-reader';
import { encodedAuthorizationMessages, readDenials, type ReadOutcome } from '../../core/denial';
import { createDiagnoser, type Diagnoser } from '../../core/diagnose';
import { defaultEscalationDependencies } from '../../core/proposal/assess-escalation';
import { PrincipalNotFoundError } from '../../core/errors';
import type { Diagnosis } from '../../core/model';
import { toJsonLine } from '../../core/render/json-report';
import { renderTextReport } from '../../core/render/text-report';
import type { AuthorizationMessageDecoder } from '../../ports/authorization-message-decoder';
import { IAM_REQUEST_HANDLER, REQUEST_HANDLER } from '../client-settings';
import { EXIT_BAD_INPUT, EXIT_OK, readJsonFile, reportFailure, type CliIo } from './io';
import { IamToolboxRecordReader } from '../../adapters/aws/iam-toolbox/iam-toolbox-record-reader';
import { iamToolboxEndpointFromEnv } from '../../adapters/aws/iam-toolbox/endpoint';
import { InMemoryAuthorizationRecordReader } from '../../adapters/memory/in-memory-authorization-record-reader';

export interface DiagnoseOptions {
  event: string;
  snapshot?: string;
  scp: string[];
  /** An Identity Center snapshot ('snapshot --identity-center'): permission sets resolved offline. */
  identityCenter?: string | undefined;
  simulator: 'aws' | 'local';
  json: boolean;
}

interface Engine {
  diagnoser: Diagnoser;
  decoder: AuthorizationMessageDecoder | null;
  /** Where missing principals come from, for the error line. */
  source: string;
}

async function buildEngine(options: DiagnoseOptions): Promise<Engine> {
  const scps = await LocalPolicySimulator.loadScpFiles(options.scp);
  // Loaded (and checked, every problem on its own line) before anything is read. Handed to the
  // diagnoser as its optional `identityCenter` reader (absent: today's advice for permission sets).
  const identityCenter =
    options.identityCenter === undefined
      ? {}
      : { identityCenter: await SnapshotIdentityCenterReader.fromFile(options.identityCenter) };
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
        ...identityCenter,
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
      ...identityCenter,
    }),
    decoder: new AwsAuthorizationMessageDecoder(new STSClient({ region, requestHandler: REQUEST_HANDLER })),
    source: 'the account',
  };
}

async function decodeMessages(
  input: unknown,
  decoder: AuthorizationMessageDecoder | null,
): Promise<Map<string, string>> {
  const decoded = new Map<string, string>();
  if (!decoder) return decoded;
  await Promise.all(
    encodedAuthorizationMessages(input).map(async (blob) => {
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

/** `passrole-doctor diagnose`: every record in the file is diagnosed, or reported with its reason. */
export async function runDiagnose(options: DiagnoseOptions, io: CliIo): Promise<number> {
  let exitCode = EXIT_OK;
  try {
    const input = await readJsonFile(options.event);
    const engine = await buildEngine(options);
    const outcomes = readDenials(input, options.event, {
      decodedMessages: await decodeMessages(input, engine.decoder),
    });
    let printed = 0;
    for (const outcome of outcomes) {
      if (outcome.kind === 'invalid') {
        io.err(`passrole-doctor: ${outcome.where}: ${outcome.reason}`);
        exitCode = EXIT_BAD_INPUT;
        continue;
      }
      let diagnosis: Diagnosis;
      if (outcome.kind === 'not-applicable') {
        diagnosis = notApplicableDiagnosis(outcome);
      } else {
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
      if (options.json) {
        io.out(toJsonLine(diagnosis));
      } else {
        if (printed > 0) io.out('');
        io.out(renderTextReport(diagnosis));
      }
      printed++;
    }
    return exitCode;
  } catch (error) {
    return reportFailure(error, io);
  }
}
