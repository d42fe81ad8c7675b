import { startDocsServer } from './docsServer';

/**
 * npm run docs [-- --api http://127.0.0.1:7071] [--port 7072]: the local docs page
 * (Swagger UI) for the app that `npm start` runs. Prints {"docs": url} and serves until Ctrl+C.
 */
async function main(argv: readonly string[]): Promise<void> {
  const options = { api: 'http://127.0.0.1:7071', port: 7072 };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${name ?? ''} needs a value`);
    if (name === '--api') options.api = value;
    else if (name === '--port' && /^\d{1,5}$/.test(value) && Number(value) <= 65535) options.port = Number(value);
    else throw new Error(`unknown or bad argument ${name ?? ''} ${value} (known: --api <origin>, --port <0-65535>)`);
  }
  const server = await startDocsServer(options);
  process.stdout.write(`${JSON.stringify({ docs: server.url, api: options.api })}\n`);
  process.once('SIGINT', () => void server.stop());
  process.once('SIGTERM', () => void server.stop());
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`npm run docs: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
