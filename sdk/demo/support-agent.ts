// `npm run demo`: a simulated support agent sending traces to a Runlens collector.
//
//   npm run demo                                  2 runs/s for 60 s to http://localhost:4318
//   npm run demo -- --rate 5 --duration 300
//   npm run demo -- --endpoint http://collector:4318
//   npm run demo -- --backfill 2000 --duration 86400   2000 runs spread over the past day, sent at once
import { parseArgs } from 'node:util';
import { RunlensClient } from '../src/client.ts';
import { RunlensConfigError } from '../src/errors.ts';
import { realClock, seededRandom, simulateSupportRun, VirtualClock, type DemoOutcome, type PromptVersion, type SupportRunResult } from './generator.ts';

interface DemoOptions {
  rate: number;
  duration: number;
  endpoint: string | undefined;
  backfill: number;
  seed: number;
}

const USAGE = `usage: npm run demo -- [--rate <runs/s>] [--duration <s>] [--endpoint <url>] [--backfill <runs>] [--seed <n>]`;

function parseOptions(argv: string[]): DemoOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      rate: { type: 'string', default: '2' },
      duration: { type: 'string', default: '60' },
      endpoint: { type: 'string' },
      backfill: { type: 'string', default: '0' },
      seed: { type: 'string', default: String(Date.now() % 100000) },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name: string, raw: string, min: number): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min) throw new RunlensConfigError(`--${name} must be a number >= ${min}, got '${raw}'\n${USAGE}`);
    return value;
  };
  return {
    rate: number('rate', values.rate, 0.01),
    duration: number('duration', values.duration, 1),
    endpoint: values.endpoint,
    backfill: Math.floor(number('backfill', values.backfill, 0)),
    seed: number('seed', values.seed, 0),
  };
}

class Summary {
  readonly #counts = new Map<PromptVersion, Map<DemoOutcome, number>>();
  readonly started = Date.now();

  add(result: SupportRunResult): void {
    const byOutcome = this.#counts.get(result.promptVersion) ?? new Map<DemoOutcome, number>();
    byOutcome.set(result.outcome, (byOutcome.get(result.outcome) ?? 0) + 1);
    this.#counts.set(result.promptVersion, byOutcome);
  }

  print(client: RunlensClient): void {
    const outcomes: DemoOutcome[] = ['success', 'failure', 'escalated', 'budget_exceeded'];
    console.log('\nprompt  runs  ' + outcomes.map((outcome) => outcome.padStart(16)).join('') + '   success rate');
    let total = 0;
    for (const version of ['v1', 'v2'] as const) {
      const byOutcome = this.#counts.get(version) ?? new Map<DemoOutcome, number>();
      const runs = [...byOutcome.values()].reduce((sum, count) => sum + count, 0);
      total += runs;
      const cells = outcomes.map((outcome) => String(byOutcome.get(outcome) ?? 0).padStart(16)).join('');
      const rate = runs ? `${(((byOutcome.get('success') ?? 0) / runs) * 100).toFixed(1)}%` : '-';
      console.log(`${version.padEnd(6)}  ${String(runs).padStart(4)}  ${cells}   ${rate.padStart(12)}`);
    }
    const stats = client.stats();
    console.log(`\n${total} runs in ${((Date.now() - this.started) / 1000).toFixed(1)} s; spans exported ${stats.exported}, failed ${stats.failed}, dropped ${stats.dropped}`);
    if (stats.failed + stats.dropped > 0) {
      console.log(`Some spans did not reach ${client.tracesUrl}: is the collector running? Start it with \`npm start\`.`);
    } else {
      console.log(`Open ${client.tracesUrl?.replace(/\/v1\/traces$/, '/')} to see the runs.`);
    }
  }
}

async function liveTraffic(options: DemoOptions, summary: Summary): Promise<RunlensClient> {
  const client = new RunlensClient({
    service: 'support-agent',
    endpoint: options.endpoint,
    versions: { app: '2.3.0', policy: 'p1' },
  });
  const random = seededRandom(options.seed);
  const total = Math.max(1, Math.round(options.rate * options.duration));
  console.log(`Sending ${total} support-agent runs (${options.rate}/s for ${options.duration} s) to ${client.tracesUrl}`);
  const pending: Promise<void>[] = [];
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    // Even arrival with jitter, so runs overlap as real conversations do.
    const due = started + (i + random()) * (1000 / options.rate);
    await realClock.sleep(Math.max(0, due - Date.now()));
    pending.push(simulateSupportRun(client, { random, clock: realClock }).then((result) => summary.add(result)));
    if ((i + 1) % Math.max(1, Math.round(options.rate * 10)) === 0) process.stdout.write(`  ${i + 1}/${total} runs started\n`);
  }
  await Promise.all(pending);
  return client;
}

async function backfill(options: DemoOptions, summary: Summary): Promise<RunlensClient> {
  const clock = new VirtualClock();
  const client = new RunlensClient({
    service: 'support-agent',
    endpoint: options.endpoint,
    versions: { app: '2.3.0', policy: 'p1' },
    clock,
    maxQueueSize: 8192,
  });
  const random = seededRandom(options.seed);
  const spanMs = options.duration * 1000;
  const start = Date.now() - spanMs;
  console.log(`Backfilling ${options.backfill} runs over the past ${options.duration} s to ${client.tracesUrl}`);
  for (let i = 0; i < options.backfill; i++) {
    clock.set(start + (i / options.backfill) * spanMs);
    summary.add(await simulateSupportRun(client, { random, clock }));
    // Flush in slices so the queue never fills.
    if ((i + 1) % 200 === 0) await client.forceFlush();
  }
  return client;
}

async function main(): Promise<void> {
  let options: DemoOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const summary = new Summary();
  const client = options.backfill > 0 ? await backfill(options, summary) : await liveTraffic(options, summary);
  await client.shutdown();
  summary.print(client);
}

await main();
