// The two kinds of bad input the receiver tells apart. A problem with the whole request is
// answered 400 and nothing is stored; a problem with one span or log record rejects only that
// item, and the rest of the request is stored (an OTLP partial success).

/**
 * The request as a whole cannot be decoded or is not OTLP: the route answers 400. Decoders
 * throw it with the problem and the path relative to where they are; callers prefix their part
 * of the path with `at`, so paths are built only when something is wrong (never per attribute).
 */
export class InvalidRequestError extends Error {
  readonly problem: string;
  readonly path: string;

  constructor(problem: string, path = '') {
    super(path === '' ? problem : `${path} ${problem}`);
    this.name = 'InvalidRequestError';
    this.problem = problem;
    this.path = path;
  }

  /** The same problem one level up: `error.at('spans[4]')` turns `attributes` into `spans[4].attributes`. */
  at(prefix: string): InvalidRequestError {
    return new InvalidRequestError(this.problem, this.path === '' ? prefix : `${prefix}.${this.path}`);
  }
}

/** One span or log record is invalid: it alone is rejected and counted in the partial success. */
export class InvalidItemError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidItemError';
  }
}

/** The answer to an OTLP logs export posted to a traces path (a mistake seen in production). */
export const LOGS_SENT_TO_TRACES = 'body is an OTLP logs export, not traces: send it to /v1/logs';

/** A short description of a JSON value's type for messages ("an object", "a string"). */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'bytes';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}
