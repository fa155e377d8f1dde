// dom.js - a tiny element builder and the toast area.
//
// Pages build the DOM with h() rather than innerHTML, so text coming from
// the API (names, emails, audit details) can never become markup.

// h('button', {class: 'btn', onclick: fn}, 'Save') -> <button class="btn">Save</button>
// Attributes: "class", "on<event>" (listener), booleans (true sets, false
// omits), anything else via setAttribute.  Children: nodes, strings, arrays,
// null/false (skipped).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

// Replace everything inside EL with CHILDREN.
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

// A message that disappears by itself; KIND is "error" or "info".
export function toast(message, kind = 'error') {
  const area = document.getElementById('toasts');
  const item = h('div', { class: `toast toast-${kind}` },
    h('span', {}, message),
    h('button', { class: 'toast-close', type: 'button', 'aria-label': 'Dismiss',
                  onclick: () => item.remove() }, '×'));
  area.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}
