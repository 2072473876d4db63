// Text shown for numbers, times and money. Every page formats through here so a run reads the same
// in the table, the trace summary and the chart legends.

/** 850 ms, 1.24 s, 2m 05s, 1h 03m. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    const m = Math.floor(totalSeconds / 60);
    return `${m}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/** A bucket size: "1 min", "15 min", "1 h", "1 d". */
export function formatStep(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return formatDuration(ms);
}

/** 950, 12.3k, 4.1M. */
export function formatCount(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs < 1000) return Number.isInteger(n) ? String(n) : n.toFixed(1);
  if (abs < 1_000_000) return `${trimZero((n / 1000).toFixed(abs < 10_000 ? 2 : 1))}k`;
  return `${trimZero((n / 1_000_000).toFixed(abs < 10_000_000 ? 2 : 1))}M`;
}

/**
 * Dollars with enough digits to tell cheap calls apart ($0.0042). A null cost means the model has
 * no known price: say so instead of showing $0, which would read as "free".
 */
export function formatCost(usd: number | null | undefined): string {
  if (usd === undefined) return '—';
  if (usd === null || !Number.isFinite(usd)) return 'unknown price';
  if (usd === 0) return '$0';
  const abs = Math.abs(usd);
  if (abs >= 100) return `$${usd.toFixed(0)}`;
  if (abs >= 1) return `$${usd.toFixed(2)}`;
  if (abs >= 0.01) return `$${usd.toFixed(3)}`;
  if (abs >= 0.0001) return `$${usd.toFixed(4)}`;
  return `$${usd.toPrecision(2)}`;
}

/** 0.934 → "93.4%". */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio == null || !Number.isFinite(ratio)) return '—';
  const pct = ratio * 100;
  if (pct === 0 || pct === 100) return `${pct}%`;
  return `${pct.toFixed(pct < 10 ? 2 : 1)}%`;
}

/** Tokens in and out: "1.2k → 350". */
export function formatTokens(input: number | null | undefined, output: number | null | undefined): string {
  if (input == null && output == null) return '—';
  return `${formatCount(input ?? 0)} → ${formatCount(output ?? 0)}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Local time; the date is left out for today so the table stays narrow. */
export function formatTimestamp(ms: number, now: number = Date.now()): string {
  const d = new Date(ms);
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  const today = new Date(now);
  if (d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate()) {
    return time;
  }
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${time}`;
}

/** "3 min ago", "2 h ago", for the tooltip next to an absolute time. */
export function formatAgo(ms: number, now: number = Date.now()): string {
  const seconds = Math.round((now - ms) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** Value of an `<input type="datetime-local">` for epoch ms, in local time. */
export function toDatetimeLocal(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** Epoch ms from an `<input type="datetime-local">` value, or null when empty or invalid. */
export function fromDatetimeLocal(value: string): number | null {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}

/** A short id for display: the first 8 hex characters are enough to tell traces apart by eye. */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** Human label for a run outcome. */
export function outcomeLabel(outcome: string): string {
  return outcome === 'budget_exceeded' ? 'budget exceeded' : outcome;
}

function trimZero(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
