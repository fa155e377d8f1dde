// 55-emu-google.test.mjs - the official Google libraries, unchanged, against
// build/parley-emu's Google side: google-auth-library's JWT client with the
// emulator-written service-account key and a subject (domain-wide
// delegation), @googleapis/admin listing and inserting users, and
// @googleapis/chat setting up a DM and posting a message as a user; then the
// emulator's web client at /_emu/client/ (js/google.js) in a real browser.
// Screenshots go to build/screenshots/55-*.png.
//
// gtoken always POSTs to https://oauth2.googleapis.com/token; a request
// interceptor on the client's own transporter (a supported option) sends it
// to the emulator instead (google.md 1.3).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { JWT } from 'google-auth-library';
import { Gaxios } from 'gaxios';
import { admin_directory_v1 } from '@googleapis/admin';
import { chat_v1 } from '@googleapis/chat';
import { launchBrowser, newPage, shot } from './lib/browser.mjs';
import { emuClient, startEmu } from './lib/emu.mjs';

const GOOGLE_OAUTH = 'https://oauth2.googleapis.com/';

let emu;          // startEmu()'s result
let ep;           // endpoints.json's "google" entry

before(async () => {
  emu = await startEmu();
  ep = emu.endpoints.google;
});

after(() => emu?.stop());

// A transporter that sends Google's hard-coded token URL to the emulator.
function transporter() {
  const gaxios = new Gaxios();
  const origin = new URL(ep.token_uri).origin;
  gaxios.interceptors.request.add({
    resolved: async (config) => {
      const url = String(config.url);
      if (url.startsWith(GOOGLE_OAUTH)) {
        config.url = new URL(url.slice(GOOGLE_OAUTH.length - 1), origin);
      }
      return config;
    },
  });
  return gaxios;
}

// A JWT client acting as SUBJECT with SCOPES (short names).
function jwt(subject, scopes) {
  const key = JSON.parse(readFileSync(ep.service_account_key_file, 'utf8'));
  return new JWT({
    email: key.client_email,
    key: key.private_key,
    keyId: key.private_key_id,
    scopes: scopes.map((s) => `https://www.googleapis.com/auth/${s}`),
    subject,
    transporter: transporter(),
  });
}

test('the key file is in Google format and points at the emulator', () => {
  const key = JSON.parse(readFileSync(ep.service_account_key_file, 'utf8'));
  assert.equal(key.type, 'service_account');
  const pkey = createPrivateKey(key.private_key);       // throws unless it is a private key
  assert.equal(pkey.asymmetricKeyType, 'rsa');
  assert.match(key.private_key_id, /^[0-9a-f]{40}$/);
  assert.equal(key.token_uri, ep.token_uri);
  assert.match(key.client_email, /@.*\.iam\.gserviceaccount\.com$/);
});

test('JWT client with a subject gets an access token', async () => {
  const client = jwt(ep.admin_email, ['admin.directory.user.readonly']);
  const { token } = await client.getAccessToken();
  assert.match(token, /^ya29\./);
  assert.ok(client.credentials.expiry_date > Date.now() + 3000 * 1000);
});

test('an unknown subject is refused with invalid_grant', async () => {
  const client = jwt(`nobody@${ep.domain}`, ['admin.directory.user.readonly']);
  await assert.rejects(client.getAccessToken(), /invalid_grant/);
});

test('Directory: list users across pages, insert a user, 409 on a duplicate', async () => {
  const auth = jwt(ep.admin_email, ['admin.directory.user']);
  const dir = new admin_directory_v1.Admin({ auth, rootUrl: ep.root_url });

  const emails = [];
  let pageToken;
  do {
    const res = await dir.users.list({ customer: 'my_customer', maxResults: 3, pageToken });
    assert.equal(res.data.kind, 'admin#directory#users');
    assert.ok(res.data.users.length <= 3);
    emails.push(...res.data.users.map((u) => u.primaryEmail));
    pageToken = res.data.nextPageToken;
  } while (pageToken);
  assert.ok(emails.includes(ep.admin_email));
  assert.equal(new Set(emails).size, emails.length);

  const email = `interop.alice@${ep.domain}`;
  const created = await dir.users.insert({
    requestBody: {
      primaryEmail: email,
      name: { givenName: 'Alice', familyName: 'Interop' },
      password: 'Interop-Passw0rd!',
      orgUnitPath: '/Teams Interop',
    },
  });
  assert.match(created.data.id, /^\d{21}$/);
  assert.equal(created.data.orgUnitPath, '/Teams Interop');

  const got = await dir.users.get({ userKey: created.data.id });
  assert.equal(got.data.primaryEmail, email);
  const found = await dir.users.list({ customer: 'my_customer', query: "orgUnitPath='/Teams Interop'" });
  assert.deepEqual(found.data.users.map((u) => u.primaryEmail), [email]);

  await assert.rejects(
    dir.users.insert({
      requestBody: { primaryEmail: email, name: { givenName: 'A', familyName: 'B' },
        password: 'Interop-Passw0rd!' },
    }),
    (err) => err.response?.status === 409
      && err.response.data.error.errors[0].reason === 'duplicate',
  );
});

test('Chat: set up a DM and post a message as a user', async () => {
  const users = new admin_directory_v1.Admin({
    auth: jwt(ep.admin_email, ['admin.directory.user.readonly']), rootUrl: ep.root_url,
  });
  const others = (await users.users.list({ customer: 'my_customer' })).data.users
    .filter((u) => u.primaryEmail !== ep.admin_email && !u.suspended);
  const other = others[0];

  const auth = jwt(ep.admin_email, ['chat.spaces', 'chat.messages', 'chat.memberships.readonly']);
  const chat = new chat_v1.Chat({ auth, rootUrl: ep.root_url });
  const setup = await chat.spaces.setup({
    requestBody: {
      space: { spaceType: 'DIRECT_MESSAGE' },
      memberships: [{ member: { name: `users/${other.primaryEmail}`, type: 'HUMAN' } }],
    },
  });
  assert.equal(setup.data.spaceType, 'DIRECT_MESSAGE');
  const again = await chat.spaces.findDirectMessage({ name: `users/${other.id}` });
  assert.equal(again.data.name, setup.data.name);

  const sent = await chat.spaces.messages.create({
    parent: setup.data.name,
    messageId: 'client-e2e-1',
    requestBody: { text: `hi <users/${other.primaryEmail}>` },
  });
  assert.equal(sent.data.clientAssignedMessageId, 'client-e2e-1');
  assert.equal(sent.data.sender.type, 'HUMAN');
  assert.equal(sent.data.formattedText, `hi <users/${other.id}>`);
  assert.equal(sent.data.annotations[0].type, 'USER_MENTION');

  const byClientId = await chat.spaces.messages.get({ name: `${setup.data.name}/messages/client-e2e-1` });
  assert.equal(byClientId.data.name, sent.data.name);
  const members = await chat.spaces.members.list({ parent: setup.data.name });
  assert.equal(members.data.memberships.length, 2);
});

test('web client: sign in, open a DM, send; the other user reads it through the Chat API', async () => {
  const browser = await launchBrowser();
  try {
    const page = await newPage(browser, { width: 1100, height: 700 }, { consoleErrors: false });

    await emuClient.signIn(page, ep.root_url, 'Google Chat', 'Priya Raman');
    await emuClient.openChat(page, 'Quentin', 'Quentin Blake');
    const text = `Hello Quentin, from the emulator client ${Date.now()}`;
    await emuClient.send(page, text);

    // Quentin, through the Chat API with his own delegated token, finds it.
    const chat = new chat_v1.Chat({
      auth: jwt(`quentin@${ep.domain}`, ['chat.spaces', 'chat.messages']), rootUrl: ep.root_url,
    });
    const dm = await chat.spaces.findDirectMessage({ name: `users/priya@${ep.domain}` });
    const list = await chat.spaces.messages.list({ parent: dm.data.name });
    assert.equal(list.data.messages.at(-1).text, text);

    // His reply shows up in Priya's open conversation by itself.
    const reply = `Got it, Priya ${Date.now()}`;
    await chat.spaces.messages.create({ parent: dm.data.name, requestBody: { text: reply } });
    await emuClient.received(page, reply);
    await shot(page, '55-client-chat');
    assert.deepEqual(page.problems, []);
  } finally {
    await browser.close();
  }
});
