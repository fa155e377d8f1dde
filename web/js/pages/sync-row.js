// pages/sync-row.js - one person of Users > Sync users as a table row: a
// checkbox, the name with the status badge, the email, the primary platform
// (a <select>) and the secondary platform (the Sync button, the account
// being made or removed, or the account with Unsync).  Rows call back into
// the page (ACTIONS) for everything that changes data.

import { h } from '../dom.js';

export const PLATFORMS = { google: 'Google Chat', microsoft: 'Microsoft Teams' };
export const STATUSES = {
  not_synced: 'Not synced', pending: 'Pending', provisioning: 'Provisioning',
  synced: 'Synced', error: 'Error', unsyncing: 'Unsyncing',
};
const BUSY = new Set(['pending', 'provisioning', 'unsyncing']);
// What the secondary account is called on each platform.
export const ACCOUNT = { microsoft: 'Teams guest account', google: 'Google interop account' };
const SYNC_LABEL = { microsoft: 'Sync Microsoft', google: 'Sync Google' };

export const isBusy = (p) => BUSY.has(p.sync_status);
export const otherPlatform = (platform) => (platform === 'google' ? 'microsoft' : 'google');
export const personName = (p) => p.display_name || p.email;

// The status badge; with a reason, a button that shows it (it is also the title).
function statusBadge(p) {
  const label = STATUSES[p.sync_status] || p.sync_status;
  const cls = `badge sync-status sync-${p.sync_status}`;
  if (!p.status_reason) return [h('span', { class: cls }, label)];
  const reason = h('p', { class: `status-reason${p.sync_status === 'error' ? ' alert-error' : ''}`,
                          hidden: true }, p.status_reason);
  const badge = h('button', { class: `${cls} badge-button`, type: 'button', title: p.status_reason,
                              'aria-expanded': 'false' }, label);
  badge.addEventListener('click', () => {
    reason.hidden = !reason.hidden;
    badge.setAttribute('aria-expanded', String(!reason.hidden));
  });
  return [badge, reason];
}

function primarySelect(p, canChange, actions) {
  const select = h('select', { class: 'primary-select', 'aria-label': `Primary platform of ${personName(p)}`,
                               disabled: !canChange || isBusy(p) },
    p.primary_platform ? null : h('option', { value: '', disabled: true, selected: true }, 'Choose…'),
    Object.entries(PLATFORMS).map(([value, label]) => {
      const has = p.platforms.includes(value);
      return h('option', { value, selected: p.primary_platform === value, disabled: !has },
        has ? label : `${label} (no account)`);
    }));
  select.addEventListener('change', () => actions.primary(p, select.value, select));
  return select;
}

function secondaryCell(p, canChange, actions) {
  const primary = p.primary_platform;
  const login = p.secondary ? h('span', { class: 'account-login' }, p.secondary.login || p.secondary.external_id) : null;
  switch (p.sync_status) {
    case 'pending':
    case 'provisioning':
      return h('span', { class: 'muted working' },
        `Creating the ${ACCOUNT[otherPlatform(primary)] || 'account'}…`);
    case 'unsyncing':
      return [login, h('span', { class: 'muted working' }, 'Removing…')];
    case 'synced':
      return [login, canChange
        ? h('button', { class: 'btn btn-secondary btn-small', type: 'button',
                        onclick: () => actions.unsync(p) }, 'Unsync') : null];
    default:
      break;
  }
  if (!primary) return h('span', { class: 'muted' }, 'Choose a primary platform');
  if (!p.platforms.includes(primary)) return h('span', { class: 'muted' }, `No ${PLATFORMS[primary]} account`);
  const target = otherPlatform(primary);
  return canChange
    ? h('button', { class: 'btn btn-primary btn-small', type: 'button', onclick: () => actions.sync(p) },
      SYNC_LABEL[target])
    : h('span', { class: 'muted' }, `Not on ${PLATFORMS[target]}`);
}

// A <tr> for person P.  ACTIONS: {select(p, checked), primary(p, platform,
// select), sync(p), unsync(p)}; SELECTED: whether its box is ticked.
export function personRow(p, { canChange, selected, actions }) {
  const box = canChange
    ? h('td', { class: 'cell-check' }, h('input', {
      type: 'checkbox', 'aria-label': `Select ${personName(p)}`, checked: selected,
      onchange: (e) => actions.select(p, e.target.checked),
    }))
    : null;
  return h('tr', { 'data-person': p.id },
    box,
    h('td', { class: 'cell-name' }, h('span', { class: 'person-name' }, personName(p)), ' ', statusBadge(p)),
    h('td', { class: 'cell-email' }, p.email),
    h('td', {}, primarySelect(p, canChange, actions)),
    h('td', {}, h('div', { class: 'secondary' }, secondaryCell(p, canChange, actions))));
}
