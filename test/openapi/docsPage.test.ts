import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDocsServer, type DocsServer } from '../../dev/docs/docsServer';
import { findChromium } from './support/chromium';
import { DOCUMENT } from './support/documentCheck';
import { root, startOrdersStack, type OrdersStack } from './support/ordersStack';

/**
 * The local docs page (npm run docs) in real headless Chromium: Swagger UI from
 * swagger-ui-dist, the dev host's document, "Try it out" with and without a stand-in
 * token. Skipped, in one line, where no chromium is installed (.ci/run installs it).
 */
const executablePath = findChromium();
const OUTPUT = path.join(root, 'test-output', 'openapi');
if (!executablePath) process.stderr.write('docs page browser test skipped: no chromium (apt-get install chromium, or set CHROMIUM_PATH)\n');
const describeWithChromium = executablePath ? describe : describe.skip;

describeWithChromium('the docs page in headless Chromium', () => {
  let stack: OrdersStack;
  let docs: DocsServer;
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    stack = await startOrdersStack();
    docs = await startDocsServer({ api: stack.host, port: 0 });
    token = await stack.kit.token({ api: 'orders-api', client: 'reader' });
    browser = await chromium.launch({ executablePath: executablePath ?? '', args: ['--no-sandbox', '--disable-gpu'] });
    mkdirSync(OUTPUT, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser.close();
    await docs.stop();
    await stack.stop();
  });

  /** A fresh page that records console errors, page errors and every request it makes. */
  async function openDocs(): Promise<{ page: Page; errors: string[]; requests: string[] }> {
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(docs.url);
    await page.locator('.opblock').first().waitFor();
    return { page, errors, requests };
  }

  /** The status of the last answer Swagger UI shows for GET /orders, once there is one. */
  async function liveStatus(page: Page, expected?: string): Promise<string> {
    const cell = page.locator('#operations-Orders-listOrders .live-responses-table tbody .response-col_status', expected === undefined ? {} : { hasText: expected }).first();
    await cell.waitFor();
    return (await cell.innerText()).trim();
  }

  /** Runs GET /orders from the page and returns the status Swagger UI shows. */
  async function tryListOrders(page: Page): Promise<string> {
    const operation = page.locator('#operations-Orders-listOrders');
    await operation.locator('.opblock-summary-control').click();
    await operation.locator('button.execute').click();
    return liveStatus(page);
  }

  it('lists every operation of the document, with no console error and no request leaving loopback', async () => {
    const { page, errors, requests } = await openDocs();
    const methods = await page.locator('.opblock .opblock-summary-method').allInnerTexts();
    const cells = page.locator('.opblock .opblock-summary-path');
    const paths = await Promise.all(Array.from({ length: await cells.count() }, (_, i) => cells.nth(i).getAttribute('data-path')));
    const shown = methods.map((method, i) => `${method} ${paths[i] ?? ''}`);
    const documented = Object.entries(DOCUMENT.paths).flatMap(([pathName, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${pathName}`));
    expect(shown.sort()).toEqual(documented.sort());
    expect(errors).toEqual([]);
    expect(requests.length).toBeGreaterThan(2);
    expect(requests.filter((url) => !['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname) && !url.startsWith('data:'))).toEqual([]);
    await page.context().close();
  });

  it('answers a tried GET without a token with 401, and with a pasted stand-in token with 200', async () => {
    const { page, errors, requests } = await openDocs();
    expect(await tryListOrders(page)).toBe('401');

    await page.locator('button.authorize').first().click();
    const bearer = page.locator('.auth-container', { hasText: 'entraBearerToken' });
    await bearer.locator('input').fill(token);
    await bearer.locator('button.authorize').click();
    await page.locator('button.btn-done').first().click();
    // A second Execute on the open operation, now with the token.
    const operation = page.locator('#operations-Orders-listOrders');
    await operation.locator('button.execute').click();
    expect(await liveStatus(page, '200')).toBe('200');

    await page.screenshot({ path: path.join(OUTPUT, 'docs-page.png'), fullPage: true });
    expect(errors.filter((text) => !/status of 401/.test(text))).toEqual([]);
    expect(requests.every((url) => new URL(url).hostname === '127.0.0.1' || url.startsWith('data:'))).toBe(true);
    await page.context().close();
  });
});
