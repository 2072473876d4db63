// `runlens keys create <identity> [--service NAME] | list | revoke <id>`: ingest keys, one per
// service identity (agent workflow). The key is printed once; only its hash is stored.
import { resolve } from 'node:path';
import type { Credentials } from '../auth/credentials.ts';
import { loadConfig } from '../config.ts';
import { stringFlags, UsageError, type Command, type OptionValues } from './command.ts';
import { DB_OPTIONS } from './config-options.ts';

export function when(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Opens the configured database's credentials for one command; closes it after `use`. */
export async function withCredentials<T>(values: OptionValues, use: (credentials: Credentials) => Promise<T>): Promise<T> {
  const config = loadConfig({ flags: stringFlags(values), env: process.env });
  config.db = resolve(config.db);
  // Loaded here, not at the top, so `--help` and usage errors answer without loading the store.
  const { openDatabase } = await import('../server.ts');
  const { Credentials } = await import('../auth/credentials.ts');
  const store = await openDatabase(config);
  try {
    return await use(new Credentials(store));
  } finally {
    await store.close();
  }
}

/** Renders rows as aligned columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export const keysCommand: Command = {
  name: 'keys',
  summary: 'create, list and revoke ingest keys (one per service identity)',
  description:
    'Ingest keys let agents send spans: `Authorization: Bearer <key>` (OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <key>").\n' +
    'Every span is stamped with the key\'s identity (runlens.identity); with --service, spans of any other service.name are rejected.\n' +
    'Once a key exists, ingest without one is refused. Keys are stored hashed: `create` prints the key once.',
  arguments: 'create <identity> | list | revoke <id>',
  options: {
    service: { type: 'string', value: 'NAME', description: 'with create: accept only spans whose resource service.name is NAME' },
    ...DB_OPTIONS,
  },
  async run(values, positionals) {
    const [action, arg, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}". See: runlens keys --help`);
    if (values.service !== undefined && action !== 'create') throw new UsageError('--service goes with `keys create`');
    if (action === 'create') {
      if (!arg) throw new UsageError('keys create needs an identity, e.g. `runlens keys create support-agent`');
      const { key, token } = await withCredentials(values, (c) => c.createKey(arg, (values.service as string | undefined) ?? null));
      console.log(token);
      console.error(`created ingest key ${key.id} for identity ${key.identity}${key.service ? ` (service ${key.service} only)` : ''}; it is shown only this once`);
      return 0;
    }
    if (action === 'list') {
      if (arg) throw new UsageError(`unexpected argument "${arg}". See: runlens keys --help`);
      const keys = await withCredentials(values, async (c) => c.listKeys());
      console.log(table(['ID', 'IDENTITY', 'SERVICE', 'CREATED', 'REVOKED'], keys.map((k) => [k.id, k.identity, k.service ?? '(any)', when(k.createdAt), when(k.revokedAt)])));
      return 0;
    }
    if (action === 'revoke') {
      if (!arg) throw new UsageError('keys revoke needs the id of a key (see `runlens keys list`)');
      const revoked = await withCredentials(values, (c) => c.revokeKey(arg));
      if (!revoked) {
        console.error(`runlens: no active ingest key with id ${arg} (see \`runlens keys list\`)`);
        return 1;
      }
      console.log(`revoked ingest key ${arg}`);
      return 0;
    }
    throw new UsageError(`${action === undefined ? 'missing action' : `unknown action "${action}"`}: use create, list or revoke. See: runlens keys --help`);
  },
};
