// `runlens policy check FILE` (parse and lint), `runlens policy apply FILE` (store a new version;
// old ones are kept; recorded in the access log) and `runlens policy audit [--since 24h]
// [--service S]` (replay stored tool spans from any client against the policy in force).
// apply and audit write the database file directly, as `prune` does: having write access to it
// is being the collector's admin. Safe while a collector uses the same database.
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, resolve } from 'node:path';
import { lintPolicy, parseDuration, parsePolicy } from '@runlens/schema';
import type { Policy } from '@runlens/schema';
import { loadConfig } from '../config.ts';
import type { Store } from '../store/store.ts';
import { auditRuns } from '../policy/audit.ts';
import { PolicyStore } from '../policy/store.ts';
import { stringFlags, UsageError, type Command, type OptionValues } from './command.ts';
import { DB_OPTIONS, REMOTE_OPTIONS } from './config-options.ts';
import { callCollector, remoteUrl } from './gate.ts';
import type { PolicyVersionInfo } from '@runlens/schema';

async function withStore<T>(values: OptionValues, use: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig({ flags: stringFlags(values), env: process.env });
  config.db = resolve(config.db);
  const { openDatabase, StartupError } = await import('../server.ts');
  if (!existsSync(config.db)) throw new StartupError(`no database at ${config.db} (give its path with --db)`);
  const store = await openDatabase(config);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** Reads, parses and lints a policy file; prints every problem. Null when it has errors. */
function checkFile(file: string | undefined, quiet = false): { policy: Policy; text: string } | null {
  if (!file) throw new UsageError('give the policy file: runlens policy check runlens.policy.yaml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    console.error(`runlens policy: cannot read ${file}: ${(error as Error).message}`);
    return null;
  }
  const parsed = parsePolicy(text, file);
  if (!parsed.ok) {
    for (const error of parsed.errors) console.error(`error: ${error.message}`);
    return null;
  }
  const findings = lintPolicy(parsed.policy);
  for (const finding of findings) console.error(`${finding.level}: ${file}: ${finding.path}: ${finding.message}`);
  const errors = findings.filter((f) => f.level === 'error').length;
  if (errors > 0) {
    console.error(`${file}: ${errors} error${errors === 1 ? '' : 's'}`);
    return null;
  }
  if (!quiet) {
    const warnings = findings.length;
    console.log(`${file}: policy version ${parsed.policy.version} is valid (${Object.keys(parsed.policy.identities).length} identities, ${Object.keys(parsed.policy.tools).length} tools${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''})`);
  }
  return { policy: parsed.policy, text };
}

function operator(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

export const policyCommand: Command = {
  name: 'policy',
  summary: 'tool policy: check a policy file, apply it to the collector, audit stored runs against it',
  description:
    'check FILE: parse and lint (unknown tools, rules that never match, roles without members, conditions on arguments a tool lacks); exits 1 on errors.\n' +
    'apply FILE: check, then store it as the new version for every agent (old versions are kept; the change is written to the access log).\n' +
    '  With --url it goes through the collector (an admin token once users exist); otherwise the database file is written.\n' +
    '  Agents with init({ policy: "remote" }) pick it up within their refresh interval (policyRefreshMs, default 30 s) plus one request (5 s).\n' +
    'audit: replay the tool spans of stored runs (any client) against the policy in force; report calls it would have denied, that ran\n' +
    '  instead of being drafted, or ran without their approval, and record each as a policy violation on its run. Exits 1 when any is found.',
  arguments: 'check <file> | apply <file> | audit',
  options: {
    since: { type: 'string', value: 'AGE', description: 'with audit: runs started within this age (default 24h)' },
    service: { type: 'string', value: 'NAME', description: 'with audit: only runs of this service' },
    'dry-run': { type: 'boolean', short: 'n', description: 'with audit: report only, record nothing' },
    json: { type: 'boolean', description: 'with audit: print the report as JSON' },
    ...REMOTE_OPTIONS,
    ...DB_OPTIONS,
  },
  async run(values, positionals) {
    const [action, file, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}". See: runlens policy --help`);
    if (action === 'check') return checkFile(file) ? 0 : 1;
    if (action === 'apply') {
      const checked = checkFile(file, true);
      if (!checked) return 1;
      const url = remoteUrl(values, 'policy');
      const info = url
        ? await callCollector<PolicyVersionInfo>(url, '/api/policy', values, { method: 'POST', body: JSON.stringify({ source: checked.text, fileName: basename(file!) }) })
        : await withStore(values, (store) => new PolicyStore(store).apply(checked.policy, checked.text, basename(file!), operator()));
      console.log(`applied policy version ${info.version} from ${file} (stored as #${info.id} by ${info.appliedBy})`);
      return 0;
    }
    if (action === 'audit') {
      if (file !== undefined) throw new UsageError(`audit takes no file: it uses the policy applied to the collector. See: runlens policy --help`);
      if (values.url !== undefined) throw new UsageError('audit reads the database file (--db) and records findings in it; it does not take --url. See: runlens policy --help');
      const sinceText = typeof values.since === 'string' ? values.since : '24h';
      const age = parseDuration(sinceText);
      if (age === null) throw new UsageError(`--since: "${sinceText}" is not a duration such as 24h, 30m or 7d`);
      const service = typeof values.service === 'string' ? values.service : undefined;
      return withStore(values, async (store) => {
        const current = new PolicyStore(store).current();
        if (!current) {
          console.error('runlens policy audit: no policy applied yet (runlens policy apply FILE)');
          return 1;
        }
        const report = await auditRuns(store, current.policy, { since: Date.now() - age, ...(service ? { service } : {}), record: values['dry-run'] !== true });
        if (values.json === true) {
          console.log(JSON.stringify(report, null, 2));
        } else {
          console.log(`audited ${report.toolCalls} tool calls in ${report.runs} runs since ${sinceText} ago against policy ${report.policyVersion}`);
          for (const f of report.findings) console.log(`${f.kind.padEnd(16)} ${f.service} ${f.tool} trace ${f.traceId} span ${f.spanId}: ${f.message}`);
          console.log(report.findings.length === 0 ? 'no violations' : `${report.findings.length} violation${report.findings.length === 1 ? '' : 's'}${values['dry-run'] === true ? ' (dry run: not recorded)' : ', recorded on their runs'}`);
        }
        return report.findings.length > 0 ? 1 : 0;
      });
    }
    throw new UsageError(`${action === undefined ? 'give an action' : `unknown action "${action}"`}: check <file>, apply <file> or audit. See: runlens policy --help`);
  },
};
