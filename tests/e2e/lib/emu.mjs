// emu.mjs - build/parley-emu for the e2e tests: start it with the demo seed
// on ephemeral loopback ports (plain HTTP or TLS with its own CA), read its
// endpoints.json, and talk HTTPS to it trusting that CA.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { BUILD, removeDir, stop, tempDir, waitFor } from './util.mjs';

export const SEED = 'emulators/seeds/demo.json';
// The password of every user in the demo seed.
export const SEED_PASSWORD = 'Demo-Passw0rd!';

// Starts the emulator in DIR (a new temporary directory when not given).
// Resolves { proc, dir, endpoints, ca (PEM, with tls), stop() }.
// quiet: its stderr is dropped rather than passed through.
export async function startEmu({ tls = false, dir, quiet = false } = {}) {
  const ownDir = !dir;
  dir = dir || tempDir('parley-emu-e2e-');
  const args = ['--seed', SEED, '--dir', dir, ...(tls ? ['--tls'] : []),
                '--listen-microsoft', '127.0.0.1:0', '--listen-google', '127.0.0.1:0'];
  const proc = spawn(join(BUILD, 'parley-emu'), args,
                     { stdio: ['ignore', 'ignore', quiet ? 'ignore' : 'inherit'] });
  const file = join(dir, 'endpoints.json');
  await waitFor(() => {
    if (proc.exitCode !== null) throw new Error(`parley-emu exited with ${proc.exitCode}`);
    return existsSync(file);
  }, `${file} did not appear`);
  const endpoints = JSON.parse(readFileSync(file, 'utf8'));
  const ca = tls ? readFileSync(endpoints.ca_file, 'utf8') : null;
  return {
    proc, dir, endpoints, ca,
    async stop() {
      await stop(proc);
      if (ownDir) removeDir(dir);
    },
  };
}

// fetch() over node:https trusting CA (Node's global fetch takes no CA
// option).  Returns a standard Response.
export function caFetch(ca, url, options = {}) {
  return new Promise((resolve, reject) => {
    const headers = options.headers instanceof Headers
      ? Object.fromEntries(options.headers.entries()) : { ...(options.headers || {}) };
    const req = httpsRequest(url, { method: options.method || 'GET', headers, ca }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = res.statusCode === 204 ? null : Buffer.concat(chunks);
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve(new Response(body, { status: res.statusCode, headers: h }));
      });
    });
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}

// An access token from the emulated Microsoft identity platform's token
// endpoint (MS: endpoints.microsoft) for the form fields FIELDS, with the
// Graph default scope; through FETCH (e.g. caFetch bound to the CA).
export async function microsoftToken(ms, fields, fetchImpl = fetch) {
  const body = new URLSearchParams({ client_id: ms.client_id,
                                     scope: 'https://graph.microsoft.com/.default', ...fields });
  const resp = await fetchImpl(`${ms.authority_host}/${ms.tenant_id}/oauth2/v2.0/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
  const json = await resp.json();
  if (resp.status !== 200) throw new Error(`token endpoint: ${resp.status} ${JSON.stringify(json)}`);
  return json.access_token;
}

// The emulator's own web client (/_emu/client/ under URL), in a browser PAGE.
export const emuClient = {
  // Opens it, checks it names PLATFORM ('Microsoft Teams', 'Google Chat')
  // and signs in as the seed user named ME from the picker.
  async signIn(page, url, platform, me) {
    await page.goto(`${url}_emu/client/`);
    await page.getByText(`emulating ${platform}`).waitFor();
    await page.getByRole('button', { name: new RegExp(me) }).click();
    await page.getByText(`Signed in as ${me}`).waitFor();
  },
  // Opens a 1:1 chat with the user named OTHER, found by typing SEARCH.
  async openChat(page, search, other) {
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByLabel('Add people').fill(search);
    await page.getByRole('button', { name: new RegExp(other) }).click();
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.locator('#chat-title', { hasText: other }).waitFor();
  },
  // Sends TEXT in the open chat and waits for it to show as one's own.
  async send(page, text) {
    await page.getByPlaceholder('Type a message').fill(text);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('#messages li.mine', { hasText: text }).waitFor();
  },
  // Waits for TEXT from the other side to show in the open chat.
  received: (page, text) => page.locator('#messages li:not(.mine)', { hasText: text }).waitFor(),
};
