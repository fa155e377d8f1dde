// pages/activity.js - the Activity page: the org's audit log, newest
// first, with "Load older" paging (GET /api/orgs/:org/audit).

import { api } from '../api.js';
import { h, mount } from '../dom.js';

const ACTIONS = {
  'admin.create': 'Admin added',
  'admin.login': 'Signed in',
  'admin.login_failed': 'Failed sign-in',
  'admin.logout': 'Signed out',
  'job.enqueue': 'Started a job',
  'job.retry': 'Retried a job',
  'connection.create': 'Connected a platform',
  'connection.update': 'Changed a connection',
  'connection.delete': 'Removed a connection',
  'connection.test': 'Tested a connection',
  'import.start': 'Started an import',
  'import.microsoft.teams': 'Imported Microsoft Teams users',
  'import.google.users': 'Imported Google users',
  'sync.request.sync': 'Asked to sync people',
  'sync.request.unsync': 'Asked to unsync people',
  'sync.request.primary': 'Changed primary platforms',
  'sync.provision': 'Synced a person',
  'sync.unsync': 'Unsynced a person',
};

// A line under the event for the details an admin cares about: an import's
// counts or its error, a connection test's outcome, a sync request's counts,
// the account a sync made.
function summary(d) {
  if (!d || typeof d !== 'object') return null;
  if (d.error) return h('span', { class: 'event-detail event-error' }, d.error);
  if ('fetched' in d) {
    const parts = ['new', 'updated', 'unchanged', 'skipped', 'failed']
      .filter((k) => d[k]).map((k) => `${d[k]} ${k}`);
    const counts = parts.length ? `: ${parts.join(', ')}` : '';
    return h('span', { class: 'event-detail muted' }, `${d.fetched} fetched${counts}`);
  }
  if ('selected' in d) {
    const to = d.platform ? ` to ${d.platform === 'google' ? 'Google Chat' : 'Microsoft Teams'}` : '';
    return h('span', { class: 'event-detail muted' },
      `${d.changed} of ${d.selected} ${d.selected === 1 ? 'person' : 'people'}${to}` +
      (d.skipped ? `, ${d.skipped} skipped` : ''));
  }
  if (d.login) return h('span', { class: 'event-detail muted' }, d.login);
  if (d.ok === false) return h('span', { class: 'event-detail event-error' }, `failed (${d.code})`);
  if (d.ok === true) return h('span', { class: 'event-detail muted' }, 'worked');
  return null;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

function row(e) {
  const when = new Date(e.created_at);
  const actor = e.actor.replace(/^admin:/, '');
  return h('li', { class: 'event' },
    h('time', { class: 'event-time', datetime: when.toISOString() }, timeFormat.format(when)),
    h('span', { class: 'event-action' }, ACTIONS[e.action] || e.action),
    h('span', { class: 'event-who' },
      h('span', { class: 'event-actor' }, actor),
      e.target && e.target !== actor ? h('span', { class: 'muted' }, ` → ${e.target}`) : null),
    summary(e.details));
}

export function render(main, ctx) {
  const list = h('ol', { class: 'events', 'aria-label': 'Activity' });
  const status = h('p', { class: 'muted', 'aria-live': 'polite' }, 'Loading…');
  const more = h('button', { class: 'btn btn-secondary', type: 'button' }, 'Load older');
  const foot = h('div', { class: 'card-foot', hidden: true }, more);
  const refresh = h('button', { class: 'btn btn-secondary', type: 'button' }, 'Refresh');
  let before = null;

  function setStatus(text) {
    status.textContent = text;
    status.hidden = !text;
  }

  async function load(reset) {
    if (!ctx.org) {
      setStatus('You are not a member of any organisation yet.');
      return;
    }
    more.disabled = refresh.disabled = true;
    try {
      const page = await api.audit(ctx.org.id, reset ? null : before);
      if (reset) list.replaceChildren();
      list.append(...page.events.map(row));
      before = page.next_before;
      foot.hidden = !before;
      setStatus(list.children.length ? '' : 'Nothing has happened yet.');
    } catch (err) {
      setStatus('The activity could not be loaded.');
      ctx.onApiError(err);
    } finally {
      more.disabled = refresh.disabled = false;
    }
  }

  more.addEventListener('click', () => load(false));
  refresh.addEventListener('click', () => load(true));
  mount(main,
    h('div', { class: 'page-head' },
      h('h1', {}, 'Activity'),
      refresh),
    h('section', { class: 'card' }, status, list, foot));
  load(true);
}
