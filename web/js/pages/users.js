// pages/users.js - the Users page: a tab strip whose tabs are listed in
// TABS.  A later feature plugs in by adding an entry { id, label, render }
// where render(panel, ctx) fills the tab's panel.

import { h, mount } from '../dom.js';

function placeholder(title, text) {
  return (panel) => mount(panel,
    h('div', { class: 'empty' },
      h('h2', {}, title),
      h('p', { class: 'muted' }, text)));
}

const TABS = [
  {
    id: 'import',
    label: 'Import users',
    render: placeholder('Import users',
      'Import people from Google Workspace or Microsoft 365 and choose each person\'s primary ' +
      'platform. This arrives with the platform connections.'),
  },
  {
    id: 'sync',
    label: 'Sync users',
    render: placeholder('Sync users',
      'Keep a Google group or an Entra ID group in sync automatically. This arrives with the ' +
      'platform connections.'),
  },
];

export function render(main, ctx, rest) {
  const active = TABS.find((t) => t.id === rest[0]) || TABS[0];
  const tabs = TABS.map((t) => h('a', {
    class: 'tab', role: 'tab', id: `tab-${t.id}`, href: `#/users/${t.id}`,
    'aria-selected': String(t === active), 'aria-controls': 'users-panel',
    tabindex: t === active ? '0' : '-1',
  }, t.label));
  const panel = h('section', { class: 'tab-panel', id: 'users-panel', role: 'tabpanel',
                               'aria-labelledby': `tab-${active.id}` });
  const list = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Users' }, tabs);

  // Arrow keys move between tabs, as in the WAI-ARIA tabs pattern.
  list.addEventListener('keydown', (e) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (!step) return;
    const next = tabs[(TABS.indexOf(active) + step + TABS.length) % TABS.length];
    next.focus();
    next.click();
  });

  mount(main,
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', {}, 'Users'),
        ctx.org ? h('p', { class: 'muted' }, `People of ${ctx.org.name} across both platforms.`) : null)),
    list,
    panel);
  active.render(panel, ctx);
}
