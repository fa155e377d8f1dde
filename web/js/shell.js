// shell.js - the signed-in frame: the top bar with the "Parley" brand, the
// page links and the account menu (org, role, org switcher, sign out).
// Returns the <main> element the current page renders into.

import { h, mount } from './dom.js';

function accountMenu({ session, org, onSwitchOrg, onSignOut }) {
  const panelId = 'account-panel';
  const button = h('button', {
    class: 'account-button', type: 'button', 'aria-haspopup': 'true',
    'aria-expanded': 'false', 'aria-controls': panelId,
  },
  h('span', { class: 'account-org' }, org ? org.name : 'No organisation'),
  h('span', { class: 'badge' }, org ? org.role : '—'));

  const orgPicker = session.orgs.length > 1
    ? h('label', { class: 'field' }, h('span', {}, 'Organisation'),
      h('select', { onchange: (e) => onSwitchOrg(Number(e.target.value)) },
        session.orgs.map((o) => h('option', { value: o.id, selected: org && o.id === org.id },
          `${o.name} (${o.role})`))))
    : null;

  const panel = h('div', { class: 'account-panel', id: panelId, hidden: true },
    h('p', { class: 'account-email' }, session.admin.email),
    org ? h('p', { class: 'muted' }, `${org.name} · ${org.role}`) : null,
    orgPicker,
    h('button', { class: 'btn btn-secondary', type: 'button', onclick: onSignOut }, 'Sign out'));

  const setOpen = (open) => {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
  };
  button.addEventListener('click', () => setOpen(panel.hidden));
  const wrapper = h('div', { class: 'account' }, button, panel);
  // Close on Escape, or when focus moves out of the menu (a click elsewhere).
  wrapper.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !panel.hidden) {
      setOpen(false);
      button.focus();
    }
  });
  wrapper.addEventListener('focusout', (e) => {
    if (!wrapper.contains(e.relatedTarget)) setOpen(false);
  });
  return wrapper;
}

export function renderShell(root, { pages, active, session, org, onSwitchOrg, onSignOut }) {
  const links = Object.entries(pages).map(([name, { label }]) =>
    h('a', { class: 'nav-link', href: `#/${name}`,
             'aria-current': name === active ? 'page' : false }, label));
  const main = h('main', { class: 'page', id: 'main', tabindex: '-1' });
  mount(root,
    h('a', { class: 'skip-link', href: '#main',
             onclick: (e) => { e.preventDefault(); main.focus(); } }, 'Skip to content'),
    h('header', { class: 'topbar' },
      h('div', { class: 'topbar-inner' },
        h('a', { class: 'brand', href: '#/users' }, h('span', { class: 'brand-mark' }), 'Parley'),
        h('nav', { class: 'nav', 'aria-label': 'Main' }, links),
        accountMenu({ session, org, onSwitchOrg, onSignOut }))),
    main);
  return main;
}
