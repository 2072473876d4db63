// Numbered SQL migrations, in order (numbers in steps of 10). The collector's runner
// (collector/src/store/migrate.ts) owns `user_version` and applies each in a transaction.
// A migration, once released, never changes: add a new file instead, numbered ABOVE the last one
// in this list (the runner skips every number at or below a database's user_version, so a file
// slotted in between would never run on an existing database).
import { readFileSync } from 'node:fs';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

function load(version: number, name: string): Migration {
  const file = `${String(version).padStart(4, '0')}-${name}.sql`;
  return { version, name, sql: readFileSync(new URL(`./${file}`, import.meta.url), 'utf8') };
}

export const MIGRATIONS: Migration[] = [load(10, 'initial'), load(100, 'access'), load(200, 'controls'), load(300, 'policy'), load(400, 'evals'), load(500, 'hourly-rollups')];
