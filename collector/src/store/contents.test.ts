import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '@runlens/schema/migrations';
import { ContentReader, ContentWriter, scanLeafTexts, searchableText, splitJsonArray } from './contents.ts';
import { applyMigrations } from './migrate.ts';
import { ftsQuery } from './queries.ts';

function database(): Database.Database {
  const db = new Database(':memory:');
  applyMigrations(db, MIGRATIONS, ':memory:');
  return db;
}

const SYSTEM = { role: 'system', parts: [{ type: 'text', content: 'You are the support agent of Acme Telecom. '.repeat(20) }] };

describe('contents', () => {
  it('stores a text sent many times once', () => {
    const db = database();
    const writer = new ContentWriter(db);
    const ids = db.transaction(() => [writer.put('same prompt', 1, false), writer.put('same prompt', 2, false), writer.put('other', 2, false)])();
    expect(ids[0]).toBe(ids[1]);
    expect((db.prepare('SELECT count(*) AS n FROM contents').get() as { n: number }).n).toBe(2);
    expect((db.prepare('SELECT count(*) AS n FROM content_refs').get() as { n: number }).n).toBe(3);
  });

  it('keeps each message of a growing conversation once and reads every version back exactly', () => {
    const db = database();
    const writer = new ContentWriter(db);
    const reader = new ContentReader(db);
    const conversation: unknown[] = [SYSTEM];
    const texts: string[] = [];
    const refs = db.transaction(() =>
      Array.from({ length: 5 }, (_, i) => {
        conversation.push({ role: i % 2 ? 'assistant' : 'user', parts: [{ type: 'text', content: `message ${i} ${'x'.repeat(300)}` }] });
        const text = JSON.stringify(conversation);
        texts.push(text);
        return writer.putText(text, 1, false);
      }),
    )();
    refs.forEach((ref, i) => expect(reader.textOf(ref)).toBe(texts[i]));
    // The system prompt and five messages, not 1 + 2 + … + 6 of them.
    expect((db.prepare('SELECT count(*) AS n FROM contents').get() as { n: number }).n).toBe(6);
  });

  it('keeps a JSON text that re-serialises differently as it is', () => {
    const db = database();
    const writer = new ContentWriter(db);
    const reader = new ContentReader(db);
    const spaced = `[ {"a": 1}, {"b": "${'y'.repeat(300)}"} ]`;
    const ref = db.transaction(() => writer.putText(spaced, 1, false))();
    expect(typeof ref).toBe('number');
    expect(reader.textOf(ref)).toBe(spaced);
  });

  it('compresses large texts and reads them back', () => {
    const db = database();
    const writer = new ContentWriter(db);
    const reader = new ContentReader(db);
    const big = 'a long tool result line\n'.repeat(500);
    const id = db.transaction(() => writer.put(big, 1, true))();
    const row = db.prepare('SELECT encoding, length(data) AS size FROM contents WHERE id = ?').get(id) as { encoding: number; size: number };
    expect(row.encoding).toBe(1);
    expect(row.size).toBeLessThan(big.length / 10);
    expect(reader.text(id)).toBe(big);
  });

  it('deletes a content only when no run refers to it any more', () => {
    const db = database();
    const writer = new ContentWriter(db);
    const id = db.transaction(() => (writer.put('shared', 1, true), writer.put('shared', 2, true)))();
    db.prepare('DELETE FROM content_refs WHERE run_id = 1').run();
    expect(writer.deleteUnused([id])).toBe(0);
    db.prepare('DELETE FROM content_refs WHERE run_id = 2').run();
    expect(writer.deleteUnused([id])).toBe(1);
    expect(db.prepare("SELECT rowid FROM content_fts WHERE content_fts MATCH 'shared'").all()).toEqual([]);
  });

  it('indexes the words of a message, not its JSON keys', () => {
    expect(searchableText(JSON.stringify({ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }))).toBe('user\ntext\nWeather in Paris?');
    expect(searchableText('plain text')).toBe('plain text');
  });

  it('reads the texts of JSON by scanning exactly as by parsing, and leaves what it cannot to JSON.parse', () => {
    const parsedLeaves = (text: string) => searchableText(text, JSON.parse(text));
    const scanned = [
      '{"role":"user","parts":[{"type":"text","content":"a \\"quoted\\" \\u00e9 line\\n"}],"n":-12,"ok":true,"no":false,"x":null}',
      '[[],{},[1,[2,{"a":{"b":"c"}}]],"",0,-0]',
      '{"a":{"a":{"a":"deep"}},"b":[true]}',
    ];
    for (const text of scanned) expect(scanLeafTexts(text)).toBe(parsedLeaves(text));
    // Duplicate or digit-led keys (ordered otherwise by JSON.parse), fractions, whitespace, invalid JSON.
    for (const text of ['{"a":1,"a":2}', '{"b":1,"1":2}', '[1.5]', '[1e3]', '[1, 2]', '{"a" "b"}', '[1,]', '{"a":1}x', '["a\\q"]', '[01]']) {
      expect(scanLeafTexts(text)).toBeNull();
    }
    expect(searchableText('{"b":"x","1":"y","b":"z"}')).toBe('y\nz');
    expect(searchableText('[1, 2.50]')).toBe('1\n2.5');
    expect(searchableText('{"a" "b"}')).toBe('{"a" "b"}');
  });

  it('splits a compact JSON array at its top-level commas only', () => {
    const text = JSON.stringify([{ a: 'x,"y"]\\' }, [1, [2, 3]], 'q\\"', null]);
    expect(splitJsonArray(text)).toEqual(['{"a":"x,\\"y\\"]\\\\"}', '[1,[2,3]]', '"q\\\\\\""', 'null']);
    expect(splitJsonArray(text)!.join(',')).toBe(text.slice(1, -1));
    expect(splitJsonArray('[1, 2]')).toBeNull();
    expect(splitJsonArray('[]')).toBeNull();
    expect(splitJsonArray('[1,[2]')).toBeNull();
    expect(splitJsonArray('["open]')).toBeNull();
    // From a known prefix's comma on: the elements after it.
    expect(splitJsonArray(text, text.indexOf(',[1,'))).toEqual(['[1,[2,3]]', '"q\\\\\\""', 'null']);
    expect(splitJsonArray('[1,]', 2)).toBeNull();
  });

  it('matches a conversation resent longer in the same slot by its prefix, and reads each version back', () => {
    const db = database();
    const writer = new ContentWriter(db);
    const reader = new ContentReader(db);
    const conversation: unknown[] = [SYSTEM];
    const sent: { value: unknown[]; ref: ReturnType<ContentWriter['putValue']> }[] = [];
    db.transaction(() => {
      writer.beginTransaction();
      for (let i = 0; i < 4; i++) {
        conversation.push({ role: 'user', parts: [{ type: 'text', content: `question ${i}` }] });
        const value = structuredClone(conversation);
        sent.push({ value, ref: writer.putValue(value, 1, true, 'in') });
      }
      // Same length, an earlier message changed: no prefix match, stored as it is.
      const edited = structuredClone(conversation);
      (edited[1] as { parts: { content: string }[] }).parts[0]!.content = 'edited';
      sent.push({ value: edited, ref: writer.putValue(edited, 1, true, 'in') });
    })();
    for (const { value, ref } of sent) expect(reader.textOf(ref)).toBe(JSON.stringify(value));
    // The system prompt, four questions and the edited one.
    expect((db.prepare('SELECT count(*) AS n FROM contents').get() as { n: number }).n).toBe(6);
    expect((db.prepare('SELECT count(*) AS n FROM content_refs').get() as { n: number }).n).toBe(6);
  });

  it('turns free text into an FTS5 query of quoted word prefixes', () => {
    expect(ftsQuery('roaming "Lisbon" OR (')).toBe('"roaming"* "Lisbon"* "OR"*');
    expect(ftsQuery('  ()" ')).toBeNull();
  });
});
