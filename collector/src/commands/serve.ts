// `runlens serve`: the collector process.
import { resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import { stringFlags, type Command } from './command.ts';
import { DB_OPTIONS, RETENTION_OPTIONS } from './config-options.ts';

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
