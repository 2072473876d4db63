// Where the SDK's policy comes from: a file, an object, or the collector ('remote'). A remote
// policy is polled and cached: an outage keeps the last one known; with none ever known the
// gate fails closed. Timers are unref'd and every request has a timeout (telemetry never hangs
// its host).
import { readFileSync } from 'node:fs';
import { loadPolicyObject, parsePolicy, type Policy } from '@runlens/schema';
import { RunlensConfigError } from '../errors.ts';

/** How often a remote policy is fetched again. The documented bound for a change to reach an agent is this plus one request timeout. */
export const DEFAULT_POLICY_REFRESH_MS = 30_000;
export const POLICY_REQUEST_TIMEOUT_MS = 5_000;

export interface PolicySource {
  /** The policy now; null when none was ever known (remote, collector unreachable). Waits for the first fetch. */
  current(): Promise<Policy | null>;
  /** The version known right now, without waiting (null before a remote policy first arrives). */
  knownVersion(): string | null;
  stop(): void;
}

export type PolicyOption = string | Record<string, unknown> | Policy;

/** What the SDK needs to talk to the collector's control API. */
export interface CollectorLink {
  /** Base URL, e.g. `http://localhost:4318`. */
  baseUrl: string;
  headers: Record<string, string>;
}

export async function collectorFetch(link: CollectorLink, path: string, init: { method?: string; body?: unknown; timeoutMs?: number } = {}): Promise<Response> {
  return fetch(`${link.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...link.headers, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    signal: AbortSignal.timeout(init.timeoutMs ?? POLICY_REQUEST_TIMEOUT_MS),
  });
}

function fixed(policy: Policy): PolicySource {
  return { current: () => Promise.resolve(policy), knownVersion: () => policy.version, stop: () => undefined };
}

function fromResult(result: ReturnType<typeof parsePolicy>, what: string): Policy {
  if (!result.ok) throw new RunlensConfigError(`init({ policy }) ${what} is not a valid policy:\n${result.errors.map((e) => e.message).join('\n')}`);
  return result.policy;
}

/** Resolves `init({ policy })`. A file or object is read and validated now: a bad policy fails init. */
export function policySource(option: PolicyOption, service: string, link: CollectorLink | null, refreshMs = DEFAULT_POLICY_REFRESH_MS): PolicySource {
  if (option === 'remote') {
    if (!link) throw new RunlensConfigError("init({ policy: 'remote' }) needs a collector: give endpoint (not a custom exporter)");
    return new RemotePolicy(service, link, refreshMs);
  }
  if (typeof option === 'string') {
    let text: string;
    try {
      text = readFileSync(option, 'utf8');
    } catch (error) {
      throw new RunlensConfigError(`init({ policy }) cannot read ${option}: ${(error as Error).message}`);
    }
    return fixed(fromResult(parsePolicy(text, option), option));
  }
  if (option && typeof option === 'object') return fixed(fromResult(loadPolicyObject(option), 'object'));
  throw new RunlensConfigError("init({ policy }) takes a file path, a policy object or 'remote'");
}

class RemotePolicy implements PolicySource {
  #policy: Policy | null = null;
  #etag: string | null = null;
  readonly #first: Promise<void>;
  readonly #timer: NodeJS.Timeout;
  #warned = false;

  constructor(
    readonly service: string,
    readonly link: CollectorLink,
    refreshMs: number,
  ) {
    this.#first = this.#refresh();
    this.#timer = setInterval(() => void this.#refresh(), refreshMs);
    this.#timer.unref();
  }

  async current(): Promise<Policy | null> {
    await this.#first;
    return this.#policy;
  }

  knownVersion(): string | null {
    return this.#policy?.version ?? null;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #refresh(): Promise<void> {
    try {
      const response = await collectorFetch(this.link, `/api/policy?service=${encodeURIComponent(this.service)}`);
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
      const body = (await response.json()) as { policy: unknown; id?: number };
      if (body.policy === null) return; // nothing applied yet: keep what we had
      const key = String(body.id ?? JSON.stringify(body.policy));
      if (key === this.#etag) return;
      const result = loadPolicyObject(body.policy, 'collector policy');
      if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('; '));
      this.#policy = result.policy;
      this.#etag = key;
      this.#warned = false;
    } catch (error) {
      // An outage keeps the last known policy; warned once per streak.
      if (!this.#warned) console.warn(`[runlens] cannot refresh the policy from ${this.link.baseUrl}: ${(error as Error).message}; keeping ${this.#policy ? `version ${this.#policy.version}` : 'none (tools not marked readOnly are refused)'}`);
      this.#warned = true;
    }
  }
}
