// pages/users.js - the Users page: a tab strip whose tabs are listed in
// TABS.  A later feature plugs in by adding an entry { id, label, render }
// where render(panel, ctx) fills the tab's panel.

import { h, mount } from '../dom.js';
import { renderTabbedPage } from '../tabs.js';
import * as importTab from './import.js';

function placeholder(title, text) {
  return (panel) => mount(panel,
    h('div', { class: 'empty' },
      h('h2', {}, title),
      h('p', { class: 'muted' }, text)));
}

const TABS = [
  { id: 'import', label: 'Import users', render: importTab.render },
  {
    id: 'sync',
    label: 'Sync users',
    render: placeholder('Sync users',
      'Keep a Google group or an Entra ID group in sync automatically. This arrives with ' +
      'Directory Sync.'),
  },
];

export function render(main, ctx, rest) {
  renderTabbedPage(main, ctx, rest, {
    page: 'users',
    title: 'Users',
    subtitle: ctx.org ? `People of ${ctx.org.name} across both platforms.` : null,
    label: 'Users',
    tabs: TABS,
  });
}
