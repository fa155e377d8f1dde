// 20-hub-login.test.mjs - the Hub UI in a real browser (Chromium through
// playwright-core): sign-in with a wrong then the right password, the Users
// page and its tabs, Activity, the account menu and signing out, at desktop
// and phone widths.  Screenshots go to build/screenshots/.
//
// Run: node --test tests/e2e/20-hub-login.test.mjs   (PARLEY_BUILD: build dir)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BUILD = process.env.PARLEY_BUILD || 'build';
const PARLEY = join(BUILD, 'parley');
const SHOTS = join('build', 'screenshots');
const EMAIL = 'ada@example.com';
const PASSWORD = 'a long and correct password';
const ORG = 'Acme';

let dataDir, hub, hubUrl, browser;

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

async function waitHealthy(url, proc, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`parley serve exited with ${proc.exitCode}`);
    try {
      const resp = await fetch(`${url}/healthz`);
      if (resp.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`parley serve not healthy after ${timeoutMs} ms`);
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-20-'));
  mkdirSync(SHOTS, { recursive: true });
  const env = { ...process.env };
  delete env.PARLEY_MASTER_KEY_FILE;

  const create = spawnSync(PARLEY, ['admin', 'create', '--email', EMAIL, '--org', ORG,
                                    '--password-stdin', '--data', dataDir],
                           { input: `${PASSWORD}\n`, env, encoding: 'utf8' });
  assert.equal(create.status, 0, `admin create failed: ${create.stderr}`);

  const port = await freePort();
  hubUrl = `http://127.0.0.1:${port}`;
  const log = openSync(join(dataDir, 'hub.log'), 'a');
  hub = spawn(PARLEY, ['serve', '--listen', `127.0.0.1:${port}`, '--data', dataDir],
              { env, stdio: ['ignore', log, log] });
  await waitHealthy(hubUrl, hub);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  if (hub && hub.exitCode === null) {
    const exited = new Promise((r) => hub.once('exit', r));
    hub.kill('SIGTERM');
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

// A page that fails the test on any script error or console error (a CSP
// violation shows up as one).
async function newPage(viewport) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // The wrong-password attempt logs its 401 as a failed resource load.
    if (msg.type() === 'error' && !/401/.test(msg.text())) page.problems.push(msg.text());
  });
  return page;
}

async function signIn(page, password) {
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('a wrong password shows an error and keeps the sign-in page', async () => {
  const page = await newPage({ width: 1280, height: 800 });
  await page.goto(hubUrl);
  await page.getByRole('heading', { name: 'Sign in to the Hub' }).waitFor();
  await signIn(page, 'not the password');
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.equal((await alert.textContent()).trim(), 'Wrong email or password.');
  assert.equal(await page.getByLabel('Password').inputValue(), '');
  await page.screenshot({ path: join(SHOTS, '20-login-error.png'), fullPage: true });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('signing in shows Users with its tabs, Activity and the account menu', async () => {
  const page = await newPage({ width: 1280, height: 800 });
  await page.goto(hubUrl);
  await page.screenshot({ path: join(SHOTS, '20-login.png'), fullPage: true });
  await signIn(page, PASSWORD);

  const nav = page.getByRole('navigation', { name: 'Main' });
  const users = nav.getByRole('link', { name: 'Users' });
  await users.waitFor();
  assert.equal(await users.getAttribute('aria-current'), 'page');
  await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();

  const importTab = page.getByRole('tab', { name: 'Import users' });
  const syncTab = page.getByRole('tab', { name: 'Sync users' });
  assert.equal(await importTab.getAttribute('aria-selected'), 'true');
  assert.equal(await syncTab.getAttribute('aria-selected'), 'false');
  await page.screenshot({ path: join(SHOTS, '20-users.png'), fullPage: true });
  await syncTab.click();
  await page.waitForURL(/#\/users\/sync$/);
  // The page re-renders on hashchange: wait for the new selection.
  await page.getByRole('tab', { name: 'Sync users', selected: true }).waitFor();
  await page.getByRole('tabpanel').getByRole('heading', { name: 'Sync users' }).waitFor();

  // The account menu names the org and the role.
  const account = page.getByRole('button', { name: new RegExp(ORG) });
  assert.match(await account.textContent(), /owner/);
  await account.click();
  await page.getByText(EMAIL).waitFor();

  // Activity lists this sign-in.
  await nav.getByRole('link', { name: 'Activity' }).click();
  await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
  await page.getByRole('list', { name: 'Activity' }).getByText('Signed in').first().waitFor();
  await page.screenshot({ path: join(SHOTS, '20-activity.png'), fullPage: true });

  // A reload keeps the session (cookie), then signing out ends it.
  await page.reload();
  await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
  await page.getByRole('button', { name: new RegExp(ORG) }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to the Hub' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in to the Hub' }).waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the UI works at phone width', async () => {
  const page = await newPage({ width: 375, height: 740 });
  await page.goto(hubUrl);
  await signIn(page, PASSWORD);
  await page.getByRole('tab', { name: 'Import users' }).waitFor();
  // Nothing wider than the screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 375, `page is ${overflow}px wide at a 375px viewport`);
  await page.screenshot({ path: join(SHOTS, '20-users-375.png'), fullPage: true });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
