// A mergeable latency histogram with log-spaced buckets, so dashboard percentiles come from
// rollup rows instead of raw runs. Bucket i holds latencies in (GROWTH^(i-1), GROWTH^i] ms;
// a percentile answers the bucket's geometric middle, within ±2% of the true value.

const GROWTH = 1.04;
const LOG_GROWTH = Math.log(GROWTH);
/** 1.04^600 ms is about 190 days: anything longer shares the last bucket. */
const MAX_BUCKET = 600;

/** Bucket index → count; counts are whole numbers of runs. */
export type LatencyHistogram = Map<number, number>;

export function latencyBucket(ms: number): number {
  if (!(ms > 1)) return 0;
  return Math.min(MAX_BUCKET, Math.ceil(Math.log(ms) / LOG_GROWTH));
}

/** The value a bucket stands for: the geometric middle of its bounds. */
export function bucketValue(bucket: number): number {
  return bucket === 0 ? 1 : GROWTH ** (bucket - 0.5);
}

export function addToHistogram(histogram: LatencyHistogram, bucket: number, count: number): void {
  const next = (histogram.get(bucket) ?? 0) + count;
  if (next === 0) histogram.delete(bucket);
  else histogram.set(bucket, next);
}

/** The value below which `fraction` (0..1) of the runs fall; null for an empty histogram. */
export function histogramPercentile(histogram: LatencyHistogram, fraction: number): number | null {
  let total = 0;
  for (const count of histogram.values()) total += count;
  if (total <= 0) return null;
  // Nearest-rank: the smallest bucket whose cumulative count reaches ceil(fraction × total).
  const rank = Math.max(1, Math.ceil(fraction * total));
  let seen = 0;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(bucket)!;
    if (seen >= rank) return bucketValue(bucket);
  }
  return null;
}

/**
 * A histogram as one compact BLOB (the hourly rollups keep one per row): 6 bytes per non-empty
 * bucket, ascending: bucket as uint16 then count as int32, big-endian. The migration that
 * backfills hourly rows writes the same layout from SQL (`printf('%04x%08x', …)` + `unhex`).
 */
const ENTRY_BYTES = 6;

export function encodeHistogram(histogram: LatencyHistogram): Buffer {
  const buckets = [...histogram.keys()].sort((a, b) => a - b);
  const blob = Buffer.allocUnsafe(buckets.length * ENTRY_BYTES);
  buckets.forEach((bucket, i) => {
    blob.writeUInt16BE(bucket, i * ENTRY_BYTES);
    blob.writeInt32BE(histogram.get(bucket)!, i * ENTRY_BYTES + 2);
  });
  return blob;
}

/** Adds an encoded histogram's counts into `into` (merging is adding counts). */
export function mergeEncodedHistogram(into: LatencyHistogram, blob: Uint8Array | null): LatencyHistogram {
  if (!blob) return into;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  for (let offset = 0; offset + ENTRY_BYTES <= blob.byteLength; offset += ENTRY_BYTES) {
    addToHistogram(into, view.getUint16(offset), view.getInt32(offset + 2));
  }
  return into;
}

/** The encoded histogram with an encoded delta's counts added (the writer's upsert calls this). */
export function mergeIntoEncodedHistogram(blob: Uint8Array | null, delta: Uint8Array): Buffer {
  return encodeHistogram(mergeEncodedHistogram(mergeEncodedHistogram(new Map(), blob), delta));
}
