// The JSON API client: same-origin cookie session, CSRF header on every
// mutating request, errors turned into ApiError.

import { localizeTimes } from './time.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken = null;
let csrfUser = null; // whose session the token belongs to
let unauthorizedHandler = null;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(localizeTimes(message));
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }

  // For 422 invalid_field the message starts with "field: ".
  get field() {
    if (this.code !== 'invalid_field') return null;
    const m = /^([a-z_]+):\s/.exec(this.message);
    return m ? m[1] : null;
  }

  // The message without its "field: " prefix, first letter capitalised.
  get text() {
    let t = this.message;
    if (this.field) t = t.slice(this.field.length + 1).trim();
    return t ? t[0].toUpperCase() + t.slice(1) : 'Something went wrong.';
  }
}

// The CSRF token of the session of `user` (null: signed out).
export function setCsrfToken(token, user = null) {
  csrfToken = token || null;
  csrfUser = token ? user : null;
}

// Called with the ApiError when an authenticated request gets a 401.
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

async function readBody(response) {
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  if (!/json/.test(type)) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

// api('GET', '/api/v1/me') → parsed JSON, or throws ApiError.
// Options: {body, quiet401} — quiet401 skips the unauthorized handler.
// A 403 csrf is retried once with the session's current token.
export async function api(method, path, options = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (MUTATING.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection.');
  }
  const data = await readBody(response);
  if (response.ok) return data;

  const err = data && data.error ? data.error : {};
  // A stale CSRF token (the session was renewed, e.g. in another tab): fetch
  // the current one and try once more.
  if (response.status === 403 && err.code === 'csrf' && !options.retried) {
    // Only while the cookie is still the same user's: after a login as
    // someone else in another tab, this page must not act as them.
    const session = await api('GET', '/api/v1/session', { quiet401: true }).catch(() => null);
    if (session && session.csrf_token && session.name === csrfUser) {
      setCsrfToken(session.csrf_token, session.name);
      return api(method, path, { ...options, retried: true });
    }
    if (session && unauthorizedHandler) {
      unauthorizedHandler(new ApiError(401, 'other_session',
        'You signed in as someone else in another tab.'));
    }
  }
  const error = new ApiError(response.status, err.code || `http_${response.status}`,
    err.message || defaultMessage(response.status));
  if (response.status === 401 && !options.quiet401 && unauthorizedHandler) {
    unauthorizedHandler(error);
  }
  throw error;
}

function defaultMessage(status) {
  switch (status) {
    case 401: return 'You are not signed in.';
    case 403: return 'You may not do this.';
    case 404: return 'Not found.';
    case 429: return 'Too many requests. Wait a minute and try again.';
    case 503: return 'The server is shutting down.';
    default: return `The server answered ${status}.`;
  }
}

// Query string helper: query({from: d1, to: d2}) with Dates as RFC 3339.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    q.set(k, v instanceof Date ? v.toISOString() : String(v));
  }
  return q.toString();
}
