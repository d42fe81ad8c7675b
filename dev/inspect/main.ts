/**
 * `npm run -s inspect -- -` (token on standard input) or `npm run -s inspect -- <token>`:
 * explains with the production verifier why this API accepts or refuses a token.
 * See dev/inspect/cliOptions.ts for the options and README "Why was my call refused?".
 */
import { repoRoot } from '../entra-standin/devPaths';
import { runInspect } from './runInspect';

if (process.stdin.isTTY && process.argv.includes('-')) {
  process.stderr.write('inspect: paste the token, then press Enter and Ctrl-D\n');
}

runInspect({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  appRoot: repoRoot(),
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
