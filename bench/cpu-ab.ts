// A/B of collector variants by CPU per committed span (a diagnostic, not part of `npm run bench`).
// Each variant is a collector started like a user starts it, with its own environment (RUNLENS_*
// settings) and `node` flags; rounds alternate the variants so that a machine shared with others
// drifts across all of them alike. For each: spans/s stored by N saturating senders of the ingest
// workload (retrying a 503 after Retry-After), the collector's CPU µs per stored span by thread
// (bench/lib/collector.ts cpuPerSpan), the 503s and the peak RSS. CPU per span moves much less
// with the machine's load than spans/s does: compare medians over rounds.
//   node --import tsx bench/cpu-ab.ts --variants '{"base":{},"budget 6 MiB":{"env":{"RUNLENS_MAX_INGEST_BYTES_IN_FLIGHT":"6MiB"}},"semi 32":{"nodeArgs":["--max-semi-space-size=32"]}}' [--rounds 3] [--seconds 12] [--senders 8] [--encoding protobuf]
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeTempDir } from '../test/helpers/collector.ts';
import { health, measureStored, memoryOf, startCollector, type CollectorVariant } from './lib/collector.ts';
import { runLoad } from './lib/http.ts';
import { BodyTemplate, makePool, type Encoding } from './lib/workload.ts';

const { values: args } = parseArgs({
  options: {
    variants: { type: 'string', default: '{"base":{}}' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '12' },
    senders: { type: 'string', default: '8' },
    encoding: { type: 'string', default: 'protobuf' },
  },
});
const variants = JSON.parse(args.variants!) as Record<string, CollectorVariant>;
const encoding = args.encoding as Encoding;
const senders = Number(args.senders);
const pool = await makePool(600, { seed: 3 });
const templates = pool.requests.map((spans) => new BodyTemplate(spans, encoding));

for (let round = 0; round < Number(args.rounds); round++) {
  for (const [name, variant] of Object.entries(variants)) {
    const dir = makeTempDir('runlens-cpu-ab-');
    const collector = await startCollector(join(dir, 'ab.db'), [], variant);
    try {
      const pid = collector.process.pid!;
      // A short warm-up (JIT, caches), then the measured phase from a drained queue.
      await runLoad({ url: collector.url, templates, encoding, senders, durationMs: 2000, retryOn503: true });
      const { result: load, cpu } = await measureStored(collector, () =>
        runLoad({ url: collector.url, templates, encoding, senders, durationMs: Number(args.seconds) * 1000, retryOn503: true }),
      );
      const retryAfter = (await health(collector.url)).ingest?.retryAfterSeconds ?? '-';
      console.log(
        `${name.padEnd(16)} ${(load.spansOk / load.seconds).toFixed(0).padStart(6)} spans/s   CPU µs/span ${cpu.total} (main ${cpu.main}, writer ${cpu.writer}, other ${cpu.other})   ` +
          `503s ${load.statuses['503'] ?? 0}   timeouts ${load.statuses['-1'] ?? 0}   peak RSS ${memoryOf(pid).peakRssMb.toFixed(0)} MB   Retry-After now ${retryAfter} s`,
      );
    } finally {
      await collector.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
