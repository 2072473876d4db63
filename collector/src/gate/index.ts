// The release gate: compare a candidate version's finished runs with a baseline's.
import { compareSides } from './compare.ts';
import { readSide, type ReadQuery } from './samples.ts';
import type { GateQuery, GateReport } from '@runlens/schema';

export type { GateMetric, GateMetricName, GateQuery, GateReport, GateThresholds, MetricVerdict, VersionKey, VersionSelector, VersionsSeen } from '@runlens/schema';
export { GATE_METRICS, VERSION_KEYS } from '@runlens/schema';
export type { ReadQuery, SideSamples } from './samples.ts';
export { readSide, readVersionsSeen } from './samples.ts';
export { DEFAULT_THRESHOLDS, EXIT_CODES, compareSides, describeRegression, selectorLabel } from './compare.ts';
export { formatGateReport } from './report.ts';
export { GateParamError, gateSearchParams, parseGateParams, parseSelector, parseSince, parseThresholds, THRESHOLD_PARAMS } from './params.ts';

/** Reads both sides and judges them. */
export function runGate(read: ReadQuery, query: GateQuery): GateReport {
  return compareSides(query, readSide(read, query, query.baseline), readSide(read, query, query.candidate));
}
