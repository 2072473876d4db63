// Signing in to a collector that needs user tokens: the token lives in localStorage, goes out as
// `Authorization: Bearer …` on every API call (through authFetch) and as `access_token` in the
// event stream's URL (EventSource cannot send headers). A 401 from the API asks for sign-in.

const STORAGE_KEY = 'runlens.token';

type Listener = (needed: boolean) => void;
const listeners = new Set<Listener>();
let signInNeeded = false;

export function storedToken(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    // storage disabled (private mode, sandboxed frame): act as signed out
    return null;
  }
}

export function signIn(token: string): void {
  localStorage.setItem(STORAGE_KEY, token);
  setSignInNeeded(false);
}

export function signOut(): void {
  localStorage.removeItem(STORAGE_KEY);
}

function setSignInNeeded(needed: boolean): void {
  if (needed === signInNeeded) return;
  signInNeeded = needed;
  for (const listener of listeners) listener(needed);
}

/** Calls `listener` now and whenever the API starts or stops asking for a token. */
export function onSignInNeeded(listener: Listener): () => void {
  listeners.add(listener);
  listener(signInNeeded);
  return () => listeners.delete(listener);
}

function withToken(init: RequestInit, token: string | null): RequestInit {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
}

/** fetch for the collector's API: adds the stored token; a 401 shows the sign-in screen. */
export async function authFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(path, withToken(init, storedToken()));
  if (response.status === 401) setSignInNeeded(true);
  return response;
}

/** The event stream's URL, with the token as a query parameter when signed in. */
export function streamUrl(path: string): string {
  const token = storedToken();
  return token ? `${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}` : path;
}

/** Checks a token against the API before keeping it; the message says why it was refused. */
export async function verifyToken(token: string): Promise<{ ok: true } | { ok: false; message: string }> {
  let response: Response;
  try {
    response = await fetch('/api/runs?limit=1', withToken({ headers: { accept: 'application/json' } }, token));
  } catch {
    return { ok: false, message: 'the collector did not answer; is it running?' };
  }
  if (response.ok) return { ok: true };
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  return { ok: false, message: body.error ?? `${response.status} ${response.statusText}` };
}
