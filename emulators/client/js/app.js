// app.js - the platform-neutral part of the emulator's web client: sign-in
// picker, chat list, new-chat picker, conversation with a composer, polled
// every POLL_MS.  It asks GET /_emu which platform this listener emulates
// and loads ./<platform>.js, whose default export is a platform module:
//
//   label                      shown in the banner ("Microsoft Teams")
//   listUsers(search)          -> [{id, name, detail}]  the sign-in picker
//   signIn(userId)             -> {id, name}            keeps the session
//   signOut()
//   listChats()                -> [{id, title}]
//   searchPeople(text)         -> [{id, name, detail}]  excluding nobody
//   openChat(userIds, topic)   -> chat id (1 other: a 1:1 chat, more: group)
//   listMessages(chatId)       -> [{id, from, text, time, mine}] oldest first
//   send(chatId, text)
//
// Every DOM write uses textContent: message text is never parsed as HTML.

const POLL_MS = 1500;
const $ = (id) => document.getElementById(id);

let platform;            // the loaded platform module
let me = null;           // {id, name} once signed in
let openChatId = null;
let picked = [];         // [{id, name}] for a new chat
let pollTimer = null;

function showError(err) {
  const box = $('error');
  box.textContent = err ? String(err.message || err) : '';
  box.hidden = !err;
}

// Run an async UI action, showing its failure.
function guard(fn) {
  return async (...args) => {
    try {
      showError(null);
      await fn(...args);
    } catch (err) {
      showError(err);
    }
  };
}

function pickItem(label, detail, onPick) {
  const li = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = label;
  if (detail) {
    const small = document.createElement('small');
    small.textContent = detail;
    button.append(small);
  }
  button.addEventListener('click', guard(onPick));
  li.append(button);
  return li;
}

// Debounced search box: ON_TEXT(text) after typing settles.
function onSearch(input, onText) {
  let timer;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(guard(() => onText(input.value.trim())), 200);
  });
}

// ---- sign in ----

async function renderUsers(search) {
  const users = await platform.listUsers(search);
  $('user-list').replaceChildren(...users.map((u) =>
    pickItem(u.name, u.detail, () => signIn(u.id))));
}

async function signIn(userId) {
  me = await platform.signIn(userId);
  $('whoami').textContent = `Signed in as ${me.name}`;
  $('sign-out').hidden = false;
  $('sign-in').hidden = true;
  $('workspace').hidden = false;
  await refreshChats();
  pollTimer = setInterval(guard(poll), POLL_MS);
}

function signOut() {
  clearInterval(pollTimer);
  platform.signOut();
  me = null;
  openChatId = null;
  $('whoami').textContent = '';
  $('sign-out').hidden = true;
  $('workspace').hidden = true;
  $('sign-in').hidden = false;
  show('empty');
}

// ---- chats ----

function show(which) {
  for (const id of ['empty', 'conversation', 'new-chat-panel'])
    $(id).hidden = id !== which;
}

async function refreshChats() {
  const chats = await platform.listChats();
  $('chat-list').replaceChildren(...chats.map((c) => {
    const li = pickItem(c.title, null, () => openChat(c.id, c.title));
    if (c.id === openChatId) li.firstChild.setAttribute('aria-current', 'true');
    return li;
  }));
}

async function openChat(id, title) {
  openChatId = id;
  $('chat-title').textContent = title;
  $('messages').replaceChildren();
  show('conversation');
  await refreshMessages();
  await refreshChats();
  $('message-text').focus();
}

async function refreshMessages() {
  if (!openChatId) return;
  const list = $('messages');
  const known = new Set([...list.children].map((li) => li.dataset.id));
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
  for (const m of await platform.listMessages(openChatId)) {
    if (known.has(m.id)) continue;
    const li = document.createElement('li');
    li.dataset.id = m.id;
    li.className = m.mine ? 'mine' : '';
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = `${m.from} · ${new Date(m.time).toLocaleTimeString()}`;
    const text = document.createElement('div');
    text.className = 'text';
    text.textContent = m.text;
    li.append(meta, text);
    list.append(li);
  }
  if (atBottom) list.scrollTop = list.scrollHeight;
}

async function poll() {
  await refreshChats();
  await refreshMessages();
}

async function send(event) {
  event.preventDefault();
  const input = $('message-text');
  const text = input.value.trim();
  if (!text || !openChatId) return;
  await platform.send(openChatId, text);
  input.value = '';
  await refreshMessages();
}

// ---- new chat ----

function renderPicked() {
  $('picked').textContent = picked.length ? picked.map((p) => p.name).join(', ') : 'nobody yet';
  $('create-chat').disabled = picked.length === 0;
  $('topic-row').hidden = picked.length < 2;
}

function startNewChat() {
  picked = [];
  $('people-search').value = '';
  $('people-list').replaceChildren();
  $('topic').value = '';
  renderPicked();
  show('new-chat-panel');
  $('people-search').focus();
}

async function renderPeople(text) {
  const people = text ? await platform.searchPeople(text) : [];
  $('people-list').replaceChildren(...people
    .filter((p) => p.id !== me.id && !picked.some((q) => q.id === p.id))
    .map((p) => pickItem(p.name, p.detail, () => {
      picked.push(p);
      renderPicked();
      return renderPeople($('people-search').value.trim());
    })));
}

async function createChat() {
  const topic = picked.length > 1 ? $('topic').value.trim() : '';
  const id = await platform.openChat(picked.map((p) => p.id), topic || null);
  const title = topic || picked.map((p) => p.name).join(', ');
  await openChat(id, title);
}

// ---- start ----

async function start() {
  const info = await (await fetch('/_emu')).json();
  const mod = await import(`./${info.platform}.js`);
  platform = mod.default;
  $('platform-label').textContent = `emulating ${platform.label}`;
  document.title = `Parley Emulator: ${platform.label}`;
  onSearch($('user-search'), renderUsers);
  onSearch($('people-search'), renderPeople);
  $('sign-out').addEventListener('click', signOut);
  $('new-chat').addEventListener('click', startNewChat);
  $('cancel-chat').addEventListener('click', () => show(openChatId ? 'conversation' : 'empty'));
  $('create-chat').addEventListener('click', guard(createChat));
  $('composer').addEventListener('submit', guard(send));
  $('sign-in').hidden = false;
  await renderUsers('');
}

guard(start)();
