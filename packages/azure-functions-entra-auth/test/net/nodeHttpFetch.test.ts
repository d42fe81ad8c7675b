import { createNodeHttpFetch } from '../../src/net/nodeHttpFetch';

/** Misuse of the key fetch's transport is refused as a TypeError (a rejection), before anything is sent. */
describe('createNodeHttpFetch', () => {
  const send = createNodeHttpFetch();

  it.each([
    ['a POST', 'http://127.0.0.1:9/keys', { method: 'POST' }, /GET requests without a body only/],
    ['a GET with a body', 'http://127.0.0.1:9/keys', { body: 'x' }, /GET requests without a body only/],
    ['another scheme', 'ftp://127.0.0.1/keys', {}, /http and https URLs only, not ftp:/],
    ['headers as a Headers object', 'http://127.0.0.1:9/keys', { headers: new Headers({ accept: 'application/json' }) }, /plain object/],
  ] as const)('refuses %s', async (_name, url, init, message) => {
    await expect(send(url, init)).rejects.toThrow(message);
    await expect(send(url, init)).rejects.toBeInstanceOf(TypeError);
  });
});
