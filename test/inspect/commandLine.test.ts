import { Readable } from 'node:stream';
import { looksLikeToken } from '../../packages/azure-functions-entra-dev/src/inspect/argumentScrub';
import { CliUsageError, parseInspectOptions } from '../../packages/azure-functions-entra-dev/src/inspect/cliOptions';
import { runInspect } from '../../packages/azure-functions-entra-dev/src/inspect/runInspect';
import { MAX_INPUT_BYTES, intakeBytes, intakeText, readBounded } from '../../packages/azure-functions-entra-dev/src/inspect/tokenIntake';

describe('inspect command line', () => {
  it('reads the token from standard input with -, and takes the flags', () => {
    expect(parseInspectOptions(['--offline', '--json', '--show-claims', '--settings', 'x.json', '-'])).toEqual({
      source: { kind: 'stdin' },
      settingsFile: 'x.json',
      appDir: undefined,
      noRoutes: false,
      offline: true,
      json: true,
      showClaims: true,
      help: false,
    });
    expect(parseInspectOptions(['eyJ.e30.AA']).source).toEqual({ kind: 'argument', token: 'eyJ.e30.AA' });
  });

  it.each([[[]], [['a', 'b']], [['--nope', '-']], [['--settings', '', '-']], [['--settings']]])('refuses %j as bad usage', (argv) => {
    expect(() => parseInspectOptions(argv)).toThrow(CliUsageError);
  });

  it('never quotes a token in a usage error', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    try {
      parseInspectOptions([token, token]);
    } catch (error) {
      expect((error as Error).message).not.toContain('eyJ');
    }
    expect.assertions(1);
  });
});

describe('standard error never carries a token', () => {
  // Shaped like an access token (a real signature is no different to the scan), long enough to be one.
  const TOKEN = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.${Buffer.from(JSON.stringify({ aud: 'api://orders-api', tid: 'x'.repeat(40) })).toString('base64url')}.${'S'.repeat(342)}`;

  async function run(argv: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runInspect({
      argv,
      env: {},
      cwd: '/nonexistent',
      appRoot: '/nonexistent',
      stdin: Readable.from([Buffer.from(stdin)]),
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
    });
    return { code, out: out.join(''), err: err.join('') };
  }

  function leaks(text: string): string[] {
    return [TOKEN, ...TOKEN.split('.')].filter((piece) => text.includes(piece));
  }

  it.each([
    ['a token given to --settings', ['--settings', TOKEN, '-']],
    ['a token given as --settings=<token>', [`--settings=${TOKEN}`, '-']],
    ['a token written as an option', [`--${TOKEN}`, '-']],
    ['a token with a second positional', [TOKEN, 'extra']],
  ])('%s: exit 2, and neither stream holds the token or a segment of it', async (_name, argv) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.err).toContain('inspect: ');
    expect(leaks(result.err)).toEqual([]);
    expect(leaks(result.out)).toEqual([]);
  });

  it('says that a --settings value looks like a token instead of quoting it', async () => {
    expect((await run(['--settings', TOKEN, '-'])).err).toContain('--settings a value that looks like a token, not a file name (not shown): no such file');
  });

  it('still names a settings file that is missing', async () => {
    expect((await run(['--settings', '/nonexistent/local.settings.json', '-'])).err).toContain('--settings /nonexistent/local.settings.json: no such file');
  });

  it.each([
    ['a compact JWS', `${'e'.repeat(20)}.${'p'.repeat(20)}.${'s'.repeat(20)}`, true],
    ['a JWE', `${'e'.repeat(20)}.a.b.c.${'d'.repeat(20)}`, true],
    ['a lone long segment', 'A'.repeat(120), true],
    ['a settings file name', 'local.settings.json', false],
    ['a relative path', './config/local.settings.json', false],
    ['a short dotted name', 'my-settings.staging.json', false],
  ])('judges %s as token-like: %s', (_name, value, expected) => {
    expect(looksLikeToken(value)).toBe(expected);
  });
});

describe('inspect --help', () => {
  it('prints the usage on stdout and exits 0, reading no settings', async () => {
    const out: string[] = [];
    const code = await runInspect({
      argv: ['--help'],
      env: { AUTH_CLIENT_ID: 'not-a-guid' },
      cwd: '/nonexistent',
      appRoot: '/nonexistent',
      stdin: Readable.from([]),
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: () => undefined },
    });
    expect(code).toBe(0);
    expect(out.join('')).toContain('Exit codes: 0 accepted, 1 refused, 2 bad usage or a bad setting.');
  });
});

describe('token intake', () => {
  it('trims, drops a BOM and a leading "Bearer " as withAuth does with the header', () => {
    expect(intakeText('\ufeff  Bearer abc.def.ghi \n')).toEqual({ ok: true, token: 'abc.def.ghi', note: 'the leading "Bearer " was removed' });
    expect(intakeText('Authorization: Bearer abc.def.ghi')).toMatchObject({ ok: true, token: 'abc.def.ghi' });
    expect(intakeText('abc.def.ghi')).toEqual({ ok: true, token: 'abc.def.ghi' });
  });

  it.each([
    ['empty', Buffer.alloc(0), 'input.empty'],
    ['only Bearer', Buffer.from('Bearer   '), 'input.empty'],
    ['invalid UTF-8', Buffer.from([0x65, 0x79, 0xff, 0xfe]), 'input.binary'],
    ['control characters', Buffer.from('eyJ\u0007.e30.AA'), 'input.binary'],
  ])('refuses %s', (_name, bytes, check) => {
    expect(intakeBytes(bytes, false)).toMatchObject({ ok: false, check });
  });

  it('stops reading past the cap instead of buffering without bound', async () => {
    function* endless(): Generator<Buffer> {
      for (;;) yield Buffer.alloc(1024 * 1024, 'A');
    }
    const { bytes, truncated } = await readBounded(Readable.from(endless()));
    expect(truncated).toBe(true);
    expect(bytes.length).toBeLessThanOrEqual(MAX_INPUT_BYTES);
    expect(intakeBytes(bytes, truncated)).toMatchObject({ ok: false, check: 'input.size' });
  });
});
