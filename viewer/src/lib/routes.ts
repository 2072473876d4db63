// The app's pages and their paths: `/` or `/runs?…`, `/traces/:traceId?span=…`, `/dashboards?…`,
// `/policy`, `/approvals`, `/alerts`, `/evals` and `/evals/:experiment?compare=NAME`.

export type Route =
  | { page: 'runs' }
  | { page: 'trace'; traceId: string }
  | { page: 'dashboards' }
  | { page: 'policy' }
  | { page: 'approvals' }
  | { page: 'alerts' }
  | { page: 'evals'; experiment: string | null }
  | { page: 'not-found' };

export function matchRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '/runs' || pathname === '/runs/') return { page: 'runs' };
  if (pathname === '/dashboards' || pathname === '/dashboards/') return { page: 'dashboards' };
  if (pathname === '/policy' || pathname === '/policy/') return { page: 'policy' };
  if (pathname === '/approvals' || pathname === '/approvals/') return { page: 'approvals' };
  if (pathname === '/alerts' || pathname === '/alerts/') return { page: 'alerts' };
  if (pathname === '/evals' || pathname === '/evals/') return { page: 'evals', experiment: null };
  const evals = /^\/evals\/([^/]+)\/?$/.exec(pathname);
  if (evals) return { page: 'evals', experiment: safeDecode(evals[1]!) };
  const trace = /^\/traces\/([^/]+)\/?$/.exec(pathname);
  if (trace) return { page: 'trace', traceId: safeDecode(trace[1]!) };
  return { page: 'not-found' };
}

export function traceHref(traceId: string, spanId?: string | null): string {
  return `/traces/${encodeURIComponent(traceId)}${spanId ? `?span=${encodeURIComponent(spanId)}` : ''}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** An experiment of the Evaluations page, optionally side by side with another one. */
export function evalHref(experiment: string, compare?: string | null): string {
  return `/evals/${encodeURIComponent(experiment)}${compare ? `?compare=${encodeURIComponent(compare)}` : ''}`;
}
