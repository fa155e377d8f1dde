// pages/connections.js - Settings > Connections: one card per platform with
// its settings, Save, Test connection (success or the platform's error in
// the admin's words) and Remove.  Secrets go to the Hub and never come back:
// the card only says whether one is saved.

import { api } from '../api.js';
import { h, mount, toast } from '../dom.js';

const PLATFORMS = [
  {
    id: 'microsoft',
    title: 'Microsoft 365',
    lead: 'Teams and Entra ID, through an app registration with application permissions ' +
          '(User.ReadWrite.All, Organization.Read.All, Team.ReadBasic.All, ' +
          'TeamMember.Read.All, GroupMember.Read.All) and delegated Chat.ReadWrite and ' +
          'ChatMessage.Send with admin consent.',
    fields: [
      { name: 'tenant_id', label: 'Tenant ID', hint: 'A GUID, or contoso.onmicrosoft.com' },
      { name: 'client_id', label: 'Application (client) ID' },
    ],
    secret: { name: 'client_secret', label: 'Client secret', kind: 'password' },
    advanced: [
      { name: 'authority_host', label: 'Authority host', placeholder: 'https://login.microsoftonline.com' },
      { name: 'graph_base', label: 'Graph base URL', placeholder: 'https://graph.microsoft.com/v1.0' },
      { name: 'guest_domain', label: 'Guest accounts\' domain', placeholder: 'the tenant\'s initial domain' },
      { name: 'ca_file', label: 'CA file (path on the Hub)', placeholder: 'the system\'s CAs' },
    ],
  },
  {
    id: 'google',
    title: 'Google Workspace',
    lead: 'Google Chat and the Admin SDK, through a service account with domain-wide ' +
          'delegation acting as a Workspace admin.',
    fields: [
      { name: 'domain', label: 'Primary domain', hint: 'example.com' },
      { name: 'admin_email', label: 'Admin to act as', hint: 'admin@example.com' },
      { name: 'customer_id', label: 'Customer ID', placeholder: 'my_customer' },
      { name: 'interop_domain', label: 'Interop accounts\' domain', placeholder: 'the primary domain',
        hint: 'e.g. interop.example.com' },
      { name: 'interop_org_unit', label: 'Interop accounts\' org unit', placeholder: '/' },
    ],
    secret: { name: 'service_account_key', label: 'Service-account key (JSON file)', kind: 'file' },
    advanced: [
      { name: 'root_url', label: 'Google APIs root URL', placeholder: 'the real Google hosts' },
      { name: 'ca_file', label: 'CA file (path on the Hub)', placeholder: 'the system\'s CAs' },
    ],
  },
];

const canChange = (ctx) => ctx.org && ctx.org.role !== 'viewer';

function input(platform, field, value, disabled) {
  const id = `${platform.id}-${field.name}`;
  const hint = field.hint ? h('small', { class: 'muted', id: `${id}-hint` }, field.hint) : null;
  return h('div', { class: 'field' },
    h('label', { for: id }, field.label),
    h('input', { id, name: field.name, type: 'text', value: value || '', disabled,
                 placeholder: field.placeholder, autocomplete: 'off', spellcheck: 'false',
                 'aria-describedby': hint ? `${id}-hint` : null }),
    hint);
}

function secretInput(platform, saved, disabled) {
  const { secret } = platform;
  const id = `${platform.id}-${secret.name}`;
  const status = saved ? 'Saved. Leave empty to keep it.' : 'Not set yet.';
  const control = secret.kind === 'file'
    ? h('input', { id, name: secret.name, type: 'file', accept: 'application/json,.json', disabled })
    : h('input', { id, name: secret.name, type: 'password', autocomplete: 'new-password', disabled,
                   placeholder: saved ? '••••••••' : '' });
  return h('div', { class: 'field' },
    h('label', { for: id }, secret.label),
    control,
    h('small', { class: 'muted secret-status', id: `${id}-status` }, status));
}

// The form's values as the API takes them: "" clears a setting; the secret
// only when one was entered.
async function formBody(form, platform) {
  const body = {};
  for (const f of [...platform.fields, ...platform.advanced]) {
    body[f.name] = form.elements[f.name].value.trim();
  }
  const secret = form.elements[platform.secret.name];
  if (platform.secret.kind === 'file') {
    if (secret.files.length) body[platform.secret.name] = await secret.files[0].text();
  } else if (secret.value) {
    body[platform.secret.name] = secret.value;
  }
  return body;
}

function card(ctx, platform, saved, reload) {
  const disabled = !canChange(ctx);
  const result = h('div', { class: 'test-result', role: 'status', 'aria-live': 'polite' });
  const state = h('span', { class: `badge badge-state${saved ? '' : ' badge-muted'}` },
    saved ? 'Connected' : 'Not connected');
  const save = h('button', { class: 'btn btn-primary', type: 'submit' }, 'Save');
  const secondary = (label) =>
    h('button', { class: 'btn btn-secondary', type: 'button', disabled: !saved }, label);
  const test = secondary('Test connection');
  const remove = secondary('Remove');
  let dirty = false;

  const form = h('form', { class: 'connection-form', novalidate: true },
    h('div', { class: 'form-grid' },
      platform.fields.map((f) => input(platform, f, saved && saved[f.name], disabled)),
      secretInput(platform, saved && saved[`${platform.secret.name}_set`], disabled)),
    h('details', { class: 'advanced' },
      h('summary', {}, 'Advanced: endpoints and certificates'),
      h('div', { class: 'form-grid' },
        platform.advanced.map((f) => input(platform, f, saved && saved[f.name], disabled)))),
    disabled ? h('p', { class: 'muted' }, 'Your role can see this connection but not change it.')
             : h('div', { class: 'actions' }, save, test, remove),
    result);

  function show(kind, text) {
    const cls = kind === 'ok' ? 'alert alert-ok' : 'alert alert-error';
    mount(result, text ? h('p', { class: cls }, text) : null);
  }

  async function doSave() {
    const body = await formBody(form, platform);
    await api.saveConnection(ctx.org.id, platform.id, body);
    dirty = false;
    saved = saved || {};
    state.textContent = 'Connected';
    state.className = 'badge badge-state';
  }

  async function busy(fn) {
    for (const b of [save, test, remove]) b.disabled = true;
    try {
      await fn();
    } catch (err) {
      // The Hub's answer in its words, next to the buttons; a session that
      // ended goes back to sign-in.
      if (err.status === 401) ctx.onApiError(err);
      else show('error', err.message);
    } finally {
      save.disabled = false;
      test.disabled = !saved && !dirty;
      remove.disabled = !saved;
    }
  }

  form.addEventListener('input', () => {
    dirty = true;
    test.disabled = false;
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(async () => {
      await doSave();
      toast(`${platform.title} connection saved.`, 'info');
      reload();
    });
  });
  test.addEventListener('click', () => busy(async () => {
    if (dirty) await doSave();
    show('ok', null);
    result.append(h('p', { class: 'muted' }, 'Testing…'));
    const answer = await api.testConnection(ctx.org.id, platform.id);
    if (answer.ok) show('ok', `The ${platform.title} connection works.`);
    else show('error', answer.message);
  }));
  remove.addEventListener('click', () => {
    const question = `Remove the ${platform.title} connection? Imports stop until it is set up again.`;
    if (!window.confirm(question)) return;
    busy(async () => {
      await api.deleteConnection(ctx.org.id, platform.id);
      toast(`${platform.title} connection removed.`, 'info');
      reload();
    });
  });

  return h('section', { class: 'card connection', 'aria-labelledby': `${platform.id}-title` },
    h('div', { class: 'card-head' },
      h('h2', { id: `${platform.id}-title` }, platform.title), state),
    h('p', { class: 'muted' }, platform.lead),
    form);
}

export function render(panel, ctx) {
  async function load() {
    if (!ctx.org) {
      mount(panel, h('p', { class: 'muted' }, 'You are not a member of any organisation yet.'));
      return;
    }
    mount(panel, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const saved = await api.connections(ctx.org.id);
      mount(panel, h('div', { class: 'cards' },
        PLATFORMS.map((p) => card(ctx, p, saved[p.id], load))));
    } catch (err) {
      mount(panel, h('p', { class: 'muted' }, 'The connections could not be loaded.'));
      ctx.onApiError(err);
    }
  }
  load();
}
