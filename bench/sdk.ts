// Section 5: the SDK's overhead per instrumented run and per span against bare OpenTelemetry,
// measured by the SDK's own benchmark (sdk/bench/overhead.ts).
import type { Bench } from './lib/bench.ts';

export async function sdkSection(bench: Bench): Promise<Record<string, unknown>> {
  let measure: ((options?: { rounds?: number; runsPerRound?: number }) => Promise<object>) | undefined;
  try {
    ({ measureSdkOverhead: measure } = (await import('../sdk/bench/overhead.ts')) as { measureSdkOverhead: typeof measure });
  } catch (error) {
    return { measured: false, reason: `sdk/bench/overhead.ts not available: ${(error as Error).message}` };
  }
  bench.log('sdk: measureSdkOverhead()');
  const result = await measure!(bench.quick ? { rounds: 5 } : {});
  return { measured: true, ...result };
}
