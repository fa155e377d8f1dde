// 51-emu-client.test.mjs - parley-emu's labelled web client at /_emu/client/
// in a real browser, against a plain-HTTP emulator: sign in as Alice from the
// picker, open a 1:1 chat with Bob, send a message; then Bob, through the
// Graph API with his own token, finds it in their chat, and his reply shows
// up in Alice's open conversation by itself (the client polls).
// Screenshots go to build/screenshots/51-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BUILD = process.env.PARLEY_BUILD || 'build';
const SEED = 'emulators/seeds/demo.json';
const PASSWORD = 'Demo-Passw0rd!';
const BOB = 'bob@parleydemo.onmicrosoft.com';
const SHOTS = join('build', 'screenshots');

let emu;
let dir;
let ep;          // endpoints.json, microsoft entry
let browser;

async function waitForFile(path, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (existsSync(path)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} did not appear`);
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'parley-emu-client-'));
  emu = spawn(join(BUILD, 'parley-emu'),
    ['--seed', SEED, '--dir', dir, '--listen-microsoft', '127.0.0.1:0',
      '--listen-google', '127.0.0.1:0'],
    { stdio: 'ignore' });
  await waitForFile(join(dir, 'endpoints.json'), 10000);
  ep = JSON.parse(readFileSync(join(dir, 'endpoints.json'), 'utf8')).microsoft;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  emu?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Bob's delegated token from the emulator's real token endpoint (ROPC).
async function bobToken() {
  const form = new URLSearchParams({ grant_type: 'password', client_id: ep.client_id,
                                     username: BOB, password: PASSWORD,
                                     scope: 'https://graph.microsoft.com/.default' });
  const resp = await fetch(`${ep.authority_host}/${ep.tenant_id}/oauth2/v2.0/token`,
                           { method: 'POST', body: form });
  assert.equal(resp.status, 200);
  return (await resp.json()).access_token;
}

async function graph(token, method, path, body) {
  const resp = await fetch(`${ep.graph_base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`,
               ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body && JSON.stringify(body),
  });
  const data = await resp.json();
  assert.ok(resp.ok, `${method} ${path}: ${resp.status} ${JSON.stringify(data)}`);
  return data;
}

test('sign in, open a 1:1 chat, send; the other user reads it through Graph', async () => {
  const page = await (await browser.newContext({ viewport: { width: 1100, height: 700 } }))
    .newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(err.message));

  await page.goto(`${ep.authority_host}/_emu/client/`);
  await page.getByText('Parley Emulator', { exact: true }).waitFor();
  await page.getByText('emulating Microsoft Teams').waitFor();
  await page.getByRole('button', { name: /Alice Johnson/ }).click();
  await page.getByText('Signed in as Alice Johnson').waitFor();
  await page.screenshot({ path: join(SHOTS, '51-signed-in.png'), fullPage: true });

  await page.getByRole('button', { name: 'New chat' }).click();
  await page.getByLabel('Add people').fill('Bob');
  await page.getByRole('button', { name: /Bob Martinez/ }).click();
  await page.getByRole('button', { name: 'Open chat' }).click();
  await page.locator('#chat-title', { hasText: 'Bob Martinez' }).waitFor();

  const text = `Hello Bob, from the emulator client ${Date.now()}`;
  await page.getByPlaceholder('Type a message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('#messages li.mine', { hasText: text }).waitFor();

  // Bob, through Graph, finds the 1:1 chat with Alice and the message in it.
  const bob = await bobToken();
  const chats = await graph(bob, 'GET', '/me/chats?$expand=members');
  const chat = chats.value.find((c) => c.chatType === 'oneOnOne' &&
    c.members.some((m) => m.displayName === 'Alice Johnson'));
  assert.ok(chat, 'Bob has a 1:1 chat with Alice');
  const messages = await graph(bob, 'GET', `/chats/${encodeURIComponent(chat.id)}/messages`);
  assert.equal(messages.value[0].body.content, text);
  assert.equal(messages.value[0].from.user.displayName, 'Alice Johnson');

  // Bob answers through Graph; Alice's open conversation shows it by itself.
  const reply = `Got it, Alice ${Date.now()}`;
  await graph(bob, 'POST', `/chats/${encodeURIComponent(chat.id)}/messages`,
              { body: { contentType: 'text', content: reply } });
  await page.locator('#messages li:not(.mine)', { hasText: reply }).waitFor();
  await page.screenshot({ path: join(SHOTS, '51-chat.png'), fullPage: true });
  assert.deepEqual(problems, []);
});
