import { processIo } from '../lambda/handlers/cli/io';
import { runCli } from '../lambda/handlers/cli/main';

runCli(process.argv.slice(2), processIo).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`passrole-doctor: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
