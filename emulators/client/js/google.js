// google.js - the Google platform module of the emulator's web client
// (interface in app.js).  Sign-in takes a delegated access token from the
// control route POST /_emu/client-api/sign-in; chats are real Chat API v1
// calls on this listener with that token, so what the client writes produces
// the same Workspace events as any API call.  Names come from
// /_emu/client-api/users (Chat itself returns users/{id} only).

let token = null;
let self = null;                 // {id, name}
const names = new Map();         // user id -> display name

async function call(method, path, body) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body) headers['Content-Type'] = 'application/json';
  const resp = await fetch(`/v1/${path}`, { method, headers, body: body && JSON.stringify(body) });
  const data = await resp.json();
  if (!resp.ok) throw new Error(`${method} ${path}: ${resp.status} ${data?.error?.message ?? ''}`);
  return data;
}

// Every item of a paged list (ITEMS names the array field).
async function all(path, items) {
  const out = [];
  let pageToken = '';
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await call('GET', `${path}${pageToken ? `${sep}pageToken=${encodeURIComponent(pageToken)}` : ''}`);
    out.push(...(page[items] ?? []));
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

async function users(search) {
  const q = search ? `?search=${encodeURIComponent(search)}` : '';
  const data = await (await fetch(`/_emu/client-api/users${q}`)).json();
  for (const u of data.users) names.set(u.id, u.displayName);
  return data.users;
}

// The display name of "users/{id}", looked up once.
async function nameOf(userName) {
  const id = userName.replace(/^users\//, '');
  if (!names.has(id)) await users(id);
  return names.get(id) ?? userName;
}

async function spaceTitle(space) {
  if (space.displayName) return space.displayName;
  const members = await all(`${space.name}/members`, 'memberships');
  const others = members.map((m) => m.member.name).filter((n) => n !== `users/${self.id}`);
  const list = await Promise.all(others.map(nameOf));
  return list.join(', ') || '(only you)';
}

export default {
  label: 'Google Chat',

  async listUsers(search) {
    return (await users(search)).map((u) => ({ id: u.id, name: u.displayName, detail: u.primaryEmail }));
  },

  async signIn(userId) {
    const resp = await fetch('/_emu/client-api/sign-in', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: userId }),
    });
    const data = await resp.json();
    if (!resp.ok) throw new Error(data?.error?.message ?? `sign-in: ${resp.status}`);
    token = data.access_token;
    self = { id: data.user.id, name: data.user.displayName };
    names.set(self.id, self.name);
    return self;
  },

  signOut() {
    token = null;
    self = null;
  },

  async listChats() {
    const spaces = await all('spaces?pageSize=100', 'spaces');
    spaces.sort((a, b) => (b.lastActiveTime ?? '').localeCompare(a.lastActiveTime ?? ''));
    return Promise.all(spaces.map(async (s) => ({ id: s.name, title: await spaceTitle(s) })));
  },

  async searchPeople(text) {
    return (await users(text)).filter((u) => u.id !== self.id)
      .map((u) => ({ id: u.id, name: u.displayName, detail: u.primaryEmail }));
  },

  // One other person: their DM (reused when it exists); more: a group chat,
  // or a named space when a topic is given.
  async openChat(userIds, topic) {
    const memberships = userIds.map((id) => ({ member: { name: `users/${id}`, type: 'HUMAN' } }));
    const spaceType = userIds.length === 1 ? 'DIRECT_MESSAGE' : topic ? 'SPACE' : 'GROUP_CHAT';
    const space = await call('POST', 'spaces:setup', {
      space: { spaceType, ...(spaceType === 'SPACE' ? { displayName: topic } : {}) },
      memberships,
    });
    return space.name;
  },

  async listMessages(spaceName) {
    const page = await call('GET', `${spaceName}/messages?pageSize=50&orderBy=${encodeURIComponent('create_time desc')}`);
    const messages = (page.messages ?? []).reverse();
    return Promise.all(messages.map(async (m) => ({
      id: m.name,
      from: await nameOf(m.sender.name),
      text: m.text,
      time: m.createTime,
      mine: m.sender.name === `users/${self.id}`,
    })));
  },

  async send(spaceName, text) {
    await call('POST', `${spaceName}/messages`, { text });
  },
};
