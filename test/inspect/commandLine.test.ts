import { Readable } from 'node:stream';
import { CliUsageError, parseInspectOptions } from '../../dev/inspect/cliOptions';
import { runInspect } from '../../dev/inspect/runInspect';
import { MAX_INPUT_BYTES, intakeBytes, intakeText, readBounded } from '../../dev/inspect/tokenIntake';

describe('inspect command line', () => {
  it('reads the token from standard input with -, and takes the flags', () => {
    expect(parseInspectOptions(['--offline', '--json', '--show-claims', '--settings', 'x.json', '-'])).toEqual({
      source: { kind: 'stdin' },
      settingsFile: 'x.json',
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
