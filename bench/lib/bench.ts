// What every section gets: the sizes and durations of this run (full or --quick), a scratch
// directory, and a logger (progress goes to stderr; the table and JSON are the results).
export interface Bench {
  quick: boolean;
  tmp: string;
  log: (line: string) => void;
  ingest: {
    poolRuns: number;
    senders: number;
    seconds: number;
    latencySeconds: number;
    /** Paced phase at this fraction of the saturated rate. */
    latencyFraction: number;
    ceilingSpans: number;
    reps: number;
    seedSpans: number;
    overloadSenders: number;
    overloadSeconds: number;
  };
  queries: { spans: number; reps: number };
  storage: { runs: number };
  viewer: { spans: number; reps: number; scrollFrames: number };
}

export function benchConfig(quick: boolean, overrides: { spans?: number; seconds?: number }): Omit<Bench, 'tmp' | 'log'> {
  const config: Omit<Bench, 'tmp' | 'log'> = quick
    ? {
        quick,
        ingest: { poolRuns: 120, senders: 4, seconds: 4, latencySeconds: 3, latencyFraction: 0.6, ceilingSpans: 8_000, reps: 2, seedSpans: 60_000, overloadSenders: 128, overloadSeconds: 4 },
        queries: { spans: 150_000, reps: 5 },
        storage: { runs: 200 },
        viewer: { spans: 10_000, reps: 1, scrollFrames: 90 },
      }
    : {
        quick,
        ingest: { poolRuns: 1500, senders: 8, seconds: 30, latencySeconds: 30, latencyFraction: 0.6, ceilingSpans: 100_000, reps: 3, seedSpans: 2_000_000, overloadSenders: 256, overloadSeconds: 20 },
        queries: { spans: 5_000_000, reps: 30 },
        storage: { runs: 3000 },
        viewer: { spans: 10_000, reps: 3, scrollFrames: 240 },
      };
  if (overrides.spans !== undefined) config.queries.spans = overrides.spans;
  if (overrides.seconds !== undefined) config.ingest.seconds = overrides.seconds;
  return config;
}
