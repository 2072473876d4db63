// `runlens serve`: the collector process.
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { loadConfig } from '../config.ts';
import { stringFlags, type Command } from './command.ts';
import { DB_OPTIONS, RETENTION_OPTIONS } from './config-options.ts';

/**
 * After each full collection V8 lets a heap grow to up to 4× what is live when its limit is the
 * default (~4 GB here): under load the main thread's heap reached ~270 MB for 55-78 MB live.
 * Capping the growth (read by V8 at every collection, so it applies to this thread and to the
 * writer) at 2× measured peak RSS 498-568 → 423-428 MB at the same throughput. At 1.5×, with the
 * compiled collector and a 4 MiB admission budget, overload peaked at 280-288 MB against ~305 at 2×
 * (1.3× gave no less), for ~5% of saturated throughput (8 senders: 11.0k against 11.6-12.1k spans/s;
 * bench/README.md, "Memory"). 1.75× cost ~11% less CPU per span at saturation (median of 4 A/B
 * pairs), but the bench's overload phase then peaked at 303 MB (fourth pass): it stays at 1.5×.
 */
const HEAP_GROWING_PERCENT = 50;

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    let first = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (first === 0) {
        first = Date.now();
        resolveSignal(signal);
        return;
      }
      // A second Ctrl-C while draining means "now". One arriving within a second is the same
      // signal delivered twice (npm start forwards it to us as well as the terminal): ignored.
      if (Date.now() - first > 1000) process.exit(130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'start the collector (OTLP ingest, API and viewer on one port)',
  description:
    'Starts the collector: OTLP/HTTP ingest at /v1/traces, the read API under /api and the viewer at /, all on one port.\n' +
    'Binds 127.0.0.1:4318 by default. Flags win over environment variables, which win over the config file.',
  options: {
    host: { type: 'string', value: 'HOST', description: 'interface to bind (env RUNLENS_HOST; default 127.0.0.1)' },
    port: { type: 'string', short: 'p', value: 'PORT', description: 'port to listen on, 0 for any free port (env RUNLENS_PORT; default 4318)' },
    ...DB_OPTIONS,
    'max-body-size': { type: 'string', value: 'SIZE', description: 'largest request body after decompression (env RUNLENS_MAX_BODY_SIZE; default 32MiB)' },
    ...RETENTION_OPTIONS,
    insecure: { type: 'boolean', description: 'run open (no keys or users needed) on a non-loopback address' },
    'rate-limit': { type: 'string', value: 'N', description: 'requests per second per ingest key, or off (env RUNLENS_RATE_LIMIT; default 100)' },
  },
  async run(values) {
    const config = loadConfig({ flags: stringFlags(values), env: process.env });
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    if (values.insecure === true) config.insecure = true;
    config.db = resolve(config.db);
    // Loaded here, not at the top, so `--help` and usage errors answer without loading the server.
    const { startCollector } = await import('../server.ts');
    const signal = waitForSignal();
    const collector = await startCollector(config);
    console.log(`runlens opened database ${config.db}${config.configFile ? ` (config ${resolve(config.configFile)})` : ''}`);
    console.log(`runlens listening on ${collector.url}`);
    const received = await signal;
    console.log(`runlens received ${received}: finishing requests and writing queued spans`);
    await collector.close();
    console.log('runlens stopped');
    return 0;
  },
};
