// The built renderer loads in Chromium under its production CSP and tells the agent when it has no service.
import { expect, test } from '@playwright/test';
import { serveFolder, type StaticServer } from './support/static-server';

let server: StaticServer;
test.beforeAll(async () => {
  server = await serveFolder('out/renderer');
});
test.afterAll(async () => {
  await server.close();
});

test('shows the shell and says the console service is missing, with no CSP or script errors', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    // Served over http, the page's bridge looks for the preview's /bridge socket, which a static server lacks:
    // that refusal is expected here and is what makes the page say "Not connected".
    if (/WebSocket connection to '.*\/bridge' failed/.test(message.text())) return;
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));

  await page.goto(server.url);
  await expect(page).toHaveTitle('Branchline');
  await expect(page.getByRole('heading', { name: 'Branchline' })).toBeVisible();
  await expect(page.getByRole('status')).toHaveText(/Not connected: the console service is not available/);
  expect(problems).toEqual([]);
});

test('follows the operating system between light and dark', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(server.url);
  const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(light).not.toBe(dark);
});
