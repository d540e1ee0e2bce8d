// What IT sees on a desktop: a broken machine policy is named in the UI, and diagnostics export as a zip without secrets.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
test.beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-policy-'));
  const policy = path.join(dir, 'policy.json');
  // One bad key (retention.days) and one good, enforced setting (notification privacy).
  writeFileSync(policy, JSON.stringify({ retention: { days: 0 }, notifications: { privacy: 'hide' } }));
  stack = await startStack({ previewArgs: ['--policy', policy] });
});
test.afterAll(async () => {
  await stack.close();
});

test('a broken machine policy is shown with the failing key, and what IT enforces cannot be changed', async ({ page }) => {
  await page.goto(stack.consoleUrl);
  const notices = page.getByRole('region', { name: 'Notices about this computer' });
  await expect(notices).toContainText('IT policy problem');
  await expect(notices).toContainText('retention.days');
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await expect(dialog.getByRole('radio', { name: 'Hide the message text (name only)' })).toBeChecked();
  await expect(dialog.getByRole('radio', { name: 'Show the message text' })).toBeDisabled();
  await expect(dialog).toContainText('Set by your IT department.');
});

test('Export diagnostics gives IT a zip with no token in it', async ({ page }) => {
  await page.goto(stack.consoleUrl);
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByRole('button', { name: 'Export diagnostics' }).click();
  const save = dialog.getByRole('link', { name: /^Save branchline-diagnostics/ });
  await expect(save).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), save.click()]);
  const file = (await download.path())!;
  expect(readFileSync(file).subarray(0, 2).toString()).toBe('PK');
  // Read every entry back (the entries are deflated: the raw bytes would hide a token).
  const listing = spawnSync(
    'python3',
    ['-c', 'import sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nfor n in z.namelist(): print(n); print(z.read(n).decode())', file],
    { encoding: 'utf8' },
  );
  expect(listing.status).toBe(0);
  expect(listing.stdout).toContain('connection-history.json');
  expect(listing.stdout).not.toContain(stack.token);
});
