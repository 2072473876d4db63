// A small History API router: the URL is the state of the page (path and query), so every view
// can be shared as a link. One instance for the app.

import { matchRoute } from './routes.ts';

class Router {
  pathname = $state(location.pathname);
  search = $state(location.search);
  route = $derived(matchRoute(this.pathname));
  /** The runs list as last seen, filters included, for "back to runs" links. */
  lastRunsHref = $state(matchRoute(location.pathname).page === 'runs' ? `/runs${location.search}` : '/runs');

  constructor() {
    addEventListener('popstate', () => this.#sync());
  }

  #sync() {
    this.pathname = location.pathname;
    this.search = location.search;
    if (matchRoute(location.pathname).page === 'runs') this.lastRunsHref = `/runs${location.search}`;
  }

  /** Goes to a path within the app; `replace` for filter edits that should not pile up in history. */
  navigate(href: string, options: { replace?: boolean } = {}) {
    const url = new URL(href, location.href);
    if (url.pathname + url.search === location.pathname + location.search) return;
    if (options.replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    this.#sync();
    if (!options.replace) scrollTo(0, 0);
  }

  /** Sets the query string of the current page. */
  setSearch(search: string, options: { replace?: boolean } = {}) {
    this.navigate(this.pathname + search, options);
  }
}

export const router = new Router();

/**
 * Handles clicks on same-origin links without reloading the page; modified clicks (new tab) and
 * links with a target or download keep the browser's behaviour.
 */
export function interceptLinkClicks(event: MouseEvent) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  event.preventDefault();
  router.navigate(url.pathname + url.search + url.hash);
}
