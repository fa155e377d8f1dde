// tabs.js - a page with a title and a strip of tabs (WAI-ARIA tabs pattern:
// arrow keys move between tabs), each tab a link to #/<page>/<id>.
// Used by the Users and Settings pages.

import { h, mount } from './dom.js';

// TABS: [{id, label, render(panel, ctx)}].  REST[0] picks the active tab.
export function renderTabbedPage(main, ctx, rest, { page, title, subtitle, label, tabs }) {
  const active = tabs.find((t) => t.id === rest[0]) || tabs[0];
  const links = tabs.map((t) => h('a', {
    class: 'tab', role: 'tab', id: `tab-${t.id}`, href: `#/${page}/${t.id}`,
    'aria-selected': String(t === active), 'aria-controls': `${page}-panel`,
    tabindex: t === active ? '0' : '-1',
  }, t.label));
  const panel = h('section', { class: 'tab-panel', id: `${page}-panel`, role: 'tabpanel',
                               'aria-labelledby': `tab-${active.id}` });
  const list = h('div', { class: 'tabs', role: 'tablist', 'aria-label': label }, links);

  list.addEventListener('keydown', (e) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (!step) return;
    const next = links[(tabs.indexOf(active) + step + tabs.length) % tabs.length];
    next.focus();
    next.click();
  });

  mount(main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, title), subtitle ? h('p', { class: 'muted' }, subtitle) : null)),
    list,
    panel);
  active.render(panel, ctx);
}
