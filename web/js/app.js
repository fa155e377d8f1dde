// app.js - the Hub UI's entry point: finds out whether the browser has a
// session, shows the sign-in page or the signed-in shell, and routes
// between pages by location.hash ("#/users/sync", "#/activity").

import { api, ApiError, setCsrfToken } from './api.js';
import { toast } from './dom.js';
import { renderShell } from './shell.js';
import * as loginPage from './pages/login.js';
import * as usersPage from './pages/users.js';
import * as activityPage from './pages/activity.js';
import * as settingsPage from './pages/settings.js';

// Pages by the first segment of the hash.  Each exports
// render(container, ctx, rest) where rest is the remaining hash segments.
const PAGES = {
  users: { label: 'Users', page: usersPage },
  activity: { label: 'Activity', page: activityPage },
  settings: { label: 'Settings', page: settingsPage },
};
const DEFAULT_PAGE = 'users';
const ORG_KEY = 'parley.org';

const root = document.getElementById('app');
let session = null;   // {admin:{email}, csrf_token, orgs:[{id,name,role}]}

function currentOrg() {
  const saved = Number(localStorage.getItem(ORG_KEY));
  return session.orgs.find((o) => o.id === saved) || session.orgs[0] || null;
}

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const name = PAGES[parts[0]] ? parts[0] : DEFAULT_PAGE;
  return { name, rest: PAGES[parts[0]] ? parts.slice(1) : [] };
}

function startSession(data) {
  session = data;
  setCsrfToken(data.csrf_token);
}

function endSession() {
  session = null;
  setCsrfToken(null);
}

async function signOut() {
  try {
    await api.logout();
  } catch (err) {
    // Already signed out on the server: nothing to undo.
    if (!(err instanceof ApiError && err.status === 401)) {
      toast(err.message);
      return;
    }
  }
  endSession();
  render();
}

// Any API call answering 401 means the session ended (expired, signed out
// elsewhere): go back to the sign-in page.
function onApiError(err) {
  if (err instanceof ApiError && err.status === 401) {
    endSession();
    toast('Your session has ended. Please sign in again.', 'info');
    render();
    return;
  }
  toast(err.message);
}

function render() {
  if (!session) {
    document.title = 'Sign in · Parley Hub';
    loginPage.render(root, {
      onSignedIn: (data) => {
        startSession(data);
        render();
      },
    });
    return;
  }
  const { name, rest } = parseHash();
  const org = currentOrg();
  document.title = `${PAGES[name].label} · Parley Hub`;
  const main = renderShell(root, {
    pages: PAGES,
    active: name,
    session,
    org,
    onSwitchOrg: (id) => {
      localStorage.setItem(ORG_KEY, String(id));
      render();
    },
    onSignOut: signOut,
  });
  PAGES[name].page.render(main, { session, org, onApiError }, rest);
}

async function boot() {
  try {
    startSession(await api.session());
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) toast(err.message);
  }
  window.addEventListener('hashchange', () => render());
  render();
}

boot();
