// pages/settings.js - the Settings page: its tabs (today "Connections").

import { renderTabbedPage } from '../tabs.js';
import * as connections from './connections.js';

const TABS = [
  { id: 'connections', label: 'Connections', render: connections.render },
];

export function render(main, ctx, rest) {
  renderTabbedPage(main, ctx, rest, {
    page: 'settings',
    title: 'Settings',
    subtitle: ctx.org ? `How ${ctx.org.name} reaches Microsoft 365 and Google Workspace.` : null,
    label: 'Settings',
    tabs: TABS,
  });
}
