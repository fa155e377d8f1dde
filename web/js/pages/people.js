// pages/people.js - the list of people imported into the org (name, email,
// platforms, status), with search, a platform filter, sorting and
// "Load more" paging (GET /api/orgs/:org/people).

import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { STATUSES } from './sync-row.js';

const PLATFORM_LABELS = { microsoft: 'Teams', google: 'Google Chat' };
const SEARCH_DELAY_MS = 250;

function row(p) {
  return h('tr', {},
    h('td', {}, p.display_name || '—'),
    h('td', { class: 'cell-email' }, p.email),
    h('td', {}, p.platforms.map((k) => h('span', { class: `badge badge-${k}` }, PLATFORM_LABELS[k] || k))),
    h('td', {}, h('span', { class: 'status' }, STATUSES[p.sync_status] || p.sync_status)));
}

// The people card; reload() shows the first page again (after an import).
export function peopleList(ctx) {
  const search = h('input', { id: 'people-q', type: 'search', placeholder: 'Name or email',
                              autocomplete: 'off' });
  const platform = h('select', { id: 'people-platform' },
    h('option', { value: '' }, 'Both platforms'),
    h('option', { value: 'microsoft' }, 'Microsoft Teams'),
    h('option', { value: 'google' }, 'Google Chat'));
  const sort = h('select', { id: 'people-sort' },
    h('option', { value: 'name' }, 'Name'), h('option', { value: 'email' }, 'Email'));
  const body = h('tbody');
  const status = h('p', { class: 'muted', 'aria-live': 'polite' });
  const count = h('span', { class: 'muted people-count' });
  const more = h('button', { class: 'btn btn-secondary', type: 'button', hidden: true }, 'Load more');
  let next = null;
  let timer = null;
  let generation = 0;

  async function load(reset) {
    const mine = ++generation;
    more.disabled = true;
    try {
      const page = await api.people(ctx.org.id, {
        q: search.value.trim(), platform: platform.value, sort: sort.value,
        after: reset ? null : next,
      });
      if (mine !== generation) return;   // a newer search answered first
      if (reset) body.replaceChildren();
      body.append(...page.people.map(row));
      next = page.next;
      more.hidden = !next;
      count.textContent = `${page.total} ${page.total === 1 ? 'person' : 'people'}`;
      status.textContent = body.children.length ? '' : 'No one has been imported yet.';
      status.hidden = !status.textContent;
    } catch (err) {
      ctx.onApiError(err);
    } finally {
      more.disabled = false;
    }
  }

  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => load(true), SEARCH_DELAY_MS);
  });
  platform.addEventListener('change', () => load(true));
  sort.addEventListener('change', () => load(true));
  more.addEventListener('click', () => load(false));

  const el = h('section', { class: 'card people', 'aria-labelledby': 'people-title' },
    h('div', { class: 'card-head' }, h('h2', { id: 'people-title' }, 'Imported people'), count),
    h('div', { class: 'filters' },
      h('div', { class: 'field' }, h('label', { for: 'people-q' }, 'Search'), search),
      h('div', { class: 'field' }, h('label', { for: 'people-platform' }, 'Platform'), platform),
      h('div', { class: 'field' }, h('label', { for: 'people-sort' }, 'Sort by'), sort)),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'table' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Email'),
          h('th', { scope: 'col' }, 'Platforms'), h('th', { scope: 'col' }, 'Status'))),
        body)),
    status,
    h('div', { class: 'card-foot' }, more));
  if (ctx.org) load(true);
  return { el, reload: () => load(true) };
}
