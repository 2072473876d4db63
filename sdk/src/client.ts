// init(): the client that owns (or borrows) the OpenTelemetry pipeline and starts runs.
import { context, ROOT_CONTEXT, createContextKey, trace, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OTEL, compileRedactionRules } from '@runlens/schema';
import { validateBudgets } from './budget.ts';
import { resolveExportTimeout, resolveTracesUrl, validateInitOptions, type InitOptions } from './config.ts';
import { RunlensNotInitializedError } from './errors.ts';
import { BoundedBatchProcessor, emptyStats, type ExportStats } from './export.ts';
import { AgentRun, type RunOptions, type RunRuntime } from './run.ts';
import { PolicyGate } from './policy/gate.ts';
import { policySource } from './policy/source.ts';
import { createAutonomySwitch, type AutonomyInitOptions, type AutonomySwitch } from './autonomy.ts';

const SDK_NAME = '@runlens/sdk';
const SDK_VERSION = '0.1.0';

export type RunFunction<T> = (run: AgentRun) => Promise<T> | T;

export class RunlensClient {
  readonly service: string;
  /** Where spans are posted, or null when another exporter or tracer provider is used. */
  readonly tracesUrl: string | null;
  readonly #runtime: RunRuntime;
  /** Set when this client created the provider, so it flushes and shuts it down. */
  readonly #ownProvider: NodeTracerProvider | null;
  readonly #borrowedProvider: TracerProvider | null;
  readonly #processor: BoundedBatchProcessor | null;
  #shutdown: Promise<void> | null = null;

  constructor(options: InitOptions & AutonomyInitOptions) {
    validateInitOptions(options);
    this.service = options.service;
    const budgets = validateBudgets(options.budgets, 'init()');
    const content = {
      capture: options.captureContent ?? true,
      rules: compileRedactionRules(options.redact),
    };
    ensureContextManager();

    let tracer: Tracer;
    if (options.tracerProvider || options.useGlobalTracerProvider) {
      // Attach to the application's OpenTelemetry setup: its resource, processors and exporter.
      this.#borrowedProvider = options.tracerProvider ?? trace.getTracerProvider();
      this.#ownProvider = null;
      this.#processor = null;
      this.tracesUrl = null;
      tracer = this.#borrowedProvider.getTracer(SDK_NAME, SDK_VERSION);
    } else {
      this.tracesUrl = options.exporter ? null : resolveTracesUrl(options.endpoint);
      const exportTimeoutMillis = resolveExportTimeout(options.exportTimeoutMillis);
      const exporter =
        options.exporter ??
        new OTLPTraceExporter({
          url: this.tracesUrl!,
          timeoutMillis: exportTimeoutMillis,
          ...(options.headers ? { headers: options.headers } : {}),
        });
      this.#processor = new BoundedBatchProcessor({
        exporter,
        maxQueueSize: options.maxQueueSize ?? 2048,
        scheduledDelayMillis: options.scheduledDelayMillis ?? 1000,
        // The processor waits a little longer than one request, so the exporter's own timeout fires first.
        exportTimeoutMillis: exportTimeoutMillis + 1000,
      });
      const attributes: Record<string, string> = { [OTEL.serviceName]: options.service };
      if (options.versions?.app !== undefined) attributes[OTEL.serviceVersion] = options.versions.app;
      this.#ownProvider = new NodeTracerProvider({
        resource: defaultResource().merge(resourceFromAttributes(attributes)),
        spanProcessors: [this.#processor],
      });
      this.#borrowedProvider = null;
      tracer = this.#ownProvider.getTracer(SDK_NAME, SDK_VERSION);
      if (options.flushOnExit ?? true) flushOnExit(this);
    }
    this.#runtime = {
      tracer,
      content,
      versions: { ...options.versions },
      budgets,
      clock: options.clock ?? null,
      policy: createPolicyGate(options, content, this.tracesUrl),
      autonomy: createAutonomySwitch(options.service, options.autonomy, collectorLink(options, this.tracesUrl)),
      tools: { ...options.tools },
    };
  }

  /**
   * Runs `fn` as one agent run (`invoke_agent {name}`) and returns its value. An exception is
   * recorded on the run and rethrown. Inside another run it becomes a nested run.
   */
  run<T>(name: string, fn: RunFunction<T>): Promise<T>;
  run<T>(name: string, options: RunOptions, fn: RunFunction<T>): Promise<T>;
  run<T>(name: string, optionsOrFn: RunOptions | RunFunction<T>, maybeFn?: RunFunction<T>): Promise<T> {
    const fn = typeof optionsOrFn === 'function' ? optionsOrFn : maybeFn;
    const options = typeof optionsOrFn === 'function' ? {} : optionsOrFn;
    if (typeof fn !== 'function') {
      return Promise.reject(new TypeError(`run('${name}') needs a function: run(name, { userId }, async (run) => …)`));
    }
    return AgentRun.start(this.#runtime, name, options ?? {}, fn);
  }

  /** The tool policy gate of init({ policy }), or null (used by the Vercel AI SDK adapter). */
  get policy(): PolicyGate | null {
    return this.#runtime.policy ?? null;
  }

  /** The kill switch: the autonomy level polled from the collector, or null when it is off. */
  get autonomy(): AutonomySwitch | null {
    return this.#runtime.autonomy ?? null;
  }

  /** Counts of spans queued, exported, failed and dropped (zeros when attached to another provider). */
  stats(): ExportStats {
    return this.#processor ? { ...this.#processor.stats } : emptyStats();
  }

  /** Exports every ended span now. Never rejects: failures are counted in stats(). */
  async forceFlush(): Promise<void> {
    const provider = this.#ownProvider ?? this.#borrowedProvider;
    const flush = (provider as { forceFlush?: () => Promise<void> } | null)?.forceFlush;
    if (typeof flush === 'function') await flush.call(provider).catch(() => undefined);
  }

  /**
   * Flushes and stops exporting. Idempotent; never rejects. A borrowed provider is flushed but
   * left running: it belongs to the application.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      liveClients.delete(this);
      this.#runtime.policy?.stop();
      this.#runtime.autonomy?.stop();
      if (this.#ownProvider) await this.#ownProvider.shutdown().catch(() => undefined);
      else await this.forceFlush();
    })();
    return this.#shutdown;
  }
}

/** The policy gate of init({ policy }); the collector is the one spans go to (endpoint without `/v1/traces`). */
function createPolicyGate(options: InitOptions, content: RunRuntime['content'], tracesUrl: string | null): PolicyGate | null {
  if (options.policy === undefined) return null;
  const url = tracesUrl ?? (options.endpoint ? resolveTracesUrl(options.endpoint) : null);
  const link = url ? { baseUrl: url.replace(/\/v1\/traces\/?$/, ''), headers: { ...options.headers } } : null;
  return new PolicyGate({
    service: options.service,
    source: policySource(options.policy, options.service, link, options.policyRefreshMs),
    link,
    ...(options.onApproval ? { onApproval: options.onApproval } : {}),
    ...(options.approvalTimeoutMs !== undefined ? { approvalTimeoutMs: options.approvalTimeoutMs } : {}),
    content,
  });
}

/** The collector spans go to (the traces URL without `/v1/traces`), for the kill switch's polls. */
function collectorLink(options: InitOptions, tracesUrl: string | null): { baseUrl: string; headers: Record<string, string> } | null {
  const url = tracesUrl ?? (options.endpoint ? resolveTracesUrl(options.endpoint) : null);
  return url ? { baseUrl: url.replace(/\/v1\/traces\/?$/, ''), headers: { ...options.headers } } : null;
}

// ---- the process-wide pieces: default client, context manager, exit flush --------------------

let defaultClient: RunlensClient | null = null;

/** Creates a client; it also becomes the one the top-level `run()` and `shutdown()` use. */
export function init(options: InitOptions & AutonomyInitOptions): RunlensClient {
  const client = new RunlensClient(options);
  defaultClient = client;
  return client;
}

/** `run()` of the client created by the latest `init()`. */
export function run<T>(name: string, fn: RunFunction<T>): Promise<T>;
export function run<T>(name: string, options: RunOptions, fn: RunFunction<T>): Promise<T>;
export function run<T>(name: string, optionsOrFn: RunOptions | RunFunction<T>, maybeFn?: RunFunction<T>): Promise<T> {
  if (!defaultClient) return Promise.reject(new RunlensNotInitializedError());
  return typeof optionsOrFn === 'function'
    ? defaultClient.run(name, optionsOrFn)
    : defaultClient.run(name, optionsOrFn, maybeFn as RunFunction<T>);
}

/** Shuts down the client created by the latest `init()` (no-op without one). */
export function shutdown(): Promise<void> {
  return defaultClient ? defaultClient.shutdown() : Promise.resolve();
}

const probeKey = createContextKey('runlens.probe');

/** Runs and wrappers find each other through context: make sure a real context manager is set. */
function ensureContextManager(): void {
  const propagates = context.with(ROOT_CONTEXT.setValue(probeKey, true), () => context.active().getValue(probeKey) === true);
  if (!propagates) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

const liveClients = new Set<RunlensClient>();
let exitHookInstalled = false;

/** A normal exit (the event loop ran dry) flushes every live client once. */
function flushOnExit(client: RunlensClient): void {
  liveClients.add(client);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('beforeExit', () => {
    exitHookInstalled = false;
    const clients = [...liveClients];
    liveClients.clear();
    for (const live of clients) void live.shutdown();
  });
}
