// `runlens autonomy set <service> <level> [--reason TEXT]` and `runlens autonomy get [service]`:
// the kill switch from a terminal. Talks to a running collector (--url) or writes the database
// file (--db, default the configured one); either way the change lands in the access log.
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import { AUTONOMY_LEVELS, AUTONOMY_MEANING, checkServiceName, isAutonomy, type AutonomyState } from '../autonomy/index.ts';
import { stringFlags, UsageError, type Command, type OptionValues } from './command.ts';
import { DB_OPTIONS, REMOTE_OPTIONS } from './config-options.ts';
import { callCollector, remoteUrl } from './gate.ts';
import { table, when } from './keys.ts';

async function withStore<T>(values: OptionValues, use: (store: import('../store/store.ts').Store) => Promise<T>): Promise<T> {
  const config = loadConfig({ flags: stringFlags(values), env: process.env });
  config.db = resolve(config.db);
  const { openDatabase } = await import('../server.ts');
  const store = await openDatabase(config);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

function describe(state: AutonomyState): string {
  const by = state.changedBy ? `, set by ${state.changedBy} at ${when(state.changedAt)}${state.reason ? `: ${state.reason}` : ''}` : ' (default)';
  return `${state.service}: ${state.level} — ${AUTONOMY_MEANING[state.level]}${by}`;
}

export const autonomyCommand: Command = {
  name: 'autonomy',
  summary: 'kill switch: set or show the autonomy level of a service (full, read-only, off…)',
  description:
    `Levels: ${AUTONOMY_LEVELS.map((l) => `${l} (${AUTONOMY_MEANING[l]})`).join('; ')}.\n` +
    'Agents using @runlens/sdk poll their level and obey it within their poll interval (default 5 s).\n' +
    'With --url the change goes through the collector (needs an admin token once users exist); otherwise the database file is written.\n' +
    'Every change is recorded in the access log with who made it.',
  arguments: 'set <service> <level> | get [service]',
  options: {
    reason: { type: 'string', value: 'TEXT', description: 'with set: why (shown in the viewer and the access log)' },
    json: { type: 'boolean', description: 'print JSON' },
    ...REMOTE_OPTIONS,
    ...DB_OPTIONS,
  },
  async run(values, positionals) {
    const [action, service, level, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}". See: runlens autonomy --help`);
    const url = remoteUrl(values, 'autonomy');
    if (service !== undefined) {
      const problem = checkServiceName(service);
      if (problem) throw new UsageError(`service: ${problem}`);
    }
    if (action === 'set') {
      if (service === undefined || level === undefined) throw new UsageError('usage: runlens autonomy set <service> <level>, e.g. runlens autonomy set support-agent read-only');
      if (!isAutonomy(level)) throw new UsageError(`level: expected one of ${AUTONOMY_LEVELS.join(', ')}, got "${level}"`);
      const reason = (values.reason as string | undefined) ?? null;
      let state: AutonomyState & { previousLevel?: string };
      if (url !== null) {
        state = await callCollector(url, `/api/autonomy/${encodeURIComponent(service)}`, values, { method: 'PUT', body: JSON.stringify({ level, reason, source: 'cli' }) });
      } else {
        state = await withStore(values, async (store) => {
          const { setAutonomy, getAutonomy } = await import('../autonomy/index.ts');
          const change = await setAutonomy(store, { service, level, reason, by: `cli:${userInfo().username}`, source: 'cli' });
          return { ...getAutonomy(store, service), previousLevel: change.previousLevel };
        });
      }
      if (values.json) console.log(JSON.stringify(state));
      else console.log(`${state.previousLevel ? `${state.previousLevel} -> ` : ''}${describe(state)}`);
      return 0;
    }
    if (action === 'get') {
      if (level !== undefined) throw new UsageError(`unexpected argument "${level}". See: runlens autonomy --help`);
      let states: AutonomyState[];
      if (url !== null) {
        states = service !== undefined
          ? [await callCollector<AutonomyState>(url, `/api/autonomy/${encodeURIComponent(service)}`, values)]
          : (await callCollector<{ services: AutonomyState[] }>(url, '/api/autonomy', values)).services;
      } else {
        states = await withStore(values, async (store) => {
          const { getAutonomy, listAutonomy } = await import('../autonomy/index.ts');
          return service !== undefined ? [getAutonomy(store, service)] : listAutonomy(store);
        });
      }
      if (values.json) console.log(JSON.stringify(service !== undefined ? states[0] : states));
      else if (service !== undefined) console.log(describe(states[0]!));
      else if (states.length === 0) console.log('every service runs at full autonomy (no level was ever set)');
      else console.log(table(['SERVICE', 'LEVEL', 'SET BY', 'AT', 'REASON'], states.map((s) => [s.service, s.level, s.changedBy ?? '-', when(s.changedAt), s.reason ?? ''])));
      return 0;
    }
    throw new UsageError(`expected \`set <service> <level>\` or \`get [service]\`, got ${action === undefined ? 'nothing' : `"${action}"`}. See: runlens autonomy --help`);
  },
};
