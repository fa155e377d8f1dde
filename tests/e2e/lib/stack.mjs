// stack.mjs - the setup every Hub browser test shares: a temporary
// directory, (optionally) parley-emu over TLS with the org connected to both
// its platforms, `parley serve` with an admin, and Chromium; torn down in
// reverse, checking the hub stops cleanly.
//
//   const stack = new Stack('parley-e2e-21-');
//   before(() => stack.start({ emu: true }));
//   after(() => stack.stop());

import { join } from 'node:path';
import { launchBrowser, signedInPage } from './browser.mjs';
import { startEmu } from './emu.mjs';
import { Hub, EMAIL, PASSWORD, assertCleanStop } from './hub.mjs';
import { removeDir, tempDir } from './util.mjs';

export class Stack {
  constructor(prefix) {
    this.prefix = prefix;
    this.tmp = null;
    this.emu = null;       // startEmu()'s result
    this.hub = null;       // a Hub
    this.browser = null;
  }

  get endpoints() { return this.emu?.endpoints; }

  // emu: start the emulators and connect the org; admins: more admins to
  // create ({ email, role }) besides EMAIL, the owner.
  async start({ emu = false, admins = [] } = {}) {
    this.tmp = tempDir(this.prefix);
    if (emu) this.emu = await startEmu({ tls: true, dir: join(this.tmp, 'emu') });
    this.hub = new Hub(this.tmp);
    this.hub.createAdmin();
    for (const { email, role } of admins) this.hub.createAdmin(email, { role });
    if (emu) this.hub.connect(this.emu.endpoints);
    await this.hub.serve();
    if (emu) await this.hub.probeConnectors();   // fails the suite when the hub cannot reach them
    this.browser = await launchBrowser();
  }

  async stop() {
    await this.browser?.close();
    const stopped = await this.hub?.stop();
    await this.emu?.stop();
    removeDir(this.tmp);
    assertCleanStop(stopped);
  }

  // A page signed in as EMAIL at the Hub's HASH (e.g. '#/users/import').
  signedInPage(hash, email = EMAIL) {
    return signedInPage(this.browser, `${this.hub.url}/${hash}`, email, PASSWORD);
  }
}
