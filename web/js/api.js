// api.js - the Hub's JSON API from the browser: one fetch wrapper that sends
// the CSRF token on state-changing requests and turns error bodies
// ({"error":{"code","message"}}) into ApiError.

export class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.name = 'ApiError';
    this.status = status;   // HTTP status; 0 when the Hub could not be reached
    this.code = code;       // e.g. "invalid_credentials", "csrf", "forbidden"
  }
}

let csrfToken = null;

// Remember the session's CSRF token (from /api/login or /api/session).
export function setCsrfToken(token) {
  csrfToken = token || null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

// Call the API; resolves to the parsed JSON body (null for 204), or throws ApiError.
export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE_METHODS.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let resp;
  try {
    resp = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('Cannot reach the Hub. Check your connection and try again.', 0, 'network');
  }
  const data = resp.status === 204 ? null : await resp.json().catch(() => null);
  if (!resp.ok) {
    const err = data && data.error ? data.error : {};
    throw new ApiError(err.message || `The Hub answered ${resp.status}.`, resp.status,
                       err.code || 'http_error');
  }
  return data;
}

const org = (id) => `/api/orgs/${encodeURIComponent(id)}`;
const query = (params) => {
  const set = Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== '');
  const q = new URLSearchParams(set);
  return q.toString() ? `?${q}` : '';
};

export const api = {
  login: (email, password) => request('POST', '/api/login', { email, password }),
  logout: () => request('POST', '/api/logout'),
  session: () => request('GET', '/api/session'),
  audit: (id, before) => request('GET', `${org(id)}/audit${query({ before })}`),
  connections: (id) => request('GET', `${org(id)}/connections`),
  saveConnection: (id, platform, body) => request('PUT', `${org(id)}/connections/${platform}`, body),
  deleteConnection: (id, platform) => request('DELETE', `${org(id)}/connections/${platform}`),
  testConnection: (id, platform) => request('POST', `${org(id)}/connections/${platform}/test`),
  microsoftTeams: (id) => request('GET', `${org(id)}/microsoft/teams`),
  importMicrosoft: (id, teamIds) => request('POST', `${org(id)}/imports/microsoft`, { team_ids: teamIds }),
  importGoogle: (id) => request('POST', `${org(id)}/imports/google`, {}),
  jobs: (id, kind, limit) => request('GET', `${org(id)}/jobs${query({ kind, limit })}`),
  job: (jobId) => request('GET', `/api/jobs/${jobId}`),
  people: (id, params) => request('GET', `${org(id)}/people${query(params)}`),
  person: (id, personId) => request('GET', `${org(id)}/people/${personId}`),
  setPrimary: (id, personId, platform) =>
    request('PATCH', `${org(id)}/people/${personId}`, { primary_platform: platform }),
  syncPerson: (id, personId) => request('POST', `${org(id)}/people/${personId}/sync`, {}),
  unsyncPerson: (id, personId) => request('POST', `${org(id)}/people/${personId}/unsync`, {}),
  // SELECTION: {ids: [...]}, {filter: {q, status, platform}} or {all: true}.
  setPrimaryMany: (id, selection, platform) =>
    request('POST', `${org(id)}/people/primary`, { ...selection, primary_platform: platform }),
  syncMany: (id, selection) => request('POST', `${org(id)}/sync`, selection),
  unsyncMany: (id, selection) => request('POST', `${org(id)}/unsync`, selection),
  syncSummary: (id) => request('GET', `${org(id)}/sync/summary`),
};
