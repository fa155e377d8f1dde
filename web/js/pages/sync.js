// pages/sync.js - Users > Sync users: every imported person with their
// status, primary platform (editable) and secondary account (Sync
// Microsoft / Sync Google, or the account with Unsync); search, status and
// platform filters, sorting, keyset paging; bulk primary platform, Sync
// selected, Unsync selected and Sync all with a progress bar.  While anyone
// on screen is pending, provisioning or unsyncing, the page and the status
// counts are polled every second, so changes show without a reload.

import { api } from '../api.js';
import { h, mount, toast } from '../dom.js';
import { confirmBulkPrimary, confirmBulkUnsync, confirmSwitch, confirmSync, confirmUnsync } from './sync-dialogs.js';
import { syncProgress, summaryLine } from './sync-progress.js';
import { PLATFORMS, STATUSES, isBusy, personRow } from './sync-row.js';
import { selection } from './sync-selection.js';

const PAGE_SIZE = 50;
const POLL_MS = 1000;
const SEARCH_DELAY_MS = 250;

const field = (id, label, control) =>
  h('div', { class: 'field' }, h('label', { for: id }, label), control);
const options = (entries, first) =>
  [h('option', { value: '' }, first), ...Object.entries(entries).map(([v, l]) => h('option', { value: v }, l))];

export function render(panel, ctx) {
  if (!ctx.org) {
    mount(panel, h('p', { class: 'muted' }, 'You are not a member of any organisation yet.'));
    return;
  }
  const org = ctx.org.id;
  const canChange = ctx.org.role !== 'viewer';
  const search = h('input', { id: 'sync-q', type: 'search', placeholder: 'Name or email', autocomplete: 'off' });
  const status = h('select', { id: 'sync-status' }, options(STATUSES, 'Any status'));
  const platform = h('select', { id: 'sync-platform' }, options(PLATFORMS, 'Both platforms'));
  const sort = h('select', { id: 'sync-sort' }, h('option', { value: 'name' }, 'Name'),
    h('option', { value: 'email' }, 'Email'));
  const body = h('tbody');
  const empty = h('p', { class: 'muted', hidden: true });
  const range = h('span', { class: 'muted' });
  const prev = h('button', { class: 'btn btn-secondary', type: 'button', disabled: true }, 'Previous');
  const next = h('button', { class: 'btn btn-secondary', type: 'button', disabled: true }, 'Next');
  const counts = h('p', { class: 'muted sync-counts', 'aria-live': 'polite' });
  const progress = syncProgress();
  const sel = selection(() => { bulk.hidden = sel.count() === 0; });
  const bulkPrimary = h('select', { id: 'bulk-primary' }, options(PLATFORMS, 'Choose…'));
  const bulk = h('div', { class: 'bulk-actions', hidden: true },
    sel.bar,
    h('div', { class: 'actions' },
      field('bulk-primary', 'Primary platform of the selected', bulkPrimary),
      h('button', { class: 'btn btn-secondary', type: 'button', onclick: () => bulkSetPrimary() }, 'Set primary platform'),
      h('button', { class: 'btn btn-primary', type: 'button', onclick: () => bulkRun('sync') }, 'Sync selected'),
      h('button', { class: 'btn btn-danger', type: 'button', onclick: () => bulkRun('unsync') }, 'Unsync selected')));
  const syncAll = h('button', { class: 'btn btn-primary', type: 'button', onclick: () => bulkRun('all') }, 'Sync all');

  const cursors = [null];    // cursors[i]: the "after" of page i
  let index = 0;
  let total = 0;
  let rows = new Map();      // id -> {p, tr, key}
  let timer = null;

  const filter = () => ({ q: search.value.trim(), status: status.value, platform: platform.value });
  const fetchPage = () => api.people(org, { ...filter(), sort: sort.value, limit: PAGE_SIZE, after: cursors[index] });
  const actions = { select: (p, on) => sel.toggle(p, on), primary: setPrimary, sync, unsync };
  const makeRow = (p) => personRow(p, { canChange, selected: sel.has(p.id), actions });

  // Put P's row in place of its old one when it changed, keeping focus.
  function updateRow(p) {
    const old = rows.get(p.id);
    const key = JSON.stringify(p);
    if (!old || old.key === key) return;
    const tr = makeRow(p);
    const focusables = (el) => [...el.querySelectorAll('button, select, input')];
    const at = focusables(old.tr).indexOf(document.activeElement);
    old.tr.replaceWith(tr);
    rows.set(p.id, { p, tr, key });
    if (at >= 0) focusables(tr)[Math.min(at, focusables(tr).length - 1)]?.focus();
  }

  function showPage(page) {
    const same = page.people.length === rows.size && page.people.every((p) => rows.has(p.id));
    if (same) {
      page.people.forEach(updateRow);
    } else {
      rows = new Map(page.people.map((p) => [p.id, { p, tr: makeRow(p), key: JSON.stringify(p) }]));
      body.replaceChildren(...[...rows.values()].map((r) => r.tr));
    }
    total = page.total;
    cursors[index + 1] = page.next;
    const first = index * PAGE_SIZE;
    range.textContent = page.people.length ? `${first + 1}–${first + page.people.length} of ${total}` : '';
    prev.disabled = index === 0;
    next.disabled = !page.next;
    empty.textContent = filter().q || filter().status || filter().platform
      ? 'No one matches the filter.' : 'No one has been imported yet: import people first.';
    empty.hidden = page.people.length > 0;
    sel.showing(page.people, total, filter());
  }

  function showSummary(summary) {
    counts.textContent = summaryLine(summary, STATUSES);
    progress.update(summary);
  }

  async function load() {
    try {
      const [page, summary] = await Promise.all([fetchPage(), api.syncSummary(org)]);
      if (!panel.isConnected) return;
      showPage(page);
      showSummary(summary);
      poll();
    } catch (err) {
      ctx.onApiError(err);
    }
  }

  // Poll while something on screen (or a bulk request) is still moving.
  function poll() {
    const moving = [...rows.values()].some((r) => isBusy(r.p)) || progress.running;
    if (timer || !moving || !panel.isConnected) return;
    timer = setTimeout(() => { timer = null; if (panel.isConnected) load(); }, POLL_MS);
  }

  async function act(call) {
    try {
      const answer = await call();
      if (answer && answer.person) updateRow(answer.person);
      await load();
      return answer;
    } catch (err) {
      ctx.onApiError(err);
      return null;
    }
  }

  async function setPrimary(p, value, select) {
    const switching = ['synced', 'pending', 'provisioning'].includes(p.sync_status) && p.primary_platform;
    if (switching && !(await confirmSwitch(p, value))) {
      select.value = p.primary_platform || '';
      return;
    }
    const answer = await act(() => api.setPrimary(org, p.id, value));
    if (!answer) select.value = p.primary_platform || '';
  }

  async function sync(p) {
    if (await confirmSync(p)) act(() => api.syncPerson(org, p.id));
  }

  async function unsync(p) {
    if (await confirmUnsync(p)) act(() => api.unsyncPerson(org, p.id));
  }

  // A bulk request: KIND "sync", "unsync" or "all" (sync everyone).
  async function bulkRun(kind) {
    const n = kind === 'all' ? total : sel.count();
    if (kind === 'unsync' && !(await confirmBulkUnsync(n, sel.known()))) return;
    const selected = kind === 'all' ? { all: true } : sel.body();
    const call = kind === 'unsync' ? api.unsyncMany : api.syncMany;
    const noun = { sync: 'Sync selected', unsync: 'Unsync selected', all: 'Sync all' }[kind];
    await track(kind === 'unsync' ? 'unsync' : 'sync', noun, () => call(org, selected));
  }

  async function bulkSetPrimary() {
    const value = bulkPrimary.value;
    if (!value) {
      toast('Choose the primary platform to set first.');
      bulkPrimary.focus();
      return;
    }
    if (!(await confirmBulkPrimary(sel.count(), value))) return;
    await track('primary', 'Primary platform change', () => api.setPrimaryMany(org, sel.body(), value));
  }

  async function track(kind, noun, call) {
    try {
      const before = await api.syncSummary(org);
      const answer = await call();
      const now = await api.syncSummary(org);
      progress.start(kind, noun, answer, before, now);
      if (!answer.changed) toast(`Nothing to do: ${answer.skipped} skipped.`, 'info');
      await load();
    } catch (err) {
      ctx.onApiError(err);
    }
  }

  const restart = () => { cursors.length = 1; index = 0; sel.reset(); load(); };
  let searchTimer = null;
  search.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(restart, SEARCH_DELAY_MS); });
  [status, platform, sort].forEach((s) => s.addEventListener('change', restart));
  prev.addEventListener('click', () => { index -= 1; load(); });
  next.addEventListener('click', () => { index += 1; load(); });

  mount(panel,
    h('section', { class: 'card sync', 'aria-labelledby': 'sync-title' },
      h('div', { class: 'card-head' },
        h('h2', { id: 'sync-title' }, 'Sync users'),
        canChange ? syncAll : null),
      h('p', { class: 'muted' }, 'Choose each person\'s primary platform, then sync them: Parley ' +
        'gives them an account on the other platform (a Teams guest account or a Google interop ' +
        'account) so people there can reach them.'),
      counts,
      progress.el,
      h('div', { class: 'filters filters-4' },
        field('sync-q', 'Search', search), field('sync-status', 'Status', status),
        field('sync-platform', 'Platform', platform), field('sync-sort', 'Sort by', sort)),
      canChange ? bulk : null,
      h('div', { class: 'table-wrap' },
        h('table', { class: 'table sync-table' },
          h('thead', {}, h('tr', {},
            canChange ? h('th', { scope: 'col', class: 'cell-check' }, sel.pageBox) : null,
            h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Email'),
            h('th', { scope: 'col' }, 'Primary platform'), h('th', { scope: 'col' }, 'Secondary platform'))),
          body)),
      empty,
      h('div', { class: 'card-foot pager' }, prev, range, next)));
  load();
}
