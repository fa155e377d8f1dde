// 20-hub-login.test.mjs - the Hub UI in a real browser (Chromium through
// playwright-core): sign-in with a wrong then the right password, the Users
// page and its tabs, Activity, the account menu and signing out, at desktop
// and phone widths.  Screenshots go to build/screenshots/.
//
// Run: node --test tests/e2e/20-hub-login.test.mjs   (PARLEY_BUILD: build dir)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, shot, signIn } from './lib/browser.mjs';
import { EMAIL, ORG, PASSWORD } from './lib/hub.mjs';
import { Stack } from './lib/stack.mjs';

const stack = new Stack('parley-e2e-20-');
before(() => stack.start());
after(() => stack.stop());

const hubPage = (viewport) => newPage(stack.browser, viewport);

test('a wrong password shows an error and keeps the sign-in page', async () => {
  const page = await hubPage({ width: 1280, height: 800 });
  await page.goto(stack.hub.url);
  await page.getByRole('heading', { name: 'Sign in to the Hub' }).waitFor();
  await signIn(page, EMAIL, 'not the password');
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.equal((await alert.textContent()).trim(), 'Wrong email or password.');
  assert.equal(await page.getByLabel('Password').inputValue(), '');
  await shot(page, '20-login-error');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('signing in shows Users with its tabs, Activity and the account menu', async () => {
  const page = await hubPage({ width: 1280, height: 800 });
  await page.goto(stack.hub.url);
  await shot(page, '20-login');
  await signIn(page, EMAIL, PASSWORD);

  const nav = page.getByRole('navigation', { name: 'Main' });
  const users = nav.getByRole('link', { name: 'Users' });
  await users.waitFor();
  assert.equal(await users.getAttribute('aria-current'), 'page');
  await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();

  const importTab = page.getByRole('tab', { name: 'Import users' });
  const syncTab = page.getByRole('tab', { name: 'Sync users' });
  assert.equal(await importTab.getAttribute('aria-selected'), 'true');
  assert.equal(await syncTab.getAttribute('aria-selected'), 'false');
  await shot(page, '20-users');
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
  await shot(page, '20-activity');

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
  const page = await hubPage({ width: 375, height: 740 });
  await page.goto(stack.hub.url);
  await signIn(page, EMAIL, PASSWORD);
  await page.getByRole('tab', { name: 'Import users' }).waitFor();
  // Nothing wider than the screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 375, `page is ${overflow}px wide at a 375px viewport`);
  await shot(page, '20-users-375');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
