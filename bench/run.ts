// `npm run bench`: every section in one run, a table on stdout and the same figures in
// bench/results.json. Flags: --quick (smoke run, under ~2 minutes once the small database is
// cached), --only ingest,queries,storage,viewer,sdk, --spans N (size of the query database),
// --seconds N (ingest phase length), --profile DIR (collectors write CPU profiles there).
// Progress goes to stderr.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ingestSection } from './ingest.ts';
import { benchConfig, type Bench } from './lib/bench.ts';
import { profileCollectorsInto } from './lib/collector.ts';
import { round } from './lib/stats.ts';
import { queriesSection } from './queries.ts';
import { sdkSection } from './sdk.ts';
import { storageSection } from './storage.ts';
import { viewerSection } from './viewer.ts';

const SECTIONS = { ingest: ingestSection, queries: queriesSection, storage: storageSection, viewer: viewerSection, sdk: sdkSection } as const;
type SectionName = keyof typeof SECTIONS;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    spans: { type: 'string' },
    seconds: { type: 'string' },
    profile: { type: 'string' },
    out: { type: 'string', default: new URL('./results.json', import.meta.url).pathname },
  },
});
const only = (values.only?.split(',').map((s) => s.trim()).filter(Boolean) ?? Object.keys(SECTIONS)) as SectionName[];
for (const name of only) if (!(name in SECTIONS)) throw new Error(`unknown section "${name}" (sections: ${Object.keys(SECTIONS).join(', ')})`);

if (values.profile) profileCollectorsInto(values.profile);
const tmp = mkdtempSync(join(tmpdir(), 'runlens-bench-'));
const bench: Bench = {
  ...benchConfig(values.quick, {
    ...(values.spans !== undefined && { spans: Number(values.spans) }),
    ...(values.seconds !== undefined && { seconds: Number(values.seconds) }),
  }),
  tmp,
  log: (line) => process.stderr.write(`${line}\n`),
};

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGb: round(totalmem() / 2 ** 30, 1),
  freeMemoryGb: round(freemem() / 2 ** 30, 1),
  loadAverageAtStart: loadavg().map((v) => round(v, 2)),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
};
bench.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`);
bench.log(`mode: ${bench.quick ? 'quick' : 'full'}; sections: ${only.join(', ')}; query database: ${bench.queries.spans} spans`);

const results: Record<string, unknown> = { date: new Date().toISOString(), mode: bench.quick ? 'quick' : 'full', machine };
const began = performance.now();
let failed = false;
for (const name of only) {
  const t = performance.now();
  try {
    results[name] = await SECTIONS[name](bench);
  } catch (error) {
    failed = true;
    results[name] = { error: (error as Error).stack ?? String(error) };
    bench.log(`${name} failed: ${(error as Error).stack}`);
  }
  bench.log(`${name}: ${((performance.now() - t) / 1000).toFixed(0)} s`);
  // Written after every section, so an interrupted run keeps what it measured.
  writeFileSync(values.out, `${JSON.stringify(results, null, 2)}\n`);
}
results.seconds = round((performance.now() - began) / 1000, 0);
(results.machine as Record<string, unknown>).loadAverageAtEnd = loadavg().map((v) => round(v, 2));
writeFileSync(values.out, `${JSON.stringify(results, null, 2)}\n`);
rmSync(tmp, { recursive: true, force: true });
process.stdout.write(table(results));
process.stdout.write(`\nwrote ${values.out}\n`);
process.exitCode = failed ? 1 : 0;

// ---- the table -----------------------------------------------------------------------------------

type Row = [section: string, measure: string, value: string, target: string, verdict: string];

function table(r: Record<string, any>): string {
  const rows: Row[] = [];
  const verdict = (ok: boolean | null | undefined) => (ok === null || ok === undefined ? '' : ok ? 'met' : 'MISSED');
  const n = (v: number | undefined, unit = '') => (v === undefined || Number.isNaN(v) ? '—' : `${v.toLocaleString('en')}${unit}`);
  const m = r.machine;
  rows.push(['machine', `${m.cpu}`, `${m.cores} cores, ${m.memoryGb} GB, node ${m.node}`, '', '']);
  rows.push(['', 'load average', `${m.loadAverageAtStart.join(' ')} → ${m.loadAverageAtEnd.join(' ')}`, '', '']);
  const i = r.ingest;
  if (i?.error) rows.push(['ingest', 'error', String(i.error).split('\n')[0]!, '', '']);
  else if (i) {
    rows.push(['ingest', 'workload', `${i.workload.spansPerRun} spans/run, ${i.workload.spansPerRequest} spans/request, ${i.workload.jsonBytesPerSpan} B/span JSON, ${i.workload.protobufBytesPerSpan} B/span protobuf; ${i.workload.senders} senders`, '', '']);
    rows.push(['', 'ceiling, empty db', n(i.ceilingEmpty.spansPerSecond, ' spans/s'), '', '']);
    rows.push(['', 'store writer alone (diagnostic)', n(i.ceilingEmpty.writerAloneSpansPerSecond, ' spans/s'), '', '']);
    for (const [key, label] of [['jsonEmpty', 'JSON, empty db'], ['protobufEmpty', 'protobuf, empty db'], ['protobufSeeded', `protobuf, ${n(i.protobufSeeded?.storedSpans)} stored`]] as const) {
      const p = i[key];
      if (!p) continue;
      if (key === 'protobufSeeded') rows.push(['', `ceiling, ${n(i.ceilingSeeded.storedSpans)} stored`, n(i.ceilingSeeded.spansPerSecond, ' spans/s'), '', '']);
      rows.push(['', `${label}: committed`, `${n(p.saturated.spansPerSecond, ' spans/s')} (${n(p.saturated.committedSpans)} committed / ${n(p.saturated.ackedSpans)} acked)`, key === 'protobufSeeded' ? '≥ 25,000' : '', key === 'protobufSeeded' ? verdict(p.saturated.spansPerSecond >= 25_000) : '']);
      rows.push(['', `${label}: ingest / ceiling`, `${p.ratioToCeiling}`, '≥ 0.5', verdict(p.ratioToCeiling >= 0.5)]);
      // Latencies are the exporters': a refused export counts until its retry after Retry-After is answered.
      const refused = (statuses: Record<string, number>) => statuses['503'] ?? 0;
      const cpu = p.saturated.cpuMicrosPerSpan;
      if (cpu) rows.push(['', `${label}: collector CPU per span`, `${cpu.total} µs: main thread ${cpu.main}, writer ${cpu.writer}, GC helpers and other threads ${cpu.other}`, '', '']);
      rows.push(['', `${label}: latency at saturation`, `p50 ${n(p.saturated.p50Ms, ' ms')}, p99 ${n(p.saturated.p99Ms, ' ms')}; ${n(refused(p.saturated.statuses))} × 503 retried`, '', '']);
      rows.push(['', `${label}: latency at ${(bench.ingest.latencyFraction * 100).toFixed(0)}% load`, `p50 ${n(p.belowSaturation.p50Ms, ' ms')}, p99 ${n(p.belowSaturation.p99Ms, ' ms')} (${n(p.belowSaturation.spansPerSecond, ' spans/s')}); ${n(refused(p.belowSaturation.statuses))} × 503 retried, ${n(p.belowSaturation.waited)} waited; senders' own event-loop delay p99 ${n(p.belowSaturation.senderDelayP99Ms, ' ms')}, max ${n(p.belowSaturation.senderDelayMaxMs, ' ms')}`, 'p99 < 250 ms', verdict(p.belowSaturation.p99Ms < 250)]);
      rows.push(['', `${label}: collector peak RSS`, n(Math.max(p.saturated.peakRssMb, p.belowSaturation.peakRssMb), ' MB'), '', '']);
    }
    const o = i.overload;
    if (o) {
      rows.push(['', `overload: ${o.senders} senders`, `${n(o.status503)} × 503 (${n(o.status503WithRetryAfter)} with Retry-After), ${n(o.acked)} × 200, ${n(o.statuses['-1'] ?? 0)} sender timeouts; ${n(o.spansPerSecond, ' spans/s')} stored`, '503 + Retry-After', verdict(o.status503 > 0 && o.status503WithoutRetryAfter === 0)]);
      rows.push(['', 'overload: peak RSS', n(o.peakRssMb, ' MB'), '< 300 MB', verdict(o.peakRssMb < 300)]);
      rows.push(['', 'overload: acknowledged spans lost', `${n(o.lostAckedSpans)} (${n(o.committedSpans)} stored / ${n(o.ackedSpans)} acked; ${o.sampledAckedTracesMissing}/${o.sampledAckedTraces} sampled traces missing)`, '0', verdict(o.lostAckedSpans === 0 && o.sampledAckedTracesMissing === 0)]);
    }
  }
  const q = r.queries;
  if (q?.error) rows.push(['queries', 'error', String(q.error).split('\n')[0]!, '', '']);
  else if (q) {
    rows.push(['queries', 'database', `${n(q.database.spans)} spans, ${n(q.database.runs)} runs, ${q.database.days} days`, '', '']);
    for (const query of q.queries) {
      rows.push(['', query.name, `median ${query.medianMs} ms, p95 ${query.p95Ms} ms (server ${query.serverMedianMs} / ${query.serverP95Ms} ms)`, query.targetMs === null ? '' : `< ${query.targetMs} ms`, verdict(query.met)]);
    }
  }
  const s = r.storage;
  if (s?.error) rows.push(['storage', 'error', String(s.error).split('\n')[0]!, '', '']);
  else if (s) {
    rows.push(['storage', 'bytes on disk per span', `${n(s.bytesPerSpan)} B (raw OTLP/JSON ${n(s.rawJsonBytesPerSpan)} B)`, '', '']);
    rows.push(['', 'share of raw OTLP/JSON', `${round(s.shareOfRawJson * 100)}% (of protobuf: ${round(s.shareOfRawProtobuf * 100)}%)`, '≤ 40%', verdict(s.shareOfRawJson <= 0.4)]);
  }
  const v = r.viewer;
  if (v?.error) rows.push(['viewer', 'error', String(v.error).split('\n')[0]!, '', '']);
  else if (v && !v.measured) rows.push(['viewer', 'not measured', v.reason, '', '']);
  else if (v) {
    rows.push(['viewer', `${n(v.spans)}-span trace interactive`, `${n(v.interactiveMs, ' ms')} (rows drawn ${n(v.firstRowsDrawnMs, ' ms')})`, '< 1,500 ms', verdict(v.interactiveMs < 1500)]);
    rows.push(['', 'waterfall scroll frame time', `median ${v.scroll.medianFrameMs} ms, p95 ${v.scroll.p95FrameMs} ms, ${v.scroll.framesOver20Ms}/${v.scroll.frames} frames > 20 ms`, '60 fps (≤ 16.7 ms)', verdict(v.scroll.p95FrameMs <= 17.5)]);
    rows.push(['', 'scroll: renderer main thread per frame', `CPU median ${v.scroll.mainThreadCpuMedianMs} ms, p95 ${v.scroll.mainThreadCpuP95Ms} ms (busy p95 ${v.scroll.mainThreadBusyP95Ms} ms); all Chromium threads ${v.scroll.allThreadsCpuPerFrameMs} ms`, '< 16.7 ms', verdict(v.scroll.mainThreadCpuP95Ms < 16.7)]);
  }
  const k = r.sdk;
  if (k?.error) rows.push(['sdk', 'error', String(k.error).split('\n')[0]!, '', '']);
  else if (k && !k.measured) rows.push(['sdk', 'not measured', k.reason, '', '']);
  else if (k) {
    rows.push(['sdk', 'overhead per span vs bare OTel', `${round(k.overheadPerSpanUs)} µs (SDK ${round(k.perSpanUs)} µs/span, bare ${round(k.bareOtelPerSpanUs)} µs/span)`, '< 50 µs', verdict(k.overheadPerSpanUs < 50)]);
    rows.push(['', 'per instrumented run', `${round(k.perRunUs)} µs (bare ${round(k.bareOtelPerRunUs)} µs; ${k.spansPerRun} spans)`, '', '']);
  }
  const widths = [0, 1, 2, 3, 4].map((c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: Row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  return `\n${rows.map(line).join('\n')}\n`;
}
