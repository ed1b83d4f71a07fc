// The console's JSON API: the session cookie rides along by itself; the CSRF token, kept in memory only, goes with
// every request that changes something.
let csrfToken = '';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(method, path, body, { raw = false, contentType } = {}) {
  const headers = {};
  if (method !== 'GET') headers['X-Coffer-Csrf'] = csrfToken;
  let payload;
  if (body !== undefined) {
    if (raw) {
      payload = body;
      if (contentType) headers['Content-Type'] = contentType;
    } else {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data?.code ?? `HTTP ${response.status}`, data?.message ?? response.statusText);
  return data;
}

export async function signIn(secretId, secretKey) {
  const user = await api('POST', '/api/session', { secretId, secretKey });
  csrfToken = user.csrfToken;
  return user;
}

export async function currentUser() {
  try {
    const user = await api('GET', '/api/session');
    csrfToken = user.csrfToken;
    return user;
  } catch (error) {
    if (error.status === 401) return null;
    throw error;
  }
}

export async function signOut() {
  await api('DELETE', '/api/session');
  csrfToken = '';
}

export const enc = encodeURIComponent;

export function downloadUrl(bucket, key, versionId) {
  return `/api/buckets/${enc(bucket)}/download?key=${enc(key)}${versionId ? `&versionId=${enc(versionId)}` : ''}`;
}

export function formatBytes(bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export const formatTime = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');
