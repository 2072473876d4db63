// The gate's report as text for a terminal or a CI log: a table of metrics, then the verdict
// with one line per regression saying which metric and by how much.
import type { GateMetric, GateReport } from '@runlens/schema';

function formatValue(m: GateMetric, value: number | null): string {
  if (value === null) return '—';
  if (m.unit === 'rate') return `${Number((value * 100).toFixed(1))}%`;
  if (m.unit === 'usd') return `$${Number(value.toFixed(4))}`;
  return value >= 10_000 ? `${Number((value / 1000).toFixed(1))} s` : `${Math.round(value)} ms`;
}

function formatChange(m: GateMetric): string {
  if (m.difference === null) return '—';
  if (m.unit === 'rate') return `${m.difference >= 0 ? '+' : '−'}${Number(Math.abs(m.difference * 100).toFixed(1))} pts`;
  if (m.relativeChange !== null) return `${m.relativeChange >= 0 ? '+' : '−'}${Number(Math.abs(m.relativeChange * 100).toFixed(1))}%`;
  return `${m.difference >= 0 ? '+' : '−'}${formatValue(m, Math.abs(m.difference))}`;
}

const VERDICT_WORD = { pass: 'pass', regression: 'REGRESSION', inconclusive: 'inconclusive', 'not-measured': 'not measured' } as const;

export function formatGateReport(report: GateReport): string {
  const rows = report.metrics.map((m) => [m.label, formatValue(m, m.baseline), formatValue(m, m.candidate), formatChange(m), VERDICT_WORD[m.verdict]]);
  const header = ['metric', report.baseline.selector, report.candidate.selector, 'change', 'verdict'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const hours = (report.to - report.from) / 3_600_000;
  const window = hours >= 1 ? `${Number(hours.toFixed(1))}h` : `${Math.round(hours * 60)}m`;
  const out = [
    `runlens gate: candidate ${report.candidate.selector} (${report.candidate.runs} runs) against baseline ${report.baseline.selector} (${report.baseline.runs} runs), finished runs of the last ${window}${report.service ? `, service ${report.service}` : ''}`,
    '',
    line(header),
    ...rows.map(line),
    '',
  ];
  for (const m of report.metrics) if (m.verdict === 'inconclusive' || m.verdict === 'regression') out.push(`  ${m.label}: ${m.reason}`);
  if (report.evaluations === 'none') out.push('  evaluation results: none for these versions (run `runlens eval` to add them)');
  out.push('');
  if (report.verdict === 'regression') {
    out.push(`REGRESSION (exit 1): the candidate is worse than the baseline`);
    for (const r of report.regressions) out.push(`  - ${r}`);
  } else if (report.verdict === 'inconclusive') {
    out.push(`INCONCLUSIVE (exit 3): ${report.baseline.runs < 1 || report.candidate.runs < 1 || report.metrics.some((m) => m.reason.includes('too few runs')) ? 'too few runs to tell' : 'a difference that could be noise'}; not a pass`);
  } else {
    out.push('PASS (exit 0): no metric is worse than the baseline beyond its tolerance');
  }
  return out.join('\n') + '\n';
}
