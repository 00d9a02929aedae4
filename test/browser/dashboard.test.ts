import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PrintedToken } from '../support/server-process.js';
import {
  describeInChromium,
  documentationScreenshot,
  launchChromium,
  screenshot,
} from './support/chromium.js';
import { type DashboardServer, startDashboardServer } from './support/tally-server.js';

const ACCOUNTS = 8;

describeInChromium('the dashboard in Chromium', () => {
  let server: DashboardServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startDashboardServer({ RATE_LIMIT_MUTATIONS: '100000' }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A phone-sized page that counts the WebSockets it opens. */
  async function openPage() {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/dashboard`);
    return { page, sockets, errors };
  }

  async function signInAs(page: Page, role: string) {
    await page.getByRole('button', { name: `Sign in as ${role}` }).click();
  }

  /** Waits until the card shows the balance and exactly the given transaction revisions. */
  async function expectCard(page: Page, accountId: string, balance: string, revisions: number[]) {
    const card = page.locator(`tally-account[data-account-id="${accountId}"]`);
    await expect
      .poll(async () => ({
        balance: await card.locator('[data-field="balance"]').textContent(),
        revisions: await card
          .locator('ol.transactions li')
          .evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-revision')))),
      }))
      .toEqual({ balance, revisions: [...revisions].sort((a, b) => b - a) });
  }

  /** Opens accounts with 10.00 each; `revisions` collects each one's transaction revisions. */
  async function openAccounts(owner: PrintedToken, count: number) {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const { id, revision } = await server.openAccount(owner, 'USD', '10.00');
      ids.push(id);
      revisions.set(id, [revision]);
    }
    return ids;
  }
  const revisions = new Map<string, number[]>();

  /** A deposit through the API, as a teller; its revision is one the page must show once. */
  async function deposit(id: string, amount: string, description?: string) {
    const { revision } = await server.deposit(id, amount, description);
    revisions.get(id)!.push(revision);
  }

  it("a customer's page updates all 8 of its accounts on one WebSocket, and keeps every update across a server restart", async () => {
    const { customer } = server.devTokens;
    const ids = await openAccounts(customer, ACCOUNTS);
    const { page, sockets, errors } = await openPage();
    await signInAs(page, 'customer');
    for (const id of ids) await expectCard(page, id, '10.00 USD', revisions.get(id)!);

    await Promise.all(ids.map((id, i) => deposit(id, `${i + 1}.25`, `deposit ${i}`)));
    for (const [i, id] of ids.entries()) {
      await expectCard(page, id, `${11 + i}.25 USD`, revisions.get(id)!);
    }
    expect(sockets).toHaveLength(1);
    await screenshot(page, 'customer-8-accounts');
    await documentationScreenshot(page);

    // Restart: deposits made while the page is cut off arrive once it is back, none twice.
    const status = page.locator('tally-freshness');
    await server.restart(async () => {
      await expect
        .poll(() => status.getAttribute('data-state'), { timeout: 30_000 })
        .toBe('reconnecting');
    });
    await Promise.all(ids.map((id) => deposit(id, '100.00', 'after the restart')));
    // The client backs off between attempts while the server is down (at most 3 s).
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
    await Promise.all(ids.map((id) => deposit(id, '0.01', 'live again')));
    for (const [i, id] of ids.entries()) {
      await expectCard(page, id, `${111 + i}.26 USD`, revisions.get(id)!);
    }
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    expect(new Set(sockets).size).toBe(1);
    expect(errors).toEqual([]);
    await screenshot(page, 'customer-after-restart');
    await page.close();
  });

  it("a customer cannot see another customer's account, by list or by link", async () => {
    const { customer } = server.devTokens;
    const [theirs] = await openAccounts(customer, 1);
    const other = await server.tokenFor('0b7c5a52-3c1e-4b8e-9d0f-2a6c7e1d9f00', 'customer');
    const [mine] = await openAccounts(other, 1);
    const { page } = await openPage();
    // Signed in by pasting a token, as with a real identity provider.
    await page.getByLabel('Bearer token').fill(other.authorization);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectCard(page, mine!, '10.00 USD', revisions.get(mine!)!);
    expect(await page.locator(`tally-account[data-account-id="${theirs}"]`).count()).toBe(0);

    await page.goto(`${server.url}/dashboard#account=${theirs}`);
    const linked = page.locator(`tally-account[data-account-id="${theirs}"]`);
    await expect
      .poll(() => linked.getByRole('alert').textContent())
      .toBe('You may not see this account.');
    expect(await linked.locator('[data-field="balance"]').count()).toBe(0);
    await screenshot(page, 'customer-forbidden');
    await page.close();
  });

  it('the operator panel shows the read-model lag rise under a burst of deposits and fall back', async () => {
    const { customer } = server.devTokens;
    const [target] = await openAccounts(customer, 1);
    const { page } = await openPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await signInAs(page, 'admin');
    const lag = page.locator('[data-field="lag"]');
    await expect.poll(() => lag.getAttribute('data-events-behind'), { timeout: 30_000 }).toBe('0');

    // Deposits in waves until the panel has shown the projections behind.
    let sawBehind = false;
    const behind = page
      .waitForFunction(
        () =>
          Number(document.querySelector<HTMLElement>('[data-field="lag"]')?.dataset.eventsBehind) >
          0,
        undefined,
        { timeout: 0, polling: 50 },
      )
      .then(() => {
        sawBehind = true;
      });
    for (let wave = 0; wave < 20 && !sawBehind; wave++) {
      await Promise.all(Array.from({ length: 200 }, () => server.deposit(target!, '1.00')));
    }
    await behind;
    await screenshot(page, 'operator-lag-rising');
    await expect.poll(() => lag.getAttribute('data-events-behind'), { timeout: 20_000 }).toBe('0');
    await expect
      .poll(() => page.locator('[data-table="integrity"]').innerText())
      .toContain('consistent');
    await screenshot(page, 'operator-lag-caught-up');
    await page.close();
  });
});
