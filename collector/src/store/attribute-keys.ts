// Attribute keys are numbered in `attribute_keys`: a span's short attributes are stored as
// {"3": "chat", "7": 812} instead of repeating `gen_ai.usage.input_tokens` on every row.
import type Database from 'better-sqlite3';

/** Writer side: numbers keys, adding new ones inside the current transaction. */
export class AttributeKeyWriter {
  readonly #ids = new Map<string, number>();
  readonly #db: Database.Database;
  readonly #insert;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare<[string]>('INSERT INTO attribute_keys (key) VALUES (?)');
    this.reload();
  }

  idOf(key: string): number {
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = Number(this.#insert.run(key).lastInsertRowid);
      this.#ids.set(key, id);
    }
    return id;
  }

  /** Reads the numbering again (after a rollback, or another process added keys). */
  reload(): void {
    this.#ids.clear();
    for (const row of this.#db.prepare<[], { id: number; key: string }>('SELECT id, key FROM attribute_keys').all()) this.#ids.set(row.key, row.id);
  }
}

/** Reader side: key of a number, looked up once and remembered (keys never change). */
export class AttributeKeyReader {
  readonly #keys = new Map<number, string>();
  readonly #get;

  constructor(db: Database.Database) {
    this.#get = db.prepare<[number], { key: string }>('SELECT key FROM attribute_keys WHERE id = ?');
  }

  keyOf(id: number): string {
    let key = this.#keys.get(id);
    if (key === undefined) {
      key = this.#get.get(id)?.key ?? `#${id}`;
      this.#keys.set(id, key);
    }
    return key;
  }
}
