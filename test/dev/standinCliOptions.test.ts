import { join } from 'node:path';
import { CliUsageError, parseStandinCliOptions, parseTokenCliOptions } from '../../packages/azure-functions-entra-dev/src/standin/cliOptions';
import { DEFAULT_STANDIN_PORT, defaultRegistryPath, defaultStateDir, findAppRoot } from '../../packages/azure-functions-entra-dev/src/standin/devPaths';

describe('stand-in command-line options', () => {
  it('defaults to port 7443, <repo>/.dev-state and the shipped registry', () => {
    expect(parseStandinCliOptions([], {})).toEqual({
      port: DEFAULT_STANDIN_PORT,
      stateDir: defaultStateDir(),
      registryPath: defaultRegistryPath(),
      openssl: undefined,
      quiet: false,
      help: false,
    });
    expect(DEFAULT_STANDIN_PORT).toBe(7443);
    expect(defaultStateDir()).toBe(join(findAppRoot(), '.dev-state'));
  });

  it('takes the environment, and flags over the environment', () => {
    const env = { ENTRA_STANDIN_PORT: '7500', DEV_STATE_DIR: '/tmp/from-env', ENTRA_STANDIN_REGISTRY: '/tmp/registry.json' };
    expect(parseStandinCliOptions([], env)).toMatchObject({ port: 7500, stateDir: '/tmp/from-env', registryPath: '/tmp/registry.json' });
    expect(parseStandinCliOptions(['--port', '0', '--state-dir', '/tmp/flag', '--quiet'], env)).toMatchObject({ port: 0, stateDir: '/tmp/flag', quiet: true });
  });

  it.each([
    [['--port', 'https'], /--port must be a port number/],
    [['--port', '70000'], /--port must be at most 65535/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['positional'], /positional/],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => parseStandinCliOptions(argv, {})).toThrow(CliUsageError);
    expect(() => parseStandinCliOptions(argv, {})).toThrow(message);
  });

  it('requires --client for the token script, unless asking for help', () => {
    expect(() => parseTokenCliOptions(['--api', 'orders-api'], {})).toThrow('--client <name> is required');
    expect(parseTokenCliOptions(['--help'], {}).help).toBe(true);
    expect(parseTokenCliOptions(['--client', 'reader', '--api', 'orders-api-v1'], {})).toMatchObject({ client: 'reader', api: 'orders-api-v1', port: 7443 });
  });
});
