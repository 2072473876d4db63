// The kill switch, SDK side: polls the service's autonomy level from the collector
// (GET /api/autonomy/:service), keeps the last answer (a collector outage keeps the last known
// level; with none ever known the agent runs at `full`: telemetry never stops its host), and
// refuses what the level forbids. The time from a switch to enforcement is at most one poll
// interval plus one request (DEFAULT_AUTONOMY_POLL_MS + AUTONOMY_REQUEST_TIMEOUT_MS = 7 s): the
// first poll starting after the switch reads the new level, a poll starts every interval even
// while an older one is still waiting, and a poll gives up after the request timeout.
import { ActionsDisabledError } from './errors.ts';

/** How often the level is fetched again. */
export const DEFAULT_AUTONOMY_POLL_MS = 5_000;
/** Timeout of one poll; also the longest the first run waits for the first answer. */
export const AUTONOMY_REQUEST_TIMEOUT_MS = 2_000;

/** The policy engine's autonomy levels (schema/src/policy), as the collector answers them. */
export type AutonomyLevel = 'full' | 'write' | 'draft-only' | 'read-only' | 'off';
const LEVELS: readonly string[] = ['full', 'write', 'draft-only', 'read-only', 'off'];

/** What the SDK knows of a tool: `readOnly` tools keep running when writes are switched off. */
export interface ToolHint {
  readOnly?: boolean;
}

export interface AutonomyOptions {
  /** Poll interval, ms. Default 5000. */
  pollMs?: number;
  /** Timeout of one poll, ms. Default 2000. */
  requestTimeoutMs?: number;
}

/** The options init() takes for the kill switch. */
export interface AutonomyInitOptions {
  /**
   * Obey the autonomy level the collector holds for this service. Default on when spans go to a
   * collector over OTLP/HTTP; `false` turns it off.
   */
  autonomy?: boolean | AutonomyOptions;
  /** Tool hints by name: `{ lookup_order: { readOnly: true } }`. Tools not marked readOnly count as writing. */
  tools?: Record<string, ToolHint>;
}

export interface AutonomyLink {
  /** Collector base URL, e.g. `http://localhost:4318`. */
  baseUrl: string;
  headers: Record<string, string>;
}

export class AutonomySwitch {
  readonly service: string;
  readonly pollMs: number;
  readonly requestTimeoutMs: number;
  readonly #link: AutonomyLink;
  #level: AutonomyLevel | null = null;
  #first: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #warned = false;
  /** Polls may overlap (a slow one never delays the next tick); only the newest answer counts. */
  #sent = 0;
  #applied = 0;

  constructor(service: string, link: AutonomyLink, options: AutonomyOptions = {}) {
    this.service = service;
    this.#link = link;
    this.pollMs = options.pollMs ?? DEFAULT_AUTONOMY_POLL_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? AUTONOMY_REQUEST_TIMEOUT_MS;
  }

  /** The last level the collector gave; null before any answer. */
  get level(): AutonomyLevel | null {
    return this.#level;
  }

  /** Starts polling (first request now); the timer is unref'd so it never keeps the process alive. */
  start(): void {
    if (this.#timer) return;
    this.#first = this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.pollMs);
    this.#timer.unref();
  }

  /** Idempotent. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Fetches the level once; failures keep the last known level and are warned about once per streak. */
  async refresh(): Promise<void> {
    const sequence = ++this.#sent;
    try {
      const response = await fetch(`${this.#link.baseUrl}/api/autonomy/${encodeURIComponent(this.service)}`, {
        headers: { accept: 'application/json', ...this.#link.headers },
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
      const body = (await response.json()) as { level?: unknown };
      if (typeof body.level !== 'string' || !LEVELS.includes(body.level)) throw new Error(`unexpected answer ${JSON.stringify(body).slice(0, 200)}`);
      if (sequence < this.#applied) return;
      this.#applied = sequence;
      this.#level = body.level as AutonomyLevel;
      this.#warned = false;
    } catch (error) {
      if (!this.#warned) {
        const keeping = this.#level ? `keeping the last known level, ${this.#level}` : 'no level known yet, running at full';
        console.warn(`[runlens] cannot read the autonomy level of ${this.service} from ${this.#link.baseUrl}: ${(error as Error).message}; ${keeping}`);
      }
      this.#warned = true;
    }
  }

  /** Before a run: waits for the first answer (bounded by the request timeout), refuses under `off`. */
  async checkRun(): Promise<void> {
    if (this.#first) await this.#first;
    if (this.#level === 'off') throw new ActionsDisabledError(this.service, 'off', null);
  }

  /** The error refusing this tool call, or null when it may run. */
  refusal(tool: string, readOnly: boolean): ActionsDisabledError | null {
    const level = this.#level;
    if (level === 'off' || ((level === 'read-only' || level === 'draft-only') && !readOnly)) return new ActionsDisabledError(this.service, level, tool);
    return null;
  }
}

/** The switch init() makes, or null when it is turned off or there is no collector to ask. */
export function createAutonomySwitch(service: string, option: AutonomyInitOptions['autonomy'], link: AutonomyLink | null): AutonomySwitch | null {
  if (option === false || link === null) return null;
  const autonomy = new AutonomySwitch(service, link, typeof option === 'object' ? option : {});
  autonomy.start();
  return autonomy;
}

/** Event on the refused tool's span (with `tool`, `level`, `service`). */
export const ACTIONS_DISABLED_EVENT = 'runlens.actions.disabled';
