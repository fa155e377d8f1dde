// util.mjs - what every e2e test shares: the build directory, temporary
// directories, polling, free ports, stopping a child process.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BUILD = process.env.PARLEY_BUILD || 'build';

// A new empty directory under the system's temporary directory.
export const tempDir = (prefix) => mkdtempSync(join(tmpdir(), prefix));
export const removeDir = (dir) => { if (dir) rmSync(dir, { recursive: true, force: true }); };

// A TCP port on 127.0.0.1 that was free a moment ago.
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Polls CHECK (may be async, may throw to give up) until it is truthy;
// throws "WHAT after N ms" past the deadline.
export async function waitFor(check, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} after ${timeoutMs} ms`);
}

// SIGTERM PROC (if still running); resolves with its exit code.
export async function stop(proc) {
  if (!proc) return null;
  if (proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
  return proc.exitCode;
}
