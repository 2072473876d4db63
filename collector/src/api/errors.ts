// The one place errors become responses. Routes throw HTTPException(status, { message }); the
// message says what the caller did wrong. A route that must answer in its own format (OTLP
// Status bodies at /v1/traces) throws HTTPException with a ready `res`, which is sent as is.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ApiError } from '@runlens/schema';

/** 400 naming the query or path parameter that was wrong. */
export function badParameter(name: string, problem: string): HTTPException {
  return new HTTPException(400, { message: `${name}: ${problem}` });
}

export function handleError(error: Error, c: Context): Response {
  if (error instanceof HTTPException) {
    if (error.res) return error.res;
    return c.json<ApiError>({ error: error.message || 'request failed' }, error.status);
  }
  // Anything else is our bug or the database failing: log it once, keep the message short.
  console.error(`runlens: ${c.req.method} ${c.req.path} failed:`, error);
  return c.json<ApiError>({ error: `internal error: ${error.message}` }, 500);
}

export function handleNotFound(c: Context): Response {
  return c.json<ApiError>({ error: `no route for ${c.req.method} ${c.req.path}` }, 404);
}
