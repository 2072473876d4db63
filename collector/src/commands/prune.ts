// `runlens prune`: applies the retention rules once, or reports what they would remove.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import type { PruneReport } from '../store/store.ts';
import { stringFlags, type Command } from './command.ts';
import { DB_OPTIONS, RETENTION_OPTIONS } from './config-options.ts';

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function describePrune(report: PruneReport): string {
  const verb = report.dryRun ? 'would delete' : 'deleted';
  const lines = [
    `${verb} ${count(report.runsDeleted, 'run')} (${count(report.spansDeleted, 'span')})`,
    `${report.dryRun ? 'would drop' : 'dropped'} the contents (inputs and outputs) of ${count(report.contentsDropped, 'span')}`,
    report.dryRun ? `database is ${megabytes(report.bytesBefore)}` : `database ${megabytes(report.bytesBefore)} -> ${megabytes(report.bytesAfter)}`,
  ];
  if (report.dryRun) lines.push('dry run: nothing was changed');
  return lines.join('\n');
}

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'apply the retention rules now (or --dry-run to see what they would remove)',
  description:
    'Deletes runs past their retention age and drops old contents, as the running collector does in the background.\n' +
    'Rollups (the dashboards) are kept. Safe to run while a collector uses the same database.',
  options: {
    'dry-run': { type: 'boolean', short: 'n', description: 'report what would be removed; change nothing' },
    ...DB_OPTIONS,
    ...RETENTION_OPTIONS,
  },
  async run(values) {
    const config = loadConfig({ flags: stringFlags(values), env: process.env });
    config.db = resolve(config.db);
    // Loaded here, not at the top, so `--help` and usage errors answer without loading the store.
    const { openDatabase, StartupError } = await import('../server.ts');
    if (!existsSync(config.db)) throw new StartupError(`no database at ${config.db} (give its path with --db)`);
    const store = await openDatabase(config);
    try {
      const report = await store.prune({ dryRun: values['dry-run'] === true });
      console.log(`runlens prune ${config.db}`);
      console.log(describePrune(report));
    } finally {
      await store.close();
    }
    return 0;
  },
};
