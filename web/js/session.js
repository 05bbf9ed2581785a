// Signing in and out: the cookie session of /api/v1/session and the login form.

import { api, ApiError, setCsrfToken } from './api.js';
import { $, setMessage } from './dom.js';

// The current session, or null when the cookie is missing or stale.
export async function resumeSession() {
  try {
    const session = await api('GET', '/api/v1/session', { quiet401: true });
    setCsrfToken(session.csrf_token, session.name);
    return session;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 404)) return null;
    throw error;
  }
}

export async function endSession() {
  try {
    await api('DELETE', '/api/v1/session', { quiet401: true });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
  } finally {
    setCsrfToken(null);
  }
}

function loginMessage(error) {
  if (!(error instanceof ApiError)) return 'Signing in failed.';
  if (error.status === 401) return 'Wrong user name or password.';
  if (error.status === 429) return 'Too many failed attempts. Wait a minute and try again.';
  if (error.status === 404) return 'This server does not offer sign-in.';
  return error.message;
}

export class LoginView {
  // onLogin(session) after a successful sign-in
  constructor(root, { onLogin }) {
    this.root = root;
    this.onLogin = onLogin;
    this.form = $('#login-form', root);
    this.name = $('#login-name', root);
    this.password = $('#login-password', root);
    this.error = $('#login-error', root);
    this.notice = $('#login-notice', root);
    this.submitButton = $('#login-submit', root);
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
  }

  show(notice = '') {
    this.notice.textContent = notice;
    this.notice.hidden = !notice;
    setMessage(this.error, '');
    this.password.value = '';
    this.password.removeAttribute('aria-invalid');
    this.root.hidden = false;
    (this.name.value ? this.password : this.name).focus();
  }

  hide() {
    this.root.hidden = true;
  }

  async submit() {
    const name = this.name.value.trim();
    const password = this.password.value;
    setMessage(this.error, '');
    if (!name || !password) {
      setMessage(this.error, 'Enter your user name and password.');
      (name ? this.password : this.name).focus();
      return;
    }
    this.submitButton.disabled = true;
    this.form.setAttribute('aria-busy', 'true');
    try {
      const session = await api('POST', '/api/v1/session',
        { body: { name, password }, quiet401: true });
      setCsrfToken(session.csrf_token, session.name);
      this.password.value = '';
      this.password.removeAttribute('aria-invalid');
      this.onLogin(session);
    } catch (error) {
      setMessage(this.error, loginMessage(error));
      this.password.setAttribute('aria-invalid', 'true');
      this.password.select();
      this.password.focus();
    } finally {
      this.submitButton.disabled = false;
      this.form.removeAttribute('aria-busy');
    }
  }
}
