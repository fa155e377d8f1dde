// pages/sync-dialogs.js - the questions Users > Sync users asks before it
// changes accounts on a platform: what will be created, or exactly what
// will be deleted.

import { confirmDialog } from '../confirm.js';
import { h } from '../dom.js';
import { ACCOUNT, PLATFORMS, otherPlatform, personName } from './sync-row.js';

const who = (p) => `${personName(p)} (${p.email})`;

// Sync one person: a Teams guest account or a Google interop account.
export function confirmSync(p) {
  const target = otherPlatform(p.primary_platform);
  if (target === 'microsoft') {
    return confirmDialog({
      title: 'Sync to Microsoft Teams',
      body: [
        `A guest account will be provisioned in your Microsoft 365 tenant to represent ${who(p)} ` +
        'on Microsoft Teams.',
        'Teams users can then find and message them, and Parley relays the conversation to ' +
        'their Google Chat.',
      ],
      confirm: 'Create Guest Account',
    });
  }
  return confirmDialog({
    title: 'Sync to Google Chat',
    body: [
      `An interop account will be provisioned in your Google Workspace to represent ${who(p)} ` +
      'on Google Chat.',
      'Google Chat users can then find and message them, and Parley relays the conversation ' +
      'to their Microsoft Teams.',
    ],
    confirm: 'Create Interop Account',
  });
}

function accountPhrase(p) {
  const account = p.secondary;
  if (!account) return `the ${ACCOUNT[otherPlatform(p.primary_platform)] || 'secondary account'}`;
  return `the ${ACCOUNT[account.platform]} ${account.login || account.external_id}`;
}

// Unsync one person: names the account that will be deleted.
export function confirmUnsync(p) {
  const platform = p.secondary ? p.secondary.platform : otherPlatform(p.primary_platform);
  return confirmDialog({
    title: `Unsync ${personName(p)}?`,
    body: [
      `This deletes ${accountPhrase(p)}, which represents ${who(p)} on ${PLATFORMS[platform]}.`,
      'People there can no longer reach them through Parley until they are synced again.',
    ],
    confirm: 'Unsync',
    danger: true,
  });
}

// A synced person's primary platform changes: the old secondary account goes.
export function confirmSwitch(p, platform) {
  const next = ACCOUNT[otherPlatform(platform)];
  return confirmDialog({
    title: `Make ${PLATFORMS[platform]} ${personName(p)}'s primary platform?`,
    body: [
      `This deletes ${accountPhrase(p)} and provisions a ${next} for ${who(p)} instead.`,
    ],
    confirm: 'Change primary platform',
    danger: true,
  });
}

// Unsync many: how many, and the accounts of the ones on screen.
export function confirmBulkUnsync(count, visible) {
  const named = visible.filter((p) => p.secondary).slice(0, 5);
  return confirmDialog({
    title: `Unsync ${count} ${count === 1 ? 'person' : 'people'}?`,
    body: [
      'This deletes the secondary account of every selected person who is synced: the Teams ' +
      'guest accounts of Google Chat users and the Google interop accounts of Microsoft Teams ' +
      'users.',
      named.length ? h('ul', { class: 'dialog-list' },
        named.map((p) => h('li', {}, `${ACCOUNT[p.secondary.platform]} ${p.secondary.login}`))) : null,
    ].filter(Boolean),
    confirm: 'Unsync selected',
    danger: true,
  });
}

// A new primary platform for many: synced people switch accounts.
export function confirmBulkPrimary(count, platform) {
  return confirmDialog({
    title: `Make ${PLATFORMS[platform]} the primary platform of ${count} ${count === 1 ? 'person' : 'people'}?`,
    body: [
      `Synced people among them lose their current secondary account and get a ` +
      `${ACCOUNT[otherPlatform(platform)]} instead. People without a ${PLATFORMS[platform]} ` +
      'account of their own are skipped.',
    ],
    confirm: 'Set primary platform',
  });
}
