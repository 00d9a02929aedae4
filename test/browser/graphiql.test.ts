import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInChromium, launchChromium, screenshot } from './support/chromium.js';
import { type DashboardServer, startDashboardServer } from './support/tally-server.js';

describeInChromium('GraphiQL in Chromium with no internet', () => {
  let server: DashboardServer;
  let browser: Browser;
  let context: BrowserContext;
  const blocked: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startDashboardServer(), launchChromium()]);
    context = await browser.newContext();
    // Everything but this machine is unreachable, as on a laptop with no network.
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') return route.continue();
      blocked.push(url.href);
      return route.abort('internetdisconnected');
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Replaces a Monaco editor's whole text, as a user selecting all and pasting. */
  async function replaceEditorText(page: Page, editor: 'headers' | 'variables', text: string) {
    // Both tool editors live in one section; Monaco names each by its model's URI.
    await page.locator(`.monaco-editor[data-uri$="-${editor}.json"]`).click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Backspace');
    await page.keyboard.type(text);
  }

  /** An editor's visible text; Monaco renders spaces as no-break spaces. */
  const text = async (locator: Locator) => (await locator.innerText()).replace(/\u00a0/g, ' ');

  async function run(page: Page, operation: string) {
    await page.getByRole('button', { name: /Execute query/ }).click();
    await page.getByRole('menuitem', { name: operation }).click();
  }

  it("opens with Tally's operations and variables, runs a query and shows a live subscription", async () => {
    const { customer } = server.devTokens;
    const { id: accountId } = await server.openAccount(customer, 'EUR', '40.00');
    const page = await context.newPage();
    await page.goto(`${server.url}/graphql`);

    const editor = page.locator('section[aria-label="Operation Editor"]');
    await expect
      .poll(() => text(editor), { timeout: 20_000 })
      .toContain('mutation Open($ownerId: ID!)');
    const headers = page.locator('section[aria-label="Headers"]');
    await expect.poll(() => text(headers), { timeout: 30_000 }).toContain('Authorization');

    await replaceEditorText(
      page,
      'headers',
      JSON.stringify({ Authorization: customer.authorization }),
    );
    await page.getByRole('button', { name: 'Variables' }).click();
    await replaceEditorText(page, 'variables', JSON.stringify({ accountId, position: null }));
    await run(page, 'Account');
    const result = page.locator('section[aria-label="Result Window"]');
    await expect.poll(() => text(result), { timeout: 30_000 }).toContain('"40.00"');

    await run(page, 'Watch');
    await server.deposit(accountId, '2.50');
    await expect.poll(() => text(result), { timeout: 30_000 }).toContain('"42.50"');
    await screenshot(page, 'graphiql-subscription');
    expect(blocked.filter((url) => !url.startsWith('data:'))).toEqual([]);
  });
});
