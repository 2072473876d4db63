// Duck-typed client wrapping: a Proxy that replaces the methods at given paths
// (`chat.completions.create`) and passes everything else through unchanged.
import { currentRun, type LlmRequest } from '../run.ts';

/** Builds the llm request of one call from the method's arguments. */
export type DescribeCall = (args: unknown[]) => LlmRequest | null;

/**
 * Wraps `client` so that each method named in `methods` becomes an llm span of the current run.
 * Outside a run (or when the call cannot be described) the original method runs untouched.
 */
export function wrapClientMethods<C extends object>(client: C, methods: Record<string, DescribeCall>): C {
  return proxyAt(client, '', methods, new WeakMap());
}

function proxyAt<T extends object>(target: T, path: string, methods: Record<string, DescribeCall>, cache: WeakMap<object, object>): T {
  const cached = cache.get(target);
  if (cached) return cached as T;
  const prefixes = Object.keys(methods);
  const proxy = new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof property !== 'string') return value;
      const fullPath = path ? `${path}.${property}` : property;
      const describe = methods[fullPath];
      if (describe && typeof value === 'function') return instrumented(value as (...args: unknown[]) => unknown, object, describe);
      if (value !== null && typeof value === 'object' && prefixes.some((name) => name.startsWith(`${fullPath}.`))) {
        return proxyAt(value as object, fullPath, methods, cache);
      }
      return value;
    },
  });
  cache.set(target, proxy);
  return proxy;
}

function instrumented(method: (...args: unknown[]) => unknown, self: object, describe: DescribeCall) {
  return function instrumentedCall(...args: unknown[]): unknown {
    const run = currentRun();
    let request: LlmRequest | null = null;
    if (run) {
      try {
        request = describe(args);
      } catch {
        request = null; // never let our reading of the arguments break the agent's call
      }
    }
    if (!run || !request) return method.apply(self, args);
    return run.llm(request, () => method.apply(self, args));
  };
}
