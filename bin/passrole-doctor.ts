import { runCli } from '../lambda/handlers/cli/main';
import { EXIT_FAILURE } from '../lambda/handlers/cli/io';
import { exitQuietlyOnClosedPipe, terminalIo } from '../lambda/handlers/cli/terminal';

exitQuietlyOnClosedPipe(process.stdout, (code) => process.exit(code));
exitQuietlyOnClosedPipe(process.stderr, (code) => process.exit(code));

runCli(process.argv.slice(2), terminalIo(process.stdout, process.stderr)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`passrole-doctor: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT_FAILURE;
  },
);
