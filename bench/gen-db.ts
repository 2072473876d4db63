// Generates (or finds cached) the benchmark databases without running the benchmarks:
//   node --import tsx bench/gen-db.ts [--spans 5000000] [--snapshot 2000000]
import { parseArgs } from 'node:util';
import { ensureDatabase } from './lib/dbgen.ts';

const { values } = parseArgs({ options: { spans: { type: 'string', default: '5000000' }, snapshot: { type: 'string', multiple: true, default: ['2000000'] } } });
const { path, meta, generated } = await ensureDatabase({
  spans: Number(values.spans),
  snapshots: values.snapshot.map(Number),
  log: (line) => console.error(line),
});
console.log(`${generated ? 'generated' : 'cached'}: ${path} (${meta.spans} spans, ${meta.runs} runs)`);
