/**
 * `entra-dev inspect -` (token on standard input) or `entra-dev inspect <token>`:
 * explains with the production verifier why the app accepts or refuses a token.
 * See cliOptions.ts for the options.
 */
import { findAppRoot } from '../standin/devPaths';
import { runInspect } from './runInspect';

if (process.stdin.isTTY && process.argv.includes('-')) {
  process.stderr.write('inspect: paste the token, then press Enter and Ctrl-D\n');
}

// Outside any app there is no default app: --app names one (runInspect reports a missing one).
let appRoot: string;
try {
  appRoot = findAppRoot();
} catch {
  appRoot = process.cwd();
}

runInspect({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  appRoot,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
})
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    // A bug of ours, not the token's: say so without a stack trace (which could quote input).
    process.stderr.write(`inspect: internal error: ${error instanceof Error ? error.name : 'unknown'}\n`);
    process.exitCode = 2;
  });
