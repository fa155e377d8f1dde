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
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, openSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BUILD = process.env.PARLEY_BUILD || 'build';
const PARLEY = join(BUILD, 'parley');
const SHOTS = join('build', 'screenshots');
const SEED = 'emulators/seeds/demo.json';
const EMAIL = 'ada@example.com';
const VIEWER = 'vic@example.com';
const PASSWORD = 'a long and correct password';
const ORG = 'Acme';
const GREG = 'greg@parleydemo.example';

let tmp, emu, hub, hubUrl, browser, endpoints;
let notReady = null;   // why the tests cannot run in this build (null: they can)

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(check, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} after ${timeoutMs} ms`);
}

function parley(args, input) {
  const env = { ...process.env };
  delete env.PARLEY_MASTER_KEY_FILE;
  const run = spawnSync(PARLEY, [...args, '--data', join(tmp, 'hub')], { input, env, encoding: 'utf8' });
  assert.equal(run.status, 0, `parley ${args.slice(0, 2).join(' ')} failed: ${run.stderr}${run.stdout}`);
  return run.stdout;
}

function connect() {
  const { microsoft: ms, google: g, ca_file: ca } = endpoints;
  parley(['connect', 'microsoft', '--org', ORG, '--tenant-id', ms.tenant_id, '--client-id', ms.client_id,
          '--authority-host', ms.authority_host, '--graph-base', ms.graph_base, '--ca-file', ca,
          '--client-secret-stdin'], `${ms.client_secret}\n`);
  parley(['connect', 'google', '--org', ORG, '--customer-id', g.customer_id, '--domain', g.domain,
          '--admin-email', g.admin_email, '--root-url', g.root_url, '--ca-file', ca,
          '--service-account-key-file', g.service_account_key_file]);
}

// HTTPS to the emulator, trusting its CA: resolves {status, json}.
function emuCall(method, url, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, headers, ca: readFileSync(endpoints.ca_file) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, json: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// The emulated tenant's guest users, as the Parley app sees them through Graph.
async function graphGuests() {
  const ms = endpoints.microsoft;
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: ms.client_id,
                                     client_secret: ms.client_secret,
                                     scope: 'https://graph.microsoft.com/.default' }).toString();
  const token = await emuCall('POST', `${ms.authority_host}/${ms.tenant_id}/oauth2/v2.0/token`, {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form });
  assert.equal(token.status, 200, JSON.stringify(token.json));
  const filter = encodeURIComponent("userType eq 'Guest'");
  const users = await emuCall('GET', `${ms.graph_base}/users?$filter=${filter}&$top=999`, {
    headers: { Authorization: `Bearer ${token.json.access_token}` } });
  assert.equal(users.status, 200, JSON.stringify(users.json));
  return users.json.value;
}

// Sign in through the API and check the Microsoft connection and the sync
// API exist in this build.
async function probe() {
  const login = await fetch(`${hubUrl}/api/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  const { csrf_token: csrf } = await login.json();
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const resp = await fetch(`${hubUrl}/api/orgs/${ORG}/connections/microsoft/test`, {
    method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': csrf },
  });
  const body = await resp.json();
  if (resp.status === 503) return `parley serve runs without platform connections (${body.error.message})`;
  if (body.code === 'unsupported') return `the connectors are not in this build (${body.message})`;
  assert.equal(body.ok, true, `the emulator connection does not work: ${JSON.stringify(body)}`);
  return null;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'parley-e2e-30-'));
  mkdirSync(SHOTS, { recursive: true });
  const emuDir = join(tmp, 'emu');
  emu = spawn(join(BUILD, 'parley-emu'),
    ['--seed', SEED, '--dir', emuDir, '--tls', '--listen-microsoft', '127.0.0.1:0',
     '--listen-google', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitFor(() => existsSync(join(emuDir, 'endpoints.json')), 'no endpoints.json');
  endpoints = JSON.parse(readFileSync(join(emuDir, 'endpoints.json'), 'utf8'));

  parley(['admin', 'create', '--email', EMAIL, '--org', ORG, '--password-stdin'], `${PASSWORD}\n`);
  parley(['admin', 'create', '--email', VIEWER, '--org', ORG, '--role', 'viewer', '--password-stdin'],
    `${PASSWORD}\n`);
  connect();

  const port = await freePort();
  hubUrl = `http://127.0.0.1:${port}`;
  const env = { ...process.env };
  delete env.PARLEY_MASTER_KEY_FILE;
  const log = openSync(join(tmp, 'hub.log'), 'a');
  hub = spawn(PARLEY, ['serve', '--listen', `127.0.0.1:${port}`, '--data', join(tmp, 'hub')],
              { env, stdio: ['ignore', log, log] });
  await waitFor(async () => {
    if (hub.exitCode !== null) throw new Error(`parley serve exited with ${hub.exitCode}`);
    return fetch(`${hubUrl}/healthz`).then((r) => r.status === 200, () => false);
  }, 'parley serve not healthy');
  notReady = await probe();

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

async function stop(proc) {
  if (!proc) return null;
  if (proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
  return proc.exitCode;
}

after(async () => {
  await browser?.close();
  const hubCode = await stop(hub);
  await stop(emu);
  const hubLog = hub ? readFileSync(join(tmp, 'hub.log'), 'utf8') : '';
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  if (hub) assert.equal(hubCode, 0, `parley serve did not stop cleanly:\n${hubLog.slice(-4000)}`);
});

async function signedInPage(email, hash) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/401/.test(msg.text())) page.problems.push(msg.text());
  });
  await page.goto(`${hubUrl}/${hash}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

const shot = (page, name) => page.screenshot({ path: join(SHOTS, `30-${name}.png`), fullPage: true });

test('an admin syncs Greg to Microsoft Teams and unsyncs him', async (t) => {
  if (notReady) return t.skip(notReady);
  const page = await signedInPage(EMAIL, '#/users/import');

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

test('bulk: the Google people get Google Chat as primary and are synced together', async (t) => {
  if (notReady) return t.skip(notReady);
  const page = await signedInPage(EMAIL, '#/users/sync');
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

test('a viewer sees the people but cannot change them', async (t) => {
  if (notReady) return t.skip(notReady);
  const page = await signedInPage(VIEWER, '#/users/sync');
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
