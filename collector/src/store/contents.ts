// Large texts stored once by content hash (measured: ~35% less disk, since agents resend the same
// system prompt on every call). Inputs and outputs are also indexed for search, each distinct
// text once. Runs hold references (content_refs); a content goes when its last run does.
import { hash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { decodeText, encodeText, type Encoding } from './blob-codec.ts';

/** Hot contents (system prompts, messages of a running conversation) skip the database lookup. */
// Entries are small since the keys are hashes (measured: ~170 bytes each, ~7 MB in all). When the
// keys were texts, 50k entries / 32 MB made the writer 40-100% slower as the heap grew (GC), and
// the cache was held to 10k; at 40k, texts repeated 10-40k contents apart skip the insert and the
// lookup (measured on the writer bench, whose repetitions resend the same texts: 0.34 such misses
// per span, ~2 µs per span).
const CACHE_MAX_ENTRIES = 40_000;

/**
 * Where a text is in `contents`: one content, or the elements of a JSON array, each a content.
 * Chat inputs are arrays of messages that grow call by call; stored element by element, each
 * message is kept (and indexed for search) once, not once per call.
 */
export type ContentRef = number | number[];


interface CachedContent {
  id: number;
  searchable: boolean;
  /** The run and transaction of the last content_refs row written for it. */
  refRun: number;
  refTransaction: number;
}

/**
 * A text's SHA-256 in base64: the key of the content cache, and (its first 16 bytes) the text's
 * identity in `contents`. One hash serves both: keyed by the text itself, the cache cost V8 a hash
 * of the text on lookup, a copy of it kept as key and a hash of that, and held up to 8 MB of keys
 * (measured on the writer bench: ~3 µs per span less, and `put`'s own time less than half).
 */
function contentKey(text: string): string {
  // One-shot hash: measured ~1 µs less per call than createHash().update().digest().
  return hash('sha256', text, 'base64');
}

/** The `contents.hash` of a text, from its contentKey. */
function contentHash(key: string): Buffer {
  return Buffer.from(key, 'base64').subarray(0, 16);
}

export class ContentWriter {
  // Two generations: when the young one is full it becomes the old one and the previous old one
  // is dropped whole. O(1) per insert (measured: evicting one by one from the front of a Map full
  // of deleted entries cost ~9% of the writer); an old entry that is used again moves back young.
  #cache = new Map<string, CachedContent>();
  #oldCache = new Map<string, CachedContent>();
  readonly #find;
  readonly #insert;
  readonly #markSearchable;
  readonly #index;
  readonly #addRef;
  readonly #stillUsed;
  readonly #delete;
  readonly #unindex;
  /** Numbers transactions, so a cached entry knows whether its last ref was written in this one. */
  #transaction = 0;
  /** By run and slot, this transaction: the last JSON array stored there (without its `]`) and its ids. */
  readonly #lastArrays = new Map<string, { prefix: string; ids: number[] }>();
  /** The last text given to putShared, and its contentKey. */
  #sharedText = '';
  #sharedKey = '';

  constructor(db: Database.Database) {
    this.#find = db.prepare<[Buffer], { id: number; searchable: number }>('SELECT id, searchable FROM contents WHERE hash = ?');
    // One statement for the common case, a new text; an existing one changes no row.
    // (Measured: RETURNING id costs ~4 µs more per insert than reading lastInsertRowid.)
    this.#insert = db.prepare<[Buffer, number, string | Buffer, number]>(
      'INSERT INTO contents (hash, encoding, data, searchable) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING',
    );
    this.#markSearchable = db.prepare<[number]>('UPDATE contents SET searchable = 1 WHERE id = ?');
    this.#index = db.prepare<[number, string]>('INSERT INTO content_fts (rowid, text) VALUES (?, ?)');
    this.#addRef = db.prepare<[number, number]>('INSERT OR IGNORE INTO content_refs (content_id, run_id) VALUES (?, ?)');
    this.#stillUsed = db.prepare<[number], { one: number }>('SELECT 1 AS one FROM content_refs WHERE content_id = ? LIMIT 1');
    this.#delete = db.prepare<[number], { searchable: number }>('DELETE FROM contents WHERE id = ? RETURNING searchable');
    this.#unindex = db.prepare<[number]>('DELETE FROM content_fts WHERE rowid = ?');
  }

  /**
   * Stores a text, split into its elements when it is a JSON array. `slot` names where in the
   * run it comes from (the input, an attribute): a conversation resent longer in the same slot
   * is then matched by its prefix, and only its new messages are looked at.
   */
  putText(text: string, runId: number, searchable: boolean, slot?: string): ContentRef {
    if (text.charCodeAt(0) === 0x5b /* [ */ && text.charCodeAt(text.length - 1) === 0x5d /* ] */) {
      const ids = this.#putArray(text, runId, searchable, slot);
      if (ids !== null) return ids;
    }
    return this.put(text, runId, searchable);
  }

  /** Stores a structured value (an input or output) as JSON, arrays element by element. */
  putValue(value: unknown, runId: number, searchable: boolean, slot?: string): ContentRef {
    if (Array.isArray(value)) {
      if (value.length === 0) return [];
      // JSON.stringify of an array is its elements' JSON joined by commas: one call, then split.
      const ids = this.#putArray(JSON.stringify(value), runId, searchable, slot);
      if (ids !== null) return ids;
      return value.map((element) => this.put(JSON.stringify(element) ?? 'null', runId, searchable, element));
    }
    return this.put(JSON.stringify(value), runId, searchable, value);
  }

  /** Called when a transaction starts. */
  beginTransaction(): void {
    this.#transaction++;
    this.#lastArrays.clear();
  }

  /** Stores the elements of a JSON array text; null when it is not one (compact) to split. */
  #putArray(text: string, runId: number, searchable: boolean, slot: string | undefined): number[] | null {
    const memoKey = slot === undefined ? null : `${runId}:${slot}:${searchable ? 1 : 0}`;
    const last = memoKey === null ? undefined : this.#lastArrays.get(memoKey);
    let ids: number[];
    let elements: string[] | null;
    // The same run resending its conversation with messages added: the known prefix keeps its ids
    // (already stored and referenced in this transaction), only the tail is split and stored.
    // (slice + === compares memory at once; measured: startsWith took ~1.8 µs on a 4.7 KB
    // conversation, 40× longer, 14% of the writer's JS.)
    if (
      last !== undefined &&
      text.length > last.prefix.length + 1 &&
      text.charCodeAt(last.prefix.length) === 0x2c /* , */ &&
      text.slice(0, last.prefix.length) === last.prefix
    ) {
      // Split in place from the comma: prepending a `[` to the tail would copy it (~1.3 KB per span).
      elements = splitJsonArray(text, last.prefix.length);
      if (elements === null) return null;
      ids = last.ids.slice();
    } else {
      elements = splitJsonArray(text);
      if (elements === null) return null;
      ids = [];
    }
    for (const element of elements) ids.push(this.put(element, runId, searchable));
    if (memoKey !== null) this.#lastArrays.set(memoKey, { prefix: text.slice(0, -1), ids });
    return ids;
  }

  /**
   * Stores `text` unless it is already there, records that `runId` uses it, and returns its id.
   * `searchable` texts (inputs, outputs) are added to the full-text index; `parsed` is the
   * value the text is the JSON of, when the caller has it (saves parsing it again).
   */
  put(text: string, runId: number, searchable: boolean, parsed?: unknown): number {
    return this.#putKeyed(text, contentKey(text), runId, searchable, parsed);
  }

  /**
   * put (not searchable) for a text that span after span passes as the same string (the resource
   * JSON of a request): hashed once while it repeats (measured: 0.36 µs per span of SHA-256).
   */
  putShared(text: string, runId: number): number {
    if (text !== this.#sharedText) {
      this.#sharedText = text;
      this.#sharedKey = contentKey(text);
    }
    return this.#putKeyed(text, this.#sharedKey, runId, false);
  }

  #putKeyed(text: string, key: string, runId: number, searchable: boolean, parsed?: unknown): number {
    let entry = this.#cache.get(key);
    if (entry === undefined && (entry = this.#oldCache.get(key)) !== undefined) this.#remember(key, entry);
    if (entry === undefined) {
      const hash = contentHash(key);
      const { encoding, data } = encodeText(text);
      const inserted = this.#insert.run(hash, encoding, data, searchable ? 1 : 0);
      if (inserted.changes > 0) {
        entry = { id: Number(inserted.lastInsertRowid), searchable, refRun: -1, refTransaction: -1 };
        if (searchable) this.#index.run(entry.id, searchableText(text, parsed));
      } else {
        const row = this.#find.get(hash)!;
        entry = { id: row.id, searchable: row.searchable === 1, refRun: -1, refTransaction: -1 };
      }
      this.#remember(key, entry);
    }
    if (searchable && !entry.searchable) {
      // First seen as an attribute value, now as an input or output: index it once.
      this.#markSearchable.run(entry.id);
      this.#index.run(entry.id, searchableText(text, parsed));
      entry.searchable = true;
    }
    // A run's spans are written one after the other, so remembering the last run a content was
    // referenced by skips nearly every repeat (the insert ignores the rest).
    if (entry.refRun !== runId || entry.refTransaction !== this.#transaction) {
      entry.refRun = runId;
      entry.refTransaction = this.#transaction;
      this.#addRef.run(entry.id, runId);
    }
    return entry.id;
  }

  /** Deletes the contents no run refers to any more (after their refs were deleted). */
  deleteUnused(contentIds: Iterable<number>): number {
    let deleted = 0;
    for (const id of new Set(contentIds)) {
      if (this.#stillUsed.get(id)) continue;
      const row = this.#delete.get(id);
      if (!row) continue;
      if (row.searchable === 1) this.#unindex.run(id);
      deleted++;
    }
    // The cache is keyed by text, not id: forget it all (deletes only happen when pruning).
    if (deleted > 0) this.clearCache();
    return deleted;
  }

  /** Forgets cached ids, for when a transaction that inserted contents rolled back. */
  clearCache(): void {
    this.#cache.clear();
    this.#oldCache.clear();
    this.#lastArrays.clear();
  }

  #remember(key: string, entry: CachedContent): void {
    if (this.#cache.size >= CACHE_MAX_ENTRIES / 2) {
      this.#oldCache = this.#cache;
      this.#cache = new Map();
    }
    this.#cache.set(key, entry);
  }
}

/** Reads contents by id, for the query side. */
export class ContentReader {
  readonly #get;

  constructor(db: Database.Database) {
    this.#get = db.prepare<[number], { encoding: number; data: string | Buffer }>('SELECT encoding, data FROM contents WHERE id = ?');
  }

  /** The text of a content, or null when retention has dropped it. */
  text(id: number): string | null {
    const row = this.#get.get(id);
    return row ? decodeText(row.encoding as Encoding, row.data) : null;
  }

  /** The text a ContentRef stands for; null when any part of it was dropped. */
  textOf(ref: ContentRef): string | null {
    if (typeof ref === 'number') return this.text(ref);
    const parts: string[] = [];
    for (const id of ref) {
      const part = this.text(id);
      if (part === null) return null;
      parts.push(part);
    }
    return `[${parts.join(',')}]`;
  }
}

/** The ids a ContentRef uses. */
export function contentIds(ref: ContentRef): number[] {
  return typeof ref === 'number' ? [ref] : ref;
}

/**
 * The elements of a compact JSON array (no whitespace outside strings, as JSON.stringify writes
 * it) as slices of `text`, so joining them with commas gives `text` back byte for byte; null for
 * anything else, and the text is stored whole. One scan, no parse: measured, parsing and
 * re-serialising each element cost the writer ~10 µs per span on chat inputs. From `open` on
 * only, when `open` is the comma after elements already known.
 */
export function splitJsonArray(text: string, open = 0): string[] | null {
  const end = text.length - 1;
  const opener = open === 0 ? 0x5b /* [ */ : 0x2c; /* , */
  if (end < open + 2 || text.charCodeAt(open) !== opener || text.charCodeAt(end) !== 0x5d /* ] */) return null;
  const elements: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i = closingQuote(text, i);
      if (i < 0 || i >= end) return null;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) depth++;
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (--depth < 0) return null;
    } else if (c === 0x2c /* , */ && depth === 0) {
      if (i === start) return null;
      elements.push(text.slice(start, i));
      start = i + 1;
    } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) return null;
  }
  if (depth !== 0 || start === end) return null;
  elements.push(text.slice(start, end));
  return elements;
}

/**
 * What the full-text index sees of an input or output: the string values of its JSON (message
 * texts, argument values), not its keys and punctuation; a plain text as it is.
 */
export function searchableText(text: string, parsed?: unknown): string {
  if (parsed !== undefined) return leafTexts(parsed);
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[' && first !== '"') return text;
  const scanned = scanLeafTexts(text);
  if (scanned !== null) return scanned;
  try {
    return leafTexts(JSON.parse(text));
  } catch {
    return text;
  }
}

/** The strings, numbers and booleans of a JSON value, in order, one a line. */
function leafTexts(value: unknown): string {
  const strings: string[] = [];
  collectLeaves(value, strings);
  return strings.join('\n');
}

function collectLeaves(node: unknown, out: string[]): void {
  if (typeof node === 'string') out.push(node);
  else if (typeof node === 'number' || typeof node === 'boolean') out.push(String(node));
  else if (Array.isArray(node)) for (const element of node) collectLeaves(element, out);
  else if (node !== null && typeof node === 'object') for (const key in node) collectLeaves((node as Record<string, unknown>)[key], out);
}

const CONTROL_CHARACTER = /[\u0000-\u001f]/;

/**
 * leafTexts(JSON.parse(text)) by one scan of the text, without building the value: for compact
 * JSON (as JSON.stringify writes it) with no duplicate or numeric keys and plain integers; null
 * for anything else (then the caller parses). Measured on the writer bench: 3.5 → 1.9 µs per span
 (the inputs and outputs of the demo workload are all scanned), and no parsed objects to collect.
 */
export function scanLeafTexts(text: string): string | null {
  // Raw control characters: whitespace between tokens, or invalid JSON. Either way, parse.
  if (CONTROL_CHARACTER.test(text)) return null;
  const out: string[] = [];
  // Per open container: -1 for an array, else where its keys start in `keys`.
  const open: number[] = [];
  const keys: string[] = [];
  let expectKey = false;
  let i = 0;
  const end = text.length;
  for (;;) {
    // A value (or, in an object, a key and a value) starts at i.
    if (expectKey) {
      if (text.charCodeAt(i) !== 0x22 /* " */) return null;
      const close = closingQuote(text, i);
      if (close < 0 || text.charCodeAt(close + 1) !== 0x3a /* : */) return null;
      const key = text.slice(i + 1, close);
      const firstCode = key.charCodeAt(0);
      // Escaped keys, and digit-led ones (which objects order first), are left to JSON.parse.
      if (key.includes('\\') || (firstCode >= 0x30 && firstCode <= 0x39)) return null;
      const from = open[open.length - 1]!;
      for (let k = from; k < keys.length; k++) if (keys[k] === key) return null;
      keys.push(key);
      i = close + 2;
      expectKey = false;
    }
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const close = closingQuote(text, i);
      if (close < 0) return null;
      const value = text.slice(i + 1, close);
      if (value.includes('\\')) {
        try {
          out.push(JSON.parse(text.slice(i, close + 1)) as string);
        } catch {
          return null;
        }
      } else out.push(value);
      i = close + 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const closer = c === 0x7b ? 0x7d /* } */ : 0x5d; /* ] */
      if (text.charCodeAt(i + 1) === closer) i += 2;
      else {
        open.push(c === 0x7b ? keys.length : -1);
        expectKey = c === 0x7b;
        i++;
        continue;
      }
    } else {
      const literalEnd = scanLiteral(text, i, out);
      if (literalEnd < 0) return null;
      i = literalEnd;
    }
    // After a value: more of the open container, its end, or the end of the text.
    for (;;) {
      if (open.length === 0) return i === end ? out.join('\n') : null;
      const inObject = open[open.length - 1]! >= 0;
      const next = text.charCodeAt(i);
      if (next === 0x2c /* , */) {
        i++;
        expectKey = inObject;
        break;
      }
      if (next !== (inObject ? 0x7d /* } */ : 0x5d /* ] */)) return null;
      const from = open.pop()!;
      if (from >= 0) keys.length = from;
      i++;
    }
  }
}

/** Index of the quote closing the string opened at `start`, or -1. */
function closingQuote(text: string, start: number): number {
  let i = start;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(i - 1 - backslashes) === 0x5c /* \ */) backslashes++;
    if ((backslashes & 1) === 0) return i;
  }
}

const PLAIN_INTEGER = /-?(?:0|[1-9]\d{0,14})/y;

/** Scans true, false, null or a plain integer at `start` into `out`; returns where it ends, or -1. */
function scanLiteral(text: string, start: number, out: string[]): number {
  if (text.startsWith('true', start)) {
    out.push('true');
    return start + 4;
  }
  if (text.startsWith('false', start)) {
    out.push('false');
    return start + 5;
  }
  if (text.startsWith('null', start)) return start + 4;
  PLAIN_INTEGER.lastIndex = start;
  if (!PLAIN_INTEGER.test(text)) return -1;
  const end = PLAIN_INTEGER.lastIndex;
  const next = text.charCodeAt(end);
  // A fraction or an exponent: String(Number(token)) may differ from the token.
  if (next === 0x2e /* . */ || next === 0x65 /* e */ || next === 0x45 /* E */ || (next >= 0x30 && next <= 0x39)) return -1;
  const token = text.slice(start, end);
  out.push(token === '-0' ? '0' : token);
  return end;
}
