// 50-emu-microsoft.test.mjs - the official Microsoft libraries, unchanged,
// against build/parley-emu over HTTPS with the emulator's own CA:
// msal-node client credentials and username/password, the Graph client with
// PageIterator across pages, a chat created and a message sent as a user.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as msal from '@azure/msal-node';
import * as graph from '@microsoft/microsoft-graph-client';
import { SEED, SEED_PASSWORD as PASSWORD, caFetch, startEmu } from './lib/emu.mjs';

let emu;          // startEmu()'s result
let ep;           // endpoints.json
let ca;           // the CA certificate (PEM)
let host;         // "127.0.0.1:PORT"

before(async () => {
  emu = await startEmu({ tls: true, quiet: true });
  ({ endpoints: ep, ca } = emu);
  host = new URL(ep.microsoft.authority_host).host;
});

after(() => emu?.stop());

function authConfig(withSecret) {
  return {
    auth: {
      clientId: ep.microsoft.client_id,
      ...(withSecret ? { clientSecret: ep.microsoft.client_secret } : {}),
      authority: `${ep.microsoft.authority_host}/${ep.microsoft.tenant_id}`,
      knownAuthorities: [host],
    },
    // msal-node hands these to its https agent: trust the emulator's CA.
    system: { customAgentOptions: { ca } },
  };
}

// A Graph client with the SDK's default middleware chain, whose last link
// (the HTTP handler) goes through caFetch.
function graphClient(token) {
  const authProvider = { getAccessToken: async () => token };
  const middleware = graph.MiddlewareFactory.getDefaultMiddlewareChain(authProvider);
  middleware[middleware.length - 1] = {
    execute: async (context) => { context.response = await caFetch(ca, context.request, context.options); },
  };
  return graph.Client.initWithMiddleware({
    middleware,
    baseUrl: `${ep.microsoft.authority_host}/`,
    defaultVersion: 'v1.0',
    customHosts: new Set([new URL(ep.microsoft.authority_host).hostname]),
  });
}

async function appToken() {
  const cca = new msal.ConfidentialClientApplication(authConfig(true));
  const res = await cca.acquireTokenByClientCredential({
    scopes: ['https://graph.microsoft.com/.default'],
  });
  return res.accessToken;
}

async function userToken(upn) {
  const pca = new msal.PublicClientApplication(authConfig(false));
  const res = await pca.acquireTokenByUsernamePassword({
    scopes: ['https://graph.microsoft.com/Chat.ReadWrite',
      'https://graph.microsoft.com/ChatMessage.Send'],
    username: upn,
    password: PASSWORD,
  });
  assert.equal(res.account.username, upn);
  return res.accessToken;
}

test('msal-node client credentials yields an app token Graph accepts', async () => {
  const token = await appToken();
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  assert.equal(claims.tid, ep.microsoft.tenant_id);
  assert.equal(claims.aud, 'https://graph.microsoft.com');
  assert.ok(Array.isArray(claims.roles) && claims.roles.includes('User.Read.All'));
  const me = await graphClient(token).api('/users/alice@parleydemo.onmicrosoft.com').get();
  assert.equal(me.displayName, 'Alice Johnson');
});

test('a wrong client secret is refused with AADSTS7000215', async () => {
  const cfg = authConfig(true);
  cfg.auth.clientSecret = 'wrong';
  const cca = new msal.ConfidentialClientApplication(cfg);
  await assert.rejects(
    cca.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] }),
    (err) => err.errorCode === 'invalid_client' && /7000215/.test(err.errorMessage));
});

test('PageIterator walks every user across pages', async () => {
  const client = graphClient(await appToken());
  const first = await client.api('/users').top(5).select('id,displayName').get();
  assert.equal(first.value.length, 5);
  assert.match(first['@odata.nextLink'], /^https:\/\/127\.0\.0\.1:\d+\/v1\.0\/users\?/);
  const seen = [];
  const it = new graph.PageIterator(client, first, (u) => { seen.push(u.id); return true; });
  await it.iterate();
  const all = JSON.parse(readFileSync(SEED, 'utf8')).microsoft.users;
  assert.equal(seen.length, all.length);
  assert.equal(new Set(seen).size, all.length);
});

test('msal-node username/password gives a user token; the user opens a chat and sends', async () => {
  const alice = await userToken('alice@parleydemo.onmicrosoft.com');
  const client = graphClient(alice);
  const bind = (upn) => `${ep.microsoft.graph_base}/users('${upn}')`;
  const oneOnOne = (upns) => client.api('/chats').post({
    chatType: 'oneOnOne',
    members: upns.map((upn) => ({
      '@odata.type': '#microsoft.graph.aadUserConversationMember',
      roles: ['owner'],
      'user@odata.bind': bind(upn),
    })),
  });
  const chat = await oneOnOne(['alice@parleydemo.onmicrosoft.com', 'bob@parleydemo.onmicrosoft.com']);
  assert.match(chat.id, /^19:.*@unq\.gbl\.spaces$/);
  const again = await oneOnOne(['bob@parleydemo.onmicrosoft.com', 'alice@parleydemo.onmicrosoft.com']);
  assert.equal(again.id, chat.id, 'the second oneOnOne create returns the same chat');

  const sent = await client.api(`/chats/${encodeURIComponent(chat.id)}/messages`)
    .post({ body: { contentType: 'html', content: '<p>Hello from <b>MSAL</b></p>' } });
  assert.equal(sent.from.user.displayName, 'Alice Johnson');

  const bob = graphClient(await userToken('bob@parleydemo.onmicrosoft.com'));
  const list = await bob.api(`/chats/${encodeURIComponent(chat.id)}/messages`).get();
  assert.equal(list.value[0].id, sent.id);
  assert.equal(list.value[0].body.content, '<p>Hello from <b>MSAL</b></p>');
});

test('an app token cannot send a chat message (403, GraphError)', async () => {
  const client = graphClient(await appToken());
  const chats = await client.api('/users/alice@parleydemo.onmicrosoft.com/chats').get();
  assert.ok(chats.value.length >= 1);
  await assert.rejects(
    client.api(`/chats/${encodeURIComponent(chats.value[0].id)}/messages`)
      .post({ body: { content: 'nope' } }),
    (err) => err.statusCode === 403 && typeof err.requestId === 'string');
});
