// Where each span's bar sits on the trace's time axis, as fractions of the axis width, and the
// tick marks of that axis. Pure arithmetic so the waterfall component only sets styles.

export interface BarLayout {
  /** Offset from the axis start, 0..1. */
  left: number;
  /** Width, 0..1, never below `minWidth` so a 0 ms span stays visible. */
  width: number;
}

export function barLayout(start: number, durationMs: number, axisStart: number, axisEnd: number, minWidth = 0.002): BarLayout {
  const total = axisEnd - axisStart;
  if (!(total > 0)) return { left: 0, width: 1 };
  const left = clamp((start - axisStart) / total, 0, 1);
  const width = clamp(Math.max(durationMs, 0) / total, minWidth, 1);
  // Keep a minimum-width bar at the right edge inside the axis.
  return { left: Math.min(left, 1 - width), width };
}

export interface AxisTick {
  /** Milliseconds after the axis start. */
  offsetMs: number;
  /** Position, 0..1. */
  at: number;
}

/** Round-numbered ticks (1, 2 or 5 × 10ⁿ ms) so the axis reads 0, 200 ms, 400 ms… */
export function axisTicks(totalMs: number, maxTicks = 6): AxisTick[] {
  if (!(totalMs > 0)) return [{ offsetMs: 0, at: 0 }];
  const rough = totalMs / maxTicks;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const ticks: AxisTick[] = [];
  for (let offset = 0; offset <= totalMs + step * 1e-9; offset += step) {
    ticks.push({ offsetMs: offset, at: offset / totalMs });
  }
  return ticks;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
