// 30-hub-sync.test.mjs - "Sync users" end to end, in a real browser, against
// build/parley-emu (the demo seed, over TLS with its own CA): import both
// platforms (Add teams -> select all -> Import; Import all users), then on
// Users > Sync users make Greg's primary platform Google Chat, Sync
// Microsoft -> Create Guest Account, watch him become synced live and find
// the guest account in the emulated tenant; Unsync him and see it deleted.
// A viewer sees the same page with nothing to click.  Screenshots:
// build/screenshots/30-*.png.
//
// Run: node --test tests/e2e/30-hub-sync.test.mjs   (PARLEY_BUILD: build dir)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { shot as screenshot } from './lib/browser.mjs';
import { caFetch, microsoftToken } from './lib/emu.mjs';
import { Stack } from './lib/stack.mjs';

const VIEWER = 'vic@example.com';
const GREG = 'greg@parleydemo.example';

const stack = new Stack('parley-e2e-30-');
before(() => stack.start({ emu: true, admins: [{ email: VIEWER, role: 'viewer' }] }));
after(() => stack.stop());

// The emulated tenant's guest users, as the Parley app sees them through Graph.
async function graphGuests() {
  const { ca, endpoints: { microsoft: ms } } = stack.emu;
  const viaCa = (url, options) => caFetch(ca, url, options);
  const token = await microsoftToken(ms, { grant_type: 'client_credentials',
                                           client_secret: ms.client_secret }, viaCa);
  const filter = encodeURIComponent("userType eq 'Guest'");
  const users = await viaCa(`${ms.graph_base}/users?$filter=${filter}&$top=999`, {
    headers: { Authorization: `Bearer ${token}` } });
  const json = await users.json();
  assert.equal(users.status, 200, JSON.stringify(json));
  return json.value;
}

const shot = (page, name) => screenshot(page, `30-${name}`);

test('an admin syncs Greg to Microsoft Teams and unsyncs him', async () => {
  const page = await stack.signedInPage('#/users/import');

  // Import users: every team, then every Google user.
  const teamsCard = page.getByRole('region', { name: 'Microsoft Teams' });
  await teamsCard.getByRole('button', { name: 'Add teams' }).click();
  const teams = page.getByRole('dialog', { name: 'Add teams' });
  await teams.getByRole('checkbox').first().waitFor();
  for (const box of await teams.getByRole('checkbox').all()) await box.check();
  await teams.getByRole('button', { name: /^Import \d+ teams$/ }).click();
  await teamsCard.getByText(/Import finished/).waitFor({ timeout: 30000 });
  const googleCard = page.getByRole('region', { name: 'Google Chat' });
  await googleCard.getByRole('button', { name: 'Import all users' }).click();
  await googleCard.getByText(/Import finished/).waitFor({ timeout: 30000 });
  await shot(page, '1-imported');

  // Sync users: Greg, not synced, no primary platform yet.
  await page.getByRole('tab', { name: 'Sync users' }).click();
  const panel = page.getByRole('tabpanel');
  await panel.getByRole('columnheader', { name: 'Secondary platform' }).waitFor();
  await panel.getByLabel('Search').fill('greg');
  const greg = panel.getByRole('row').filter({ hasText: GREG });
  await greg.waitFor();
  await panel.getByRole('row').nth(2).waitFor({ state: 'detached' });   // only Greg is left
  await greg.getByText('Not synced').waitFor();
  await shot(page, '2-sync-users');

  await greg.getByLabel('Primary platform').selectOption({ label: 'Google Chat' });
  const syncButton = greg.getByRole('button', { name: 'Sync Microsoft' });
  await syncButton.waitFor();
  await shot(page, '3-primary-google');

  await syncButton.click();
  const dialog = page.getByRole('dialog', { name: 'Sync to Microsoft Teams' });
  await dialog.getByText(/guest account will be provisioned/).waitFor();
  await shot(page, '4-create-guest-dialog');
  await dialog.getByRole('button', { name: 'Create Guest Account' }).click();
  await dialog.waitFor({ state: 'detached' });

  // Live, without a reload: pending/provisioning, then synced with the guest's login.
  await greg.getByText('Synced', { exact: true }).waitFor({ timeout: 30000 });
  const login = (await greg.locator('.account-login').textContent()).trim();
  assert.match(login, /@/);
  await shot(page, '5-synced');
  const guests = await graphGuests();
  assert.equal(guests.filter((u) => u.userPrincipalName === login).length, 1,
    `no guest ${login} in the tenant: ${guests.map((u) => u.userPrincipalName).join(', ')}`);

  // Unsync: the dialog names the guest account, then it is gone.
  await greg.getByRole('button', { name: 'Unsync' }).click();
  const confirm = page.getByRole('dialog', { name: /Unsync/ });
  await confirm.getByText(login, { exact: false }).waitFor();
  await shot(page, '6-unsync-dialog');
  await confirm.getByRole('button', { name: 'Unsync' }).click();
  await greg.getByText('Not synced').waitFor({ timeout: 30000 });
  await greg.getByRole('button', { name: 'Sync Microsoft' }).waitFor();
  await shot(page, '7-unsynced');
  assert.equal((await graphGuests()).filter((u) => u.userPrincipalName === login).length, 0);

  // The activity log has the requests and the outcomes.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Activity' }).click();
  const log = page.getByRole('list', { name: 'Activity' });
  await log.getByText('Synced a person').first().waitFor();
  await log.getByText('Unsynced a person').first().waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('bulk: the Google people get Google Chat as primary and are synced together', async () => {
  const page = await stack.signedInPage('#/users/sync');
  const panel = page.getByRole('tabpanel');
  await panel.getByRole('row').filter({ hasText: GREG }).waitFor();
  await panel.getByLabel('Platform', { exact: true }).selectOption('google');
  await panel.getByRole('row').filter({ hasText: 'alice@' }).waitFor({ state: 'detached' });
  await panel.getByLabel('Select all on page').check();
  await panel.getByText(/\d+ selected\./).waitFor();
  await panel.getByLabel('Primary platform of the selected').selectOption('google');
  await panel.getByRole('button', { name: 'Set primary platform' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Set primary platform' }).click();
  await panel.getByText(/Primary platform change finished/).waitFor({ timeout: 30000 });
  await panel.getByRole('button', { name: 'Sync selected', exact: true }).click();
  await panel.getByText(/Sync selected finished: \d+ synced/).waitFor({ timeout: 30000 });
  assert.equal(await panel.locator('progress').count(), 1);
  const rows = panel.locator('tbody');
  await rows.getByText('Synced', { exact: true }).first().waitFor();
  assert.equal(await rows.getByText('Not synced', { exact: true }).count(), 0);
  await shot(page, '8-bulk-synced');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a viewer sees the people but cannot change them', async () => {
  const page = await stack.signedInPage('#/users/sync', VIEWER);
  const panel = page.getByRole('tabpanel');
  const greg = panel.getByRole('row').filter({ hasText: GREG });
  await greg.waitFor();
  assert.equal(await greg.getByLabel('Primary platform').isDisabled(), true);
  assert.equal(await panel.getByRole('button', { name: 'Sync all' }).count(), 0);
  assert.equal(await panel.getByRole('button', { name: /^Sync (Microsoft|Google)$/ }).count(), 0);
  assert.equal(await panel.getByRole('checkbox').count(), 0);
  await shot(page, '9-viewer');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
