// pages/login.js - the sign-in page: email, password, "Sign in", and the
// Hub's answer shown inline when it refuses.

import { api } from '../api.js';
import { h, mount } from '../dom.js';

export function render(root, { onSignedIn }) {
  const error = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const email = h('input', { id: 'login-email', name: 'email', type: 'email', required: true,
                             autocomplete: 'username', autofocus: true });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password',
                                required: true, autocomplete: 'current-password' });
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit' }, 'Sign in');

  const form = h('form', { class: 'login-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'login-email' }, 'Email'), email),
    h('div', { class: 'field' }, h('label', { for: 'login-password' }, 'Password'), password),
    error,
    submit);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    if (!email.value.trim() || !password.value) {
      showError('Enter your email and password.');
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      onSignedIn(await api.login(email.value.trim(), password.value));
    } catch (err) {
      showError(err.code === 'invalid_credentials' ? 'Wrong email or password.' : err.message);
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });

  function showError(message) {
    error.textContent = message;
    error.hidden = false;
  }

  mount(root,
    h('main', { class: 'login' },
      h('section', { class: 'card login-card', 'aria-labelledby': 'login-title' },
        h('div', { class: 'brand brand-large' }, h('span', { class: 'brand-mark' }), 'Parley'),
        h('h1', { id: 'login-title' }, 'Sign in to the Hub'),
        h('p', { class: 'muted' }, 'Bridge Google Chat and Microsoft Teams for your organisation.'),
        form)));
  email.focus();
}
