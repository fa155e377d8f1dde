// pages/users.js - the Users page: a tab strip whose tabs are listed in
// TABS ("Import users", "Sync users").  A feature plugs in by adding an
// entry { id, label, render } where render(panel, ctx) fills the tab's panel.

import { renderTabbedPage } from '../tabs.js';
import * as importTab from './import.js';
import * as syncTab from './sync.js';

const TABS = [
  { id: 'import', label: 'Import users', render: importTab.render },
  { id: 'sync', label: 'Sync users', render: syncTab.render },
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
