// POST /api/admin/storage { maxPageCount }: raises (or sets) SQLite's page limit on the running
// writer, so a collector that hit its size limit takes writes again without a restart.
// Admins only (the auth middleware checks the role before this runs).
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Store } from '../store/store.ts';

export function adminRoutes(store: Store): Hono {
  const routes = new Hono();
  routes.post('/storage', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new HTTPException(400, { message: 'send a JSON body such as { "maxPageCount": 100000 }' });
    }
    const n = (body as { maxPageCount?: unknown } | null)?.maxPageCount;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      throw new HTTPException(400, { message: `maxPageCount: expected a whole number of pages >= 1, got ${JSON.stringify(n)}` });
    }
    // A number checked above: PRAGMA takes no parameters.
    await store.execute([{ sql: `PRAGMA max_page_count = ${n}` }]);
    const [row] = store.query<{ page_count: number }>('PRAGMA page_count');
    return c.json({ maxPageCount: n, pageCount: row?.page_count ?? null });
  });
  return routes;
}
