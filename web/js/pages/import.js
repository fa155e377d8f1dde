// pages/import.js - Users > Import users: a "Microsoft Teams" card whose
// "Add teams" dialog lists the tenant's teams to import, a "Google Chat"
// card that imports every Workspace user, live progress of either import,
// and the imported people below.

import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { jobView, followJob } from '../job.js';
import { peopleList } from './people.js';

const KINDS = { microsoft: 'import.microsoft.teams', google: 'import.google.users' };

const canChange = (ctx) => ctx.org && ctx.org.role !== 'viewer';

function notConnected(title) {
  return h('p', { class: 'muted' }, `Connect ${title} first under `,
    h('a', { href: '#/settings/connections' }, 'Settings > Connections'), '.');
}

// Show the latest job of KIND (a running one is followed live).
async function showLatest(ctx, kind, view, onDone) {
  const { jobs } = await api.jobs(ctx.org.id, kind, 1);
  if (jobs.length) followJob(jobs[0].id, view).then(onDone, ctx.onApiError);
}

function teamRow(team) {
  const id = `team-${team.id}`;
  return h('li', { class: 'team' },
    h('input', { type: 'checkbox', id, value: team.id, name: 'team' }),
    h('label', { for: id, class: 'team-label' },
      h('span', { class: 'team-name' }, team.name,
        team.imported ? h('span', { class: 'badge badge-imported' }, 'Imported') : null),
      team.description ? h('span', { class: 'muted team-desc' }, team.description) : null,
      h('span', { class: 'muted team-members' },
        team.member_count === null ? 'members unknown'
          : `${team.member_count} ${team.member_count === 1 ? 'member' : 'members'}`)));
}

// The "Add teams" dialog; START(teamIds) begins the import.
function teamsDialog(ctx, start) {
  const list = h('ul', { class: 'team-list' });
  const status = h('div', { 'aria-live': 'polite' });
  const importBtn = h('button', { class: 'btn btn-primary', type: 'submit', disabled: true }, 'Import');
  const cancel = h('button', { class: 'btn btn-secondary', type: 'button' }, 'Cancel');
  const form = h('form', { method: 'dialog', class: 'dialog-body' },
    h('h2', { id: 'teams-title' }, 'Add teams'),
    h('p', { class: 'muted' }, 'Everyone in the teams you choose is imported. ' +
                               'Importing a team again refreshes its members.'),
    status, list,
    h('div', { class: 'actions' }, cancel, importBtn));
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'teams-title' }, form);

  const selected = () => [...list.querySelectorAll('input:checked')].map((c) => c.value);
  list.addEventListener('change', () => {
    const n = selected().length;
    importBtn.disabled = n === 0;
    importBtn.textContent = n ? `Import ${n} ${n === 1 ? 'team' : 'teams'}` : 'Import';
  });
  cancel.addEventListener('click', () => dialog.close());
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const ids = selected();
    dialog.close();
    start(ids);
  });

  async function open() {
    list.replaceChildren();
    importBtn.disabled = true;
    importBtn.textContent = 'Import';
    mount(status, h('p', { class: 'muted' }, 'Loading the tenant\'s teams…'));
    dialog.showModal();
    try {
      const { teams, truncated } = await api.microsoftTeams(ctx.org.id);
      list.append(...teams.map(teamRow));
      mount(status, teams.length ? null : h('p', { class: 'muted' }, 'The tenant has no teams.'),
        truncated ? h('p', { class: 'muted' }, `Showing the first ${teams.length} teams.`) : null);
    } catch (err) {
      if (err.status === 401) {
        dialog.close();
        ctx.onApiError(err);
      } else {
        mount(status, h('p', { class: 'alert alert-error' }, err.message));
      }
    }
  }
  return { dialog, open };
}

function importCard({ id, title, lead, button, notice }) {
  return h('section', { class: 'card import-card', 'aria-labelledby': `import-${id}-title` },
    h('h2', { id: `import-${id}-title` }, title),
    h('p', { class: 'muted' }, lead),
    notice,
    button ? h('div', { class: 'actions' }, button) : null);
}

export function render(panel, ctx) {
  if (!ctx.org) {
    mount(panel, h('p', { class: 'muted' }, 'You are not a member of any organisation yet.'));
    return;
  }
  const people = peopleList(ctx);
  const msView = jobView('Import');
  const gView = jobView('Import');
  msView.el.hidden = gView.el.hidden = true;
  const addTeams = h('button', { class: 'btn btn-primary', type: 'button' }, 'Add teams');
  const importAll = h('button', { class: 'btn btn-primary', type: 'button' }, 'Import all users');
  const msNotice = h('div');
  const gNotice = h('div');
  const cards = h('div', { class: 'cards' },
    importCard({ id: 'microsoft', title: 'Microsoft Teams',
                 lead: 'Import the members of chosen teams of your Microsoft 365 tenant.',
                 button: canChange(ctx) ? addTeams : null, notice: msNotice }),
    importCard({ id: 'google', title: 'Google Chat',
                 lead: 'Import every user of your Google Workspace.',
                 button: canChange(ctx) ? importAll : null, notice: gNotice }));
  cards.children[0].append(msView.el);
  cards.children[1].append(gView.el);

  async function run(button, view, enqueue) {
    button.disabled = true;
    try {
      const { job_id: jobId } = await enqueue();
      const job = await followJob(jobId, view);
      if (job) people.reload();
    } catch (err) {
      ctx.onApiError(err);
    } finally {
      button.disabled = false;
    }
  }

  const teams = teamsDialog(ctx, (ids) =>
    run(addTeams, msView, () => api.importMicrosoft(ctx.org.id, ids)));
  addTeams.addEventListener('click', () => teams.open());
  mount(panel, cards, people.el, teams.dialog);
  importAll.addEventListener('click', () => run(importAll, gView, () => api.importGoogle(ctx.org.id)));

  // Which platforms are connected, and the latest import of each.
  api.connections(ctx.org.id).then((saved) => {
    if (!saved.microsoft) {
      mount(msNotice, notConnected('Microsoft 365'));
      addTeams.disabled = true;
    }
    if (!saved.google) {
      mount(gNotice, notConnected('Google Workspace'));
      importAll.disabled = true;
    }
  }, ctx.onApiError);
  showLatest(ctx, KINDS.microsoft, msView, people.reload).catch(ctx.onApiError);
  showLatest(ctx, KINDS.google, gView, people.reload).catch(ctx.onApiError);
}
