// browser.mjs - Chromium through playwright-core for the e2e tests: launch
// it with the flags this machine needs, open pages that collect script and
// console errors, sign in to the Hub, take screenshots into build/screenshots/.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const SHOTS = join('build', 'screenshots');

export function launchBrowser() {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page in a new context of VIEWPORT whose page.problems collects every
// script error and (with consoleErrors) every console error but a 401, so a
// test can end with assert.deepEqual(page.problems, []).  A CSP violation
// shows up as a console error; the Hub's session probe before signing in and
// a wrong-password attempt log their 401 as a failed resource load.
export async function newPage(browser, viewport, { consoleErrors = true } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
  if (consoleErrors) {
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/401/.test(msg.text())) page.problems.push(msg.text());
    });
  }
  return page;
}

// Fills in and submits the Hub's sign-in form.
export async function signIn(page, email, password) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// A 1280x900 page signed in to the Hub at URL as EMAIL, showing the main
// navigation.
export async function signedInPage(browser, url, email, password) {
  const page = await newPage(browser, { width: 1280, height: 900 });
  await page.goto(url);
  await signIn(page, email, password);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

// build/screenshots/NAME.png of the whole page (or of the viewport).
export const shot = (page, name, { fullPage = true } = {}) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
