import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { describe, it } from 'vitest';

/** Debian's Chromium, installed by .ci/run (`apt-get install chromium`); never downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

const MISSING = `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y --no-install-recommends chromium), as .ci/run does`;

/**
 * A describe block that runs in real Chromium. Without the browser it fails in CI (CI is set),
 * where .ci/run installs it and its absence is a broken pipeline; on a developer's machine it
 * is skipped, saying why in its name and on stderr, so `npm test` does not demand a browser.
 */
export function describeInChromium(name: string, body: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(MISSING);
      });
    });
  } else {
    console.warn(`Browser tests skipped: ${MISSING}`);
    describe.skip(`${name} (skipped: ${CHROMIUM} is missing)`, body);
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;

/** Saves a screenshot of the page under test/browser/artifacts/ (gitignored). */
export async function screenshot(page: Page, name: string) {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/**
 * The README's picture of the dashboard: a desktop-sized window of it. Written over
 * docs/dashboard.png only with UPDATE_DOCS_SCREENSHOT=1, so that running the tests leaves the
 * working tree as it was; otherwise under the artifacts, to look at.
 */
export async function documentationScreenshot(page: Page) {
  const phone = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 760 });
  const path =
    process.env.UPDATE_DOCS_SCREENSHOT === '1'
      ? new URL('../../../docs/dashboard.png', import.meta.url).pathname
      : `${ARTIFACTS}dashboard-for-docs.png`;
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path });
  if (phone) await page.setViewportSize(phone);
}
