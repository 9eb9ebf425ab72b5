import { parseArgs } from 'node:util';
import { DEFAULT_PORT } from '../local/local-server';
import { runDemo } from './demo-command';
import { runDiagnose } from './diagnose-command';
import { runIdentityCenterSnapshot } from './identity-center-snapshot-command';
import { runRemote } from './remote-commands';
import { runServe } from './serve-command';
import { runSnapshot } from './snapshot-command';
import { EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, type CliIo } from './io';

export const USAGE = `Usage:
  passrole-doctor diagnose --event FILE [--snapshot FILE] [--scp FILE]... [--identity-center FILE]
                           [--simulator aws|local] [--json]
  passrole-doctor snapshot [--out FILE] [--identity-center FILE]
  passrole-doctor serve --event FILE --snapshot FILE [--scp FILE]... [--port 8787]
  passrole-doctor demo
  passrole-doctor proposals [--api URL] [--json]
  passrole-doctor approve|reject <proposal-id> [--api URL] [--json]

diagnose  Explains each iam:PassRole denial in FILE (a CloudTrail record, an EventBridge event or a
          CloudTrail log file) and proposes the minimal policy that fixes it, verified by simulation.
          --snapshot FILE  offline: the output of 'aws iam get-account-authorization-details'
          --scp FILE       an SCP in force for the account (repeat for each level, root first)
          --identity-center FILE  the Identity Center snapshot ('snapshot --identity-center'):
                           the permission sets behind AWSReservedSSO_ roles, offline
          --simulator      'aws' (SimulatePrincipalPolicy, default when live) or 'local'
          --json           one JSON object per record, one per line
snapshot  Saves the account for offline diagnosis: every page of GetAccountAuthorizationDetails and
          the AWS managed policies in use, in the format --snapshot takes. Live and read-only;
          progress on stderr. --identity-center FILE saves the Identity Center instance (run in
          the management or delegated administrator account; IDENTITY_CENTER_REGION names its
          region): permission sets, their policies, provisioned accounts and assignments.
serve     Reviews and approves locally: diagnoses FILE over the snapshot, prints each proposal's
          review link and serves the review page on 127.0.0.1 (the approval function itself).
          Approving applies the policy to the in-memory snapshot and re-simulates; nothing
          reaches AWS. --port 0 picks a free port. Ctrl-C stops it.
demo      Runs the shipped seed scenario offline: diagnose, apply to the snapshot, re-simulate.
proposals Lists the pending proposals of a deployed stack; approve / reject decides one. These call
          the approval API's IAM routes signed with your own AWS credentials, so your ARN is
          recorded. --api is the stack's ApprovalApiUrl output (or set PASSROLE_DOCTOR_API_URL).

Exit status: 0 every record diagnosed, 2 bad input, 1 AWS or internal failure.`;

function usageError(io: CliIo, message: string): number {
  io.err(`passrole-doctor: ${message}`);
  io.err("Run 'passrole-doctor --help' for usage.");
  return EXIT_BAD_INPUT;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command === undefined ? EXIT_BAD_INPUT : EXIT_OK;
  }
  try {
    switch (command) {
      case 'diagnose': {
        const { values } = parseArgs({
          args: [...rest],
          options: {
            event: { type: 'string' },
            snapshot: { type: 'string' },
            scp: { type: 'string', multiple: true },
            'identity-center': { type: 'string' },
            simulator: { type: 'string' },
            json: { type: 'boolean', default: false },
          },
          strict: true,
          allowPositionals: false,
        });
        if (values.event === undefined) return usageError(io, 'diagnose needs --event FILE');
        const simulator = values.simulator ?? (values.snapshot !== undefined ? 'local' : 'aws');
        if (simulator !== 'aws' && simulator !== 'local') {
          return usageError(io, `--simulator must be aws or local, not '${simulator}'`);
        }
        if (values.snapshot !== undefined && simulator === 'aws') {
          return usageError(io, '--snapshot runs offline: it uses the local simulator');
        }
        return await runDiagnose(
          {
            event: values.event,
            snapshot: values.snapshot,
            scp: values.scp ?? [],
            identityCenter: values['identity-center'],
            simulator,
            json: values.json,
          },
          io,
        );
      }
      case 'snapshot': {
        const { values } = parseArgs({
          args: [...rest],
          options: { out: { type: 'string' }, 'identity-center': { type: 'string' } },
          strict: true,
          allowPositionals: false,
        });
        const identityCenter = values['identity-center'];
        if (!values.out && !identityCenter) {
          return usageError(io, 'snapshot needs --out FILE or --identity-center FILE');
        }
        const code = values.out ? await runSnapshot({ out: values.out }, io) : EXIT_OK;
        if (code !== EXIT_OK || !identityCenter) return code;
        return await runIdentityCenterSnapshot({ out: identityCenter }, io);
      }
      case 'serve': {
        const { values } = parseArgs({
          args: [...rest],
          options: {
            event: { type: 'string' },
            snapshot: { type: 'string' },
            scp: { type: 'string', multiple: true },
            port: { type: 'string' },
          },
          strict: true,
          allowPositionals: false,
        });
        if (values.event === undefined || values.snapshot === undefined) {
          return usageError(io, 'serve needs --event FILE and --snapshot FILE');
        }
        const port = Number(values.port ?? DEFAULT_PORT);
        if (!/^\d{1,5}$/.test(values.port ?? String(DEFAULT_PORT)) || port > 65_535) {
          return usageError(io, `--port must be a whole number from 0 to 65535, not '${values.port ?? ''}'`);
        }
        return await runServe(
          { event: values.event, snapshot: values.snapshot, scp: values.scp ?? [], port },
          io,
        );
      }
      case 'proposals':
      case 'approve':
      case 'reject': {
        const { values, positionals } = parseArgs({
          args: [...rest],
          options: { api: { type: 'string' }, json: { type: 'boolean', default: false } },
          strict: true,
          allowPositionals: true,
        });
        if (command === 'proposals') {
          if (positionals.length > 0) return usageError(io, 'proposals takes no arguments');
          return await runRemote({ kind: 'proposals' }, { api: values.api, json: values.json }, io);
        }
        const [proposalId, ...extra] = positionals;
        if (proposalId === undefined || extra.length > 0)
          return usageError(io, `${command} needs one proposal id`);
        return await runRemote({ kind: command, proposalId }, { api: values.api, json: values.json }, io);
      }
      case 'demo':
        parseArgs({ args: [...rest], options: {}, strict: true, allowPositionals: false });
        return await runDemo(io);
      default:
        return usageError(io, `unknown command '${command}'`);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    // parseArgs reports unknown or malformed options as TypeErrors with a code.
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      return usageError(io, message ?? 'bad arguments');
    io.err(`passrole-doctor: ${message}`);
    return EXIT_FAILURE;
  }
}
