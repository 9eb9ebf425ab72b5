/**
 * The command line: commander parses it (per-command help, --version, "did you mean", one way of
 * reporting a usage error); each command's work is in its own *-command.ts file.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_PORT } from '../local/local-server';
import { runDemo } from './demo-command';
import { runDiagnose } from './diagnose-command';
import { runIdentityCenterSnapshot } from './identity-center-snapshot-command';
import { runRemote } from './remote-commands';
import { runServe } from './serve-command';
import { runSnapshot } from './snapshot-command';
import { EXIT_BAD_INPUT, EXIT_OK, reportFailure, type CliIo } from './io';
import { packageVersion } from './version';

const NAME = 'passrole-doctor';

const EXIT_STATUS = `Exit status: 0 every record diagnosed (or none to diagnose), 2 bad input
or usage, 1 AWS or internal failure, 141 the output pipe closed early (| head).`;

const DIAGNOSE_INPUT = `FILE may be: a CloudTrail record; an EventBridge event; a CloudTrail log
file {"Records": [...]}, .json or .json.gz as CloudTrail writes it to S3; a
directory of log files (read recursively); a JSON array of records; JSON lines
(one record per line); or the output of 'aws cloudtrail lookup-events'
(--event - reads it from a pipe).
UTF-8 (with or without a BOM) and UTF-16 are read.

Text output of a log file, array, lines or directory shows the iam:PassRole
denials and a count of the other records; --all shows every record with its
reason. --json prints one object per record, one per line, every record.`;

/** Commander's "error: x\n(Did you mean y?)" as the one line every usage error is. */
function usageLine(text: string): string {
  const line = text
    .trim()
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace('(Did you mean', '(did you mean')
    // "option '--port <NUMBER>' argument '-1' is invalid. Allowed choices are ..." said shorter.
    .replace(/^option '(--[\w-]+)(?: <\w+>)?' argument '(.*)' is invalid\. /, "$1 '$2' is invalid: ")
    .replace('Allowed choices are', 'the choices are');
  return `${NAME}: ${line}`;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65_535) {
    throw new InvalidArgumentError('it must be a whole number from 0 to 65535 (0 picks a free port).');
  }
  return port;
}

/** The program; each action stores its exit code through `done`. */
function program(io: CliIo, done: (code: number) => void): Command {
  const root = new Command(NAME)
    .description('Diagnoses AWS iam:PassRole denials and proposes the minimal policy that fixes them.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, '')),
      writeErr: (text) => io.err(text.replace(/\n$/, '')),
      outputError: (text, write) => write(usageLine(text)),
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .showHelpAfterError(`Run '${NAME} --help' for usage.`)
    .addHelpText('after', `\n${EXIT_STATUS}`);

  const hint = (command: string) => `Run '${NAME} ${command} --help' for usage.`;

  const diagnose = root
    .command('diagnose')
    .summary('explain each iam:PassRole denial in a file and propose a verified fix')
    .description(
      'Explains each iam:PassRole denial in FILE and proposes the minimal policy that fixes it, ' +
        'verified by simulation. Live (read-only, your AWS credentials) unless --snapshot is given.',
    )
    .requiredOption(
      '--event <FILE>',
      "the CloudTrail input: a file, a directory, or '-' for stdin (forms below)",
    )
    .option('--snapshot <FILE>', "offline: the output of 'aws iam get-account-authorization-details'")
    .option(
      '--scp <FILE>',
      'an SCP in force for the account (repeat for each level, root first)',
      collect,
      [],
    )
    .addOption(
      new Option(
        '--simulator <ENGINE>',
        "'aws' (SimulatePrincipalPolicy; the default live) or 'local'",
      ).choices(['aws', 'local']),
    )
    .option('--json', 'one JSON object per record, one per line')
    .option('--all', 'text output: show every record, not only the denials')
    .option(
      '--identity-center <FILE>',
      "the Identity Center snapshot ('snapshot --identity-center'): permission sets behind AWSReservedSSO_ roles, offline",
    )
    .showHelpAfterError(hint('diagnose'))
    .addHelpText('after', `\n${DIAGNOSE_INPUT}\n\n${EXIT_STATUS}`)
    .action(
      async (options: {
        event: string;
        snapshot?: string;
        scp: string[];
        simulator?: string;
        json: boolean;
        all: boolean;
        identityCenter?: string;
      }) => {
        const simulator = options.simulator ?? (options.snapshot !== undefined ? 'local' : 'aws');
        if (options.snapshot !== undefined && simulator === 'aws') {
          diagnose.error(`--snapshot runs offline: it uses the local simulator`, {
            exitCode: EXIT_BAD_INPUT,
          });
        }
        done(
          await runDiagnose(
            {
              event: options.event,
              snapshot: options.snapshot,
              scp: options.scp,
              simulator: simulator === 'local' ? 'local' : 'aws',
              json: options.json,
              all: options.all,
              identityCenter: options.identityCenter,
            },
            io,
          ),
        );
      },
    );

  root
    .command('snapshot')
    .summary('save the account for offline diagnosis')
    .description(
      'Saves the account for offline diagnosis: every page of GetAccountAuthorizationDetails and the ' +
        'AWS managed policies in use, in the format --snapshot takes. Live and read-only; progress on stderr.',
    )
    .option('--out <FILE>', 'where to write the account snapshot (written whole or not at all)')
    .option(
      '--identity-center <FILE>',
      'where to write the Identity Center snapshot: permission sets, their policies, provisioned ' +
        'accounts and assignments (run in the management or delegated administrator account; ' +
        'IDENTITY_CENTER_REGION names its region)',
    )
    .showHelpAfterError(hint('snapshot'))
    .action(async (options: { out?: string; identityCenter?: string }, command: Command) => {
      if (!options.out && !options.identityCenter) {
        command.error('snapshot needs --out FILE or --identity-center FILE', { exitCode: EXIT_BAD_INPUT });
      }
      const code = options.out ? await runSnapshot({ out: options.out }, io) : EXIT_OK;
      if (code !== EXIT_OK || !options.identityCenter) return done(code);
      done(await runIdentityCenterSnapshot({ out: options.identityCenter }, io));
    });

  root
    .command('serve')
    .summary('review and approve proposals locally, offline')
    .description(
      "Reviews and approves locally: diagnoses FILE over the snapshot, prints each proposal's review " +
        'link and serves the review page on 127.0.0.1 (the approval function itself). Approving applies ' +
        'the policy to the in-memory snapshot and re-simulates; nothing reaches AWS. Ctrl-C stops it.',
    )
    .requiredOption('--event <FILE>', 'the CloudTrail input, in any form diagnose takes')
    .requiredOption('--snapshot <FILE>', "the output of 'aws iam get-account-authorization-details'")
    .option(
      '--scp <FILE>',
      'an SCP in force for the account (repeat for each level, root first)',
      collect,
      [],
    )
    .option('--port <NUMBER>', `the port on 127.0.0.1 (0 picks a free one)`, parsePort, DEFAULT_PORT)
    .showHelpAfterError(hint('serve'))
    .action(async (options: { event: string; snapshot: string; scp?: string[]; port: number }) =>
      done(await runServe({ ...options, scp: options.scp ?? [] }, io)),
    );

  root
    .command('demo')
    .summary('run the shipped seed scenario offline')
    .description('Runs the shipped seed scenario offline: diagnose, apply to the snapshot, re-simulate.')
    .showHelpAfterError(hint('demo'))
    .action(async () => done(await runDemo(io)));

  const remote = (name: string) =>
    root
      .command(name)
      .option(
        '--api <URL>',
        "the approval API: the stack's ApprovalApiUrl output (or PASSROLE_DOCTOR_API_URL)",
      )
      .option('--json', 'the API response as JSON')
      .showHelpAfterError(hint(name))
      .addHelpText(
        'after',
        "\nThese call the approval API's IAM routes signed with your own AWS\ncredentials, so your ARN is recorded as the decider.",
      );

  remote('proposals')
    .summary('list the pending proposals of a deployed stack')
    .description('Lists the pending proposals of a deployed stack.')
    .action(async (options: { api?: string; json?: boolean }) =>
      done(await runRemote({ kind: 'proposals' }, { api: options.api, json: options.json === true }, io)),
    );
  for (const kind of ['approve', 'reject'] as const) {
    remote(kind)
      .argument('<proposal-id>', 'the proposal, as proposals lists it or the message names it')
      .summary(`${kind} a pending proposal of a deployed stack`)
      .description(
        kind === 'approve'
          ? 'Approves a pending proposal: the stack applies it (or records the first of two approvals).'
          : 'Rejects a pending proposal: nothing is applied.',
      )
      .action(async (proposalId: string, options: { api?: string; json?: boolean }) =>
        done(await runRemote({ kind, proposalId }, { api: options.api, json: options.json === true }, io)),
      );
  }
  return root;
}

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code = EXIT_OK;
  const cli = program(io, (result) => {
    code = result;
  });
  if (argv.length === 0) {
    // No command: the usage, on stderr like every usage error.
    cli.outputHelp({ error: true });
    return EXIT_BAD_INPUT;
  }
  try {
    await cli.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    return reportFailure(error, io);
  }
}
