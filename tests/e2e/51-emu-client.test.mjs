// 51-emu-client.test.mjs - parley-emu's labelled web client at /_emu/client/
// in a real browser, against a plain-HTTP emulator: sign in as Alice from the
// picker, open a 1:1 chat with Bob, send a message; then Bob, through the
// Graph API with his own token, finds it in their chat, and his reply shows
// up in Alice's open conversation by itself (the client polls).
// Screenshots go to build/screenshots/51-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, shot } from './lib/browser.mjs';
import { SEED_PASSWORD, emuClient, microsoftToken, startEmu } from './lib/emu.mjs';

const BOB = 'bob@parleydemo.onmicrosoft.com';

let emu;
let ep;          // endpoints.json, microsoft entry
let browser;

before(async () => {
  emu = await startEmu({ quiet: true });
  ep = emu.endpoints.microsoft;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await emu?.stop();
});

// Bob's delegated token from the emulator's real token endpoint (ROPC).
const bobToken = () => microsoftToken(ep, { grant_type: 'password', username: BOB, password: SEED_PASSWORD });

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
  const page = await newPage(browser, { width: 1100, height: 700 }, { consoleErrors: false });

  await emuClient.signIn(page, `${ep.authority_host}/`, 'Microsoft Teams', 'Alice Johnson');
  await page.getByText('Parley Emulator', { exact: true }).waitFor();
  await shot(page, '51-signed-in');

  await emuClient.openChat(page, 'Bob', 'Bob Martinez');
  const text = `Hello Bob, from the emulator client ${Date.now()}`;
  await emuClient.send(page, text);

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
  await emuClient.received(page, reply);
  await shot(page, '51-chat');
  assert.deepEqual(page.problems, []);
});
