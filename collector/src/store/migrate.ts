// Opens the database for writing and brings its schema up to date. One runner owns
// `user_version`; each migration runs in its own transaction; a database written by a newer
// Runlens is refused rather than misread.
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from '@runlens/schema/migrations';
import { StoreOpenError } from './store.ts';

/**
 * Measured on this machine (bench/README.md): a 16384-page autocheckpoint gains 10-17% on
 * ingest; a large cache_size was 30% slower, so it stays at the default.
 */
export const WRITER_PRAGMAS: Record<string, string | number> = {
  journal_mode: 'WAL',
  synchronous: 'NORMAL',
  wal_autocheckpoint: 16384,
  foreign_keys: 'OFF',
  busy_timeout: 5000,
};

/** Opens (creating if needed) the database at `path` for the single writer, migrated. */
export function openWriterDatabase(
  path: string,
  options: { pragmas?: Record<string, string | number>; migrations?: Migration[] } = {},
): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw new StoreOpenError(`cannot open database ${path}: ${(error as Error).message}`);
  }
  try {
    // The first read of the file: a file that is not SQLite fails here, not mid-request.
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === 0 && isEmpty(db)) {
      // Must precede the first table; SQLite cannot change it inside a transaction.
      db.pragma('auto_vacuum = INCREMENTAL');
    }
    for (const [name, value] of Object.entries({ ...WRITER_PRAGMAS, ...options.pragmas })) db.pragma(`${name} = ${value}`);
    applyMigrations(db, options.migrations ?? MIGRATIONS, path);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof StoreOpenError) throw error;
    const code = (error as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new StoreOpenError(`${path} is not a Runlens database (not SQLite, or damaged): ${(error as Error).message}. Move it away or pass another --db.`);
    }
    if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR')) {
      throw new StoreOpenError(`cannot write to database ${path} (${code}): ${(error as Error).message}. Check the file's permissions and free disk space.`);
    }
    throw new StoreOpenError(`cannot open database ${path}: ${(error as Error).message}`);
  }
}

function isEmpty(db: Database.Database): boolean {
  return (db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number }).n === 0;
}

/** Applies the migrations newer than the database's `user_version`, each in a transaction. */
export function applyMigrations(db: Database.Database, migrations: Migration[], path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > latest) {
    throw new StoreOpenError(
      `${path} was written by a newer Runlens (schema version ${current}; this build knows up to ${latest}). Upgrade Runlens or use another --db.`,
    );
  }
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      // user_version takes no parameters; the value is a number from our own list.
      db.pragma(`user_version = ${Math.trunc(migration.version)}`);
    })();
  }
}
