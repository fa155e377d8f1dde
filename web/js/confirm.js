// confirm.js - a yes/no question in a native modal <dialog>: a title, a few
// paragraphs and two buttons.  Resolves true when the admin confirms, false
// on Cancel or Escape.  The dialog removes itself when closed.

import { h } from './dom.js';

let seq = 0;

// confirmDialog({title, body: [text | node, ...], confirm: 'Create Guest Account',
//                danger: false}) -> Promise<boolean>
export function confirmDialog({ title, body, confirm, danger = false }) {
  const id = `confirm-title-${++seq}`;
  const ok = h('button', { class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, type: 'submit',
                           value: 'confirm' }, confirm);
  const cancel = h('button', { class: 'btn btn-secondary', type: 'submit', value: 'cancel' },
    'Cancel');
  const dialog = h('dialog', { class: 'dialog dialog-confirm', 'aria-labelledby': id },
    h('form', { method: 'dialog', class: 'dialog-body' },
      h('h2', { id }, title),
      body.map((part) => (part instanceof Node ? part : h('p', {}, part))),
      h('div', { class: 'actions' }, cancel, ok)));

  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm');
      dialog.remove();
    });
    dialog.showModal();
    ok.focus();
  });
}
