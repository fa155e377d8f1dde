// 21-hub-import.test.mjs - "Import users" end to end, in a real browser,
// against build/parley-emu (both platforms, over TLS with its own CA):
// the org is connected with `parley connect` (secrets from stdin and a
// file), then in the Hub: Add teams -> choose -> Import -> live progress ->
// the people appear; Import all users likewise for Google; Test connection
// with a wrong client secret shows the platform's error; Activity lists the
// imports.  Screenshots: build/screenshots/21-*.png.
//
// Run: node --test tests/e2e/21-hub-import.test.mjs   (PARLEY_BUILD: build dir)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { shot } from './lib/browser.mjs';
import { Stack } from './lib/stack.mjs';
import { waitFor } from './lib/util.mjs';

const stack = new Stack('parley-e2e-21-');
before(() => stack.start({ emu: true }));
after(() => stack.stop());

// The number of rows in the people table.
const peopleRows = (page) => page.getByRole('region', { name: 'Imported people' }).locator('tbody tr').count();

test('Add teams imports the chosen teams with live progress', async () => {
  const page = await stack.signedInPage('#/users/import');
  const card = page.getByRole('region', { name: 'Microsoft Teams' });
  await card.getByRole('button', { name: 'Add teams' }).click();

  const dialog = page.getByRole('dialog', { name: 'Add teams' });
  await dialog.getByText('Engineering').waitFor();
  await dialog.getByText('Sales').waitFor();
  assert.equal(await dialog.locator('.badge-imported').count(), 0);
  await shot(page, '21-add-teams', { fullPage: false });
  await dialog.getByRole('checkbox', { name: /Engineering/ }).check();
  await dialog.getByRole('checkbox', { name: /Sales/ }).check();
  await dialog.getByRole('button', { name: 'Import 2 teams' }).click();

  await card.getByText(/Import finished/).waitFor({ timeout: 30000 });
  assert.equal(await card.locator('progress').count(), 1);
  const newCount = Number(await card.locator('.count-new dd').textContent());
  assert.ok(newCount >= 6, `expected the members of two teams, got ${newCount} new`);
  await shot(page, '21-teams-imported');
  await waitFor(async () => (await peopleRows(page)) >= newCount, 'people did not appear');
  await page.getByRole('region', { name: 'Imported people' }).getByText('Alice Johnson').waitFor();

  // The dialog now marks the two teams as imported.
  await card.getByRole('button', { name: 'Add teams' }).click();
  await dialog.locator('.badge-imported').first().waitFor();
  assert.equal(await dialog.locator('.badge-imported').count(), 2);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('Import all users imports the Google Workspace', async () => {
  const page = await stack.signedInPage('#/users/import');
  const card = page.getByRole('region', { name: 'Google Chat' });
  await card.getByRole('button', { name: 'Import all users' }).click();
  await card.getByText(/Import finished/).waitFor({ timeout: 30000 });
  const fetched = Number(await card.locator('.count-fetched dd').textContent());
  assert.ok(fetched > 0, 'nothing fetched from Google');
  const people = page.getByRole('region', { name: 'Imported people' });
  await page.getByLabel('Platform').selectOption('google');
  await waitFor(async () => (await people.locator('.badge-google').count()) > 0, 'no Google people');
  await page.getByLabel('Search').fill('greg');
  await people.getByText('greg@parleydemo.example').waitFor();
  await shot(page, '21-google-imported');

  // Activity shows both imports with their counts.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Activity' }).click();
  const log = page.getByRole('list', { name: 'Activity' });
  await log.getByText('Imported Google users').first().waitFor();
  await log.getByText('Imported Microsoft Teams users').first().waitFor();
  await log.getByText('Started an import').first().waitFor();
  await shot(page, '21-activity');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('Test connection with a wrong secret shows the platform error', async () => {
  const page = await stack.signedInPage('#/settings/connections');
  const card = page.getByRole('region', { name: 'Microsoft 365' });
  await card.getByText('Connected', { exact: true }).waitFor();
  assert.equal(await card.getByLabel('Tenant ID').inputValue(), stack.endpoints.microsoft.tenant_id);
  // The secret is never sent back to the browser.
  assert.equal(await card.getByLabel('Client secret').inputValue(), '');

  await card.getByRole('button', { name: 'Test connection' }).click();
  await card.getByText('The Microsoft 365 connection works.').waitFor();

  await card.getByLabel('Client secret').fill('not-the-secret');
  await card.getByRole('button', { name: 'Test connection' }).click();
  const error = card.locator('.alert-error');
  await error.waitFor();
  const text = await error.textContent();
  assert.match(text, /secret/i, `the error should name the secret: ${text}`);
  await shot(page, '21-test-connection-error');
  // The 'Connections' page is under Settings in the top navigation.
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await nav.getByRole('link', { name: 'Settings' }).getAttribute('aria-current'), 'page');
  await page.getByRole('tab', { name: 'Connections', selected: true }).waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
