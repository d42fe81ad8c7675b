import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { environmentWithSettingsFile, LocalSettingsError } from '../../packages/azure-functions-entra-dev/src/host/localSettings';
import { inspectChild } from '../inspect/support/runInspector';

const SECRET = 'AccountKey=not-to-be-printed';
// A comma missing after the first value: the parser stops on line 4.
const BROKEN = `{\n  "IsEncrypted": false,\n  "Values": {\n    "ORDERS_STORAGE": "${SECRET}"\n    "AUTH_TENANT_ID": "x"\n  }\n}\n`;

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'local-settings-'));
  file = path.join(dir, 'local.settings.json');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('a local.settings.json that is not valid JSON', () => {
  it('is named by its absolute path, with the parser message and where the JSON breaks, and none of its content', async () => {
    await writeFile(file, BROKEN);
    const error = (() => {
      try {
        environmentWithSettingsFile(file, {});
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(LocalSettingsError);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^local\\.settings\\.json \\(${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): not valid JSON: .+ \\(line 5, column 5\\)$`));
    expect(message).not.toContain(SECRET);
  });

  it('drops the snippet of the file that some parser messages quote', async () => {
    await writeFile(file, `Values=${SECRET}`);
    expect(() => environmentWithSettingsFile(file, {})).toThrow(/^local\.settings\.json \(.+\): not valid JSON: Unexpected token 'V'$/);
  });

  it('is read like Core Tools reads it when valid: Values strings, a byte-order mark allowed, the environment winning', async () => {
    await writeFile(file, `\uFEFF${JSON.stringify({ Values: { A: 'file', B: 'file', N: 1 } })}`);
    expect(environmentWithSettingsFile(file, { B: 'env' })).toEqual({ A: 'file', B: 'env' });
  });

  it('stops npm run inspect (a real process) with that message, exit 2 and no stack trace', async () => {
    await writeFile(file, BROKEN);
    const run = await inspectChild(['--settings', file, '-'], { env: { PATH: process.env.PATH }, stdin: 'x.y.z' });
    const stderr = run.stderr.toString();
    expect(run.code).toBe(2);
    expect(stderr).toContain(`local.settings.json (${file}): not valid JSON: Expected ',' or '}' after property value in JSON at position`);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain(SECRET);
  });
});
