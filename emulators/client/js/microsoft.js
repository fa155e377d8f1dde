// microsoft.js - the Microsoft platform module of the emulator's web client
// (interface in app.js).  Sign-in takes a delegated token from the control
// route POST /_emu/client-api/sign-in; everything else is real Graph v1.0 on
// this listener with that token, so what the client writes produces the same
// change notifications as any API call.

let token = null;
let self = null;         // {id, name}

async function call(method, path, body) {
  const url = path.startsWith('http') ? path : `/v1.0${path}`;
  const headers = { Authorization: `Bearer ${token}` };
  if (body) headers['Content-Type'] = 'application/json';
  const resp = await fetch(url, { method, headers, body: body && JSON.stringify(body) });
  const data = resp.status === 204 ? null : await resp.json();
  if (!resp.ok) throw new Error(`${method} ${path}: ${resp.status} ${data?.error?.message ?? ''}`);
  return data;
}

// Every page of a collection.
async function all(path) {
  const out = [];
  for (let next = path; next;) {
    const page = await call('GET', next);
    out.push(...page.value);
    next = page['@odata.nextLink'];
  }
  return out;
}

// An OData string literal.
const literal = (text) => `'${text.replaceAll("'", "''")}'`;

// Message bodies may be HTML: show their text.
function plain(body) {
  if (body?.contentType !== 'html') return body?.content ?? '';
  return new DOMParser().parseFromString(body.content, 'text/html').body.textContent;
}

function chatTitle(chat) {
  if (chat.topic) return chat.topic;
  const others = (chat.members ?? []).filter((m) => m.userId !== self.id);
  return others.map((m) => m.displayName).join(', ') || '(only you)';
}

function bind(userId) {
  return {
    '@odata.type': '#microsoft.graph.aadUserConversationMember',
    roles: ['owner'],
    'user@odata.bind': `${location.origin}/v1.0/users('${userId}')`,
  };
}

export default {
  label: 'Microsoft Teams',

  async listUsers(search) {
    const q = search ? `?search=${encodeURIComponent(search)}` : '';
    const data = await (await fetch(`/_emu/client-api/users${q}`)).json();
    return data.users.map((u) => ({ id: u.id, name: u.displayName, detail: u.userPrincipalName }));
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
    return self;
  },

  signOut() {
    token = null;
    self = null;
  },

  async listChats() {
    const chats = await all('/me/chats?$expand=members&$top=50');
    chats.sort((a, b) => (b.lastUpdatedDateTime ?? '').localeCompare(a.lastUpdatedDateTime ?? ''));
    return chats.map((c) => ({ id: c.id, title: chatTitle(c) }));
  },

  async searchPeople(text) {
    const filter = encodeURIComponent(`startswith(displayName,${literal(text)})`);
    const page = await call('GET',
      `/users?$filter=${filter}&$top=20&$select=id,displayName,userPrincipalName`);
    return page.value.map((u) => ({ id: u.id, name: u.displayName, detail: u.userPrincipalName }));
  },

  async openChat(userIds, topic) {
    const members = [self.id, ...userIds].map(bind);
    const chat = await call('POST', '/chats', userIds.length === 1
      ? { chatType: 'oneOnOne', members }
      : { chatType: 'group', members, ...(topic ? { topic } : {}) });
    return chat.id;
  },

  async listMessages(chatId) {
    const page = await call('GET', `/chats/${encodeURIComponent(chatId)}/messages?$top=50`);
    return page.value.reverse().map((m) => ({
      id: m.id,
      from: m.from?.user?.displayName ?? 'system',
      text: m.deletedDateTime ? '(deleted)' : plain(m.body),
      time: m.createdDateTime,
      mine: m.from?.user?.id === self.id,
    }));
  },

  async send(chatId, text) {
    await call('POST', `/chats/${encodeURIComponent(chatId)}/messages`,
      { body: { contentType: 'text', content: text } });
  },
};
