// hub.mjs - build/parley for the e2e tests: a data directory, the CLI
// (admin create, connect) run against it, `parley serve` on a free loopback
// port, and a clean stop.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD, freePort, stop, waitFor } from './util.mjs';

export const PARLEY = join(BUILD, 'parley');
// The admin every Hub test signs in as.
export const EMAIL = 'ada@example.com';
export const PASSWORD = 'a long and correct password';
export const ORG = 'Acme';

// The environment of parley: its master key file is the data directory's.
function parleyEnv() {
  const env = { ...process.env };
  delete env.PARLEY_MASTER_KEY_FILE;
  return env;
}

export class Hub {
  // The hub keeps its data in DIR/hub and logs to DIR/hub.log.
  constructor(dir) {
    this.dataDir = join(dir, 'hub');
    this.logPath = join(dir, 'hub.log');
    this.proc = null;
    this.url = null;
  }

  // Runs `parley ARGS --data DIR` with INPUT on stdin; asserts it succeeds.
  run(args, input) {
    const run = spawnSync(PARLEY, [...args, '--data', this.dataDir],
                          { input, env: parleyEnv(), encoding: 'utf8' });
    assert.equal(run.status, 0, `parley ${args.slice(0, 2).join(' ')} failed: ${run.stderr}${run.stdout}`);
    return run.stdout;
  }

  createAdmin(email = EMAIL, { org = ORG, role, password = PASSWORD } = {}) {
    this.run(['admin', 'create', '--email', email, '--org', org, ...(role ? ['--role', role] : []),
              '--password-stdin'], `${password}\n`);
  }

  // Connects ORG to both platforms of the emulator with ENDPOINTS, through the CLI.
  connect(endpoints, org = ORG) {
    const { microsoft: ms, google: g, ca_file: ca } = endpoints;
    this.run(['connect', 'microsoft', '--org', org, '--tenant-id', ms.tenant_id, '--client-id', ms.client_id,
              '--authority-host', ms.authority_host, '--graph-base', ms.graph_base, '--ca-file', ca,
              '--client-secret-stdin'], `${ms.client_secret}\n`);
    this.run(['connect', 'google', '--org', org, '--customer-id', g.customer_id, '--domain', g.domain,
              '--admin-email', g.admin_email, '--root-url', g.root_url, '--ca-file', ca,
              '--service-account-key-file', g.service_account_key_file]);
  }

  // Starts `parley serve` and waits for /healthz.
  async serve() {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const log = openSync(this.logPath, 'a');
    this.proc = spawn(PARLEY, ['serve', '--listen', `127.0.0.1:${port}`, '--data', this.dataDir],
                      { env: parleyEnv(), stdio: ['ignore', log, log] });
    await waitFor(async () => {
      if (this.proc.exitCode !== null) throw new Error(`parley serve exited with ${this.proc.exitCode}`);
      return fetch(`${this.url}/healthz`).then((r) => r.status === 200, () => false);
    }, 'parley serve not healthy');
  }

  // Signs in through the API: resolves { cookie, csrf }.
  async login(email = EMAIL, password = PASSWORD) {
    const resp = await fetch(`${this.url}/api/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const { csrf_token: csrf } = await resp.json();
    return { cookie: resp.headers.get('set-cookie').split(';')[0], csrf };
  }

  // Signs in and tries ORG's Microsoft connection; throws unless it works,
  // so a hub that cannot reach the emulators fails the suite at once.
  async probeConnectors(org = ORG) {
    const { cookie, csrf } = await this.login();
    const resp = await fetch(`${this.url}/api/orgs/${org}/connections/microsoft/test`, {
      method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': csrf },
    });
    const body = await resp.json();
    assert.equal(resp.status, 200, `Test connection answered ${resp.status}: ${JSON.stringify(body)}`);
    assert.equal(body.ok, true, `the emulator connection does not work: ${JSON.stringify(body)}`);
  }

  // SIGTERM and wait; resolves { code, log } (the exit code and the log).
  async stop() {
    if (!this.proc) return null;
    const code = await stop(this.proc);
    return { code, log: readFileSync(this.logPath, 'utf8') };
  }
}

// Asserts that STOPPED (what Hub.stop() resolved) is a clean exit (under
// ASan: no leak or error reports); nothing when the hub never started.
export function assertCleanStop(stopped) {
  if (stopped) assert.equal(stopped.code, 0, `parley serve did not stop cleanly:\n${stopped.log.slice(-4000)}`);
}
