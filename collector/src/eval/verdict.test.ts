import { describe, expect, it } from 'vitest';
import { fromEvaluationEventAttributes, toEvaluationEventAttributes } from './events.ts';
import { toJUnitXml } from './junit.ts';
import type { AttackKind, CheckResult, Severity, Suite } from './types.ts';
import { evaluateGate } from './verdict.ts';
import type { CaseResult, ExperimentResults } from './verdict.ts';

function checkResult(passed: boolean, severity: Severity = 'major', fields: Partial<CheckResult> = {}): CheckResult {
  return {
    name: 'contains "ok"',
    type: 'contains',
    passed,
    score: passed ? 1 : 0,
    label: passed ? 'pass' : 'fail',
    explanation: passed ? 'output contains "ok"' : 'output does not contain "ok"',
    severity,
    spanId: null,
    ...fields,
  };
}

/** A case whose trials pass or fail as listed (one check each). */
function caseOf(
  caseId: string,
  trials: boolean | boolean[],
  options: { suite?: Suite; severity?: Severity; attack?: AttackKind; checks?: CheckResult[] } = {},
): CaseResult {
  const outcomes = Array.isArray(trials) ? trials : [trials];
  const severity = options.severity ?? 'major';
  return {
    caseId,
    suite: options.suite ?? (options.attack ? 'adversarial' : 'golden'),
    severity,
    attack: options.attack ?? null,
    trials: outcomes.map((passed, index) => ({
      trial: index + 1,
      traceId: `trace-${caseId}-${index + 1}`,
      checks: options.checks ?? [checkResult(passed, severity)],
    })),
  };
}

function goldenRun(name: string, failing: string[], total = 12): ExperimentResults {
  return { name, cases: Array.from({ length: total }, (_, i) => caseOf(`g${i + 1}`, !failing.includes(`g${i + 1}`))) };
}

describe('evaluateGate', () => {
  it('passes (exit 0) when nothing fails critically and nothing regressed', () => {
    const report = evaluateGate(goldenRun('v2', ['g3']), goldenRun('v1', ['g3', 'g4']));
    expect(report).toMatchObject({ verdict: 'pass', exitCode: 0, cases: 12, passed: 11, failed: 1, regressions: [], improvements: ['g4'] });
    expect(report.passRate).toBeCloseTo(11 / 12, 12);
    expect(report.suites.golden).toEqual({ cases: 12, passed: 11, passRate: 11 / 12 });
  });

  it('passes without a baseline when no critical check fails', () => {
    expect(evaluateGate(goldenRun('v2', ['g1', 'g2']), null)).toMatchObject({ verdict: 'pass', exitCode: 0, baseline: null, mcnemar: null });
  });

  it('reports a regression (exit 1) when the paired exact test is significant', () => {
    // Six cases went from pass to fail, none the other way: one-sided p = (½)⁶ = 0.015625.
    const report = evaluateGate(goldenRun('v2', ['g1', 'g2', 'g3', 'g4', 'g5', 'g6']), goldenRun('v1', []));
    expect(report).toMatchObject({ verdict: 'regression', exitCode: 1, regressions: ['g1', 'g2', 'g3', 'g4', 'g5', 'g6'] });
    expect(report.mcnemar).toMatchObject({ b: 6, c: 0 });
    expect(report.mcnemar!.pValue).toBeCloseTo(1 / 64, 14);
    expect(report.reasons[0]).toBe('6 golden case(s) newly fail and 0 newly pass (McNemar exact, one-sided p = 0.0156)');
  });

  it('calls a drop it cannot tell from noise inconclusive (exit 3), not a pass', () => {
    // Three newly failing, one newly passing: P(X ≥ 3 | n = 4, ½) = 5/16.
    const report = evaluateGate(goldenRun('v2', ['g1', 'g2', 'g3']), goldenRun('v1', ['g12']));
    expect(report).toMatchObject({ verdict: 'inconclusive', exitCode: 3, regressions: ['g1', 'g2', 'g3'], improvements: ['g12'] });
    expect(report.mcnemar!.pValue).toBeCloseTo(5 / 16, 14);
    expect(report.reasons[0]).toMatch(/a drop the test cannot tell from noise at 0.05$/);
  });

  it('judges a case by all its trials: passing two of three is failing', () => {
    const current: ExperimentResults = { name: 'v2', cases: [caseOf('flaky', [true, false, true]), caseOf('steady', [true, true, true])] };
    const report = evaluateGate(current, null);
    expect(report).toMatchObject({ passed: 1, failed: 1 });
    expect(report.results.map((result) => result.passed)).toEqual([false, true]);
  });

  it('blocks on a failed critical check (exit 2), even over a regression', () => {
    const current = goldenRun('v2', ['g1', 'g2', 'g3', 'g4', 'g5', 'g6']);
    current.cases.push(caseOf('must-escalate', false, { severity: 'critical' }));
    const report = evaluateGate(current, goldenRun('v1', []));
    expect(report).toMatchObject({ verdict: 'critical', exitCode: 2, critical: { failed: 1, cases: ['must-escalate'] } });
    expect(report.reasons).toEqual([
      '1 critical check(s) failed in 1 case(s): must-escalate',
      '6 golden case(s) newly fail and 0 newly pass (McNemar exact, one-sided p = 0.0156)',
    ]);
  });

  it('blocks on any successful attack against a critical case', () => {
    const current: ExperimentResults = {
      name: 'v2',
      cases: [
        caseOf('inj-1', false, { attack: 'indirect_injection', severity: 'critical', checks: [checkResult(false, 'major')] }),
        caseOf('inj-2', true, { attack: 'direct_injection', severity: 'critical' }),
        caseOf('benign', true, { suite: 'adversarial' }),
      ],
    };
    const report = evaluateGate(current, null);
    expect(report).toMatchObject({ verdict: 'critical', exitCode: 2, attackSuccessRate: 0.5 });
    expect(report.reasons).toContain('attack success rate of critical cases is 50%, above the allowed 0%');
    expect(report.results.map((result) => result.attackSucceeded)).toEqual([true, false, null]);
    expect(report.suites.adversarial).toEqual({ cases: 3, passed: 2, passRate: 2 / 3 });
  });

  it('lets non-critical attack success through up to the allowed maximum, and not beyond', () => {
    const current: ExperimentResults = {
      name: 'v2',
      cases: [caseOf('se-1', false, { attack: 'social_engineering' }), caseOf('se-2', true, { attack: 'social_engineering' }), caseOf('se-3', true, { attack: 'jailbreak' }), caseOf('se-4', true, { attack: 'jailbreak' })],
    };
    expect(evaluateGate(current, null)).toMatchObject({ verdict: 'pass', attackSuccessRate: 0.25 });
    const strict = evaluateGate(current, null, { maxAttackSuccessRate: { major: 0.2 } });
    expect(strict).toMatchObject({ verdict: 'critical', exitCode: 2 });
    expect(strict.reasons).toEqual(['attack success rate of major cases is 25%, above the allowed 20%']);
  });

  it("blocks when more attacks succeed than in the baseline on the cases both ran", () => {
    const attacks = (succeeding: string[]): ExperimentResults => ({
      name: succeeding.length === 1 ? 'v1' : 'v2',
      cases: ['a1', 'a2', 'a3', 'a4'].map((id) => caseOf(id, !succeeding.includes(id), { attack: 'data_exfiltration' })),
    });
    const report = evaluateGate(attacks(['a1', 'a2']), attacks(['a1']));
    expect(report).toMatchObject({ verdict: 'critical', exitCode: 2, attackSuccessRate: 0.5, baselineAttackSuccessRate: 0.25 });
    expect(report.reasons[0]).toBe('attack success rate rose from 25% to 50% on the 4 attack case(s) the baseline also ran');
    // An attack case does not count in the golden pairing.
    expect(report.reasons.some((reason) => reason.includes('no golden case in common'))).toBe(true);
  });

  it('treats checks that could not run as inconclusive, not as passed or as attacks', () => {
    const errored = checkResult(false, 'critical', { label: 'error', explanation: 'check could not run: boom' });
    const current: ExperimentResults = { name: 'v2', cases: [caseOf('x', false, { attack: 'jailbreak', severity: 'critical', checks: [errored] })] };
    const report = evaluateGate(current, null);
    expect(report).toMatchObject({ verdict: 'inconclusive', exitCode: 3, errors: 1, passed: 0, critical: { failed: 0 }, attackSuccessRate: 0 });
    expect(report.reasons).toEqual(['1 check(s) could not run; their cases are not judged']);
  });

  it('is inconclusive when the baseline shares no golden case', () => {
    const report = evaluateGate(goldenRun('v2', []), { name: 'old', cases: [caseOf('other', true)] });
    expect(report).toMatchObject({ verdict: 'inconclusive', exitCode: 3 });
    expect(report.reasons).toEqual(['no golden case in common with baseline "old", so nothing can be compared pair by pair']);
  });

  it('reports configuration errors with exit 3', () => {
    const report = evaluateGate(goldenRun('v2', []), null, { configurationErrors: ['no stored experiment named "v0"'] });
    expect(report).toMatchObject({ verdict: 'error', exitCode: 3, reasons: ['no stored experiment named "v0"'] });
    expect(evaluateGate({ name: 'empty', cases: [] }, null)).toMatchObject({ verdict: 'error', exitCode: 3 });
  });

  it('pairs cases by dataset and id, so equal ids in two files stay apart', () => {
    const withDataset = (dataset: string, passed: boolean): CaseResult => ({ ...caseOf('1', passed), dataset });
    const report = evaluateGate(
      { name: 'v2', cases: [withDataset('golden', true), withDataset('refunds', false)] },
      { name: 'v1', cases: [withDataset('golden', true), withDataset('refunds', true)] },
    );
    expect(report.regressions).toEqual(['refunds/1']);
  });
});

// A small XML reader for the test: elements, attributes, text, the five entities and numeric
// references. It throws on anything malformed (unbalanced tags, bare '&' or '<').
interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

function decode(text: string): string {
  if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(text)) throw new Error(`bare & in ${text}`);
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, entity: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (entity in named) return named[entity]!;
    return String.fromCodePoint(entity[1] === 'x' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
  });
}

function parseXml(xml: string): XmlElement {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  const token = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = token.exec(body)) !== null) {
    consumed = token.lastIndex;
    const [, closing, name, attrs, selfClosing, text] = match;
    const top = stack[stack.length - 1]!;
    if (text !== undefined) {
      if (text.includes('>')) throw new Error('bare > in text');
      top.text += decode(text);
    } else if (closing) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      const element: XmlElement = { name: name!, attributes: {}, children: [], text: '' };
      for (const [, key, value] of attrs!.matchAll(/([\w.-]+)="([^"]*)"/g)) element.attributes[key!] = decode(value!);
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    }
  }
  if (consumed !== body.length || stack.length !== 1) throw new Error(`malformed XML at ${consumed}`);
  return root.children[0]!;
}

describe('toJUnitXml', () => {
  it('writes valid JUnit XML that reads back with the right counts and messages', () => {
    const tricky = 'a <script>&"quotes"\'s & more\u0001\nsecond line';
    const current: ExperimentResults = {
      name: 'prompt-v2 <beta>',
      cases: [
        caseOf('refund & "escalate"', [true, false], { checks: [checkResult(false, 'critical', { name: tricky, explanation: tricky })] }),
        caseOf('ok-case', true),
        caseOf('inj-1', false, { attack: 'indirect_injection', checks: [checkResult(false, 'major', { label: 'error', explanation: 'boom' })] }),
      ],
    };
    const report = evaluateGate(current, null);
    const xml = toJUnitXml(report);
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    expect(root.attributes).toMatchObject({ name: 'runlens eval prompt-v2 <beta>', tests: '5', failures: '3', errors: '1' });
    const suites = root.children.map((suite) => suite.attributes.name);
    expect(suites).toEqual(['prompt-v2 <beta> golden', 'prompt-v2 <beta> adversarial', 'prompt-v2 <beta> gate']);
    const golden = root.children[0]!;
    expect(golden.attributes).toMatchObject({ tests: '3', failures: '2', errors: '0' });
    const first = golden.children[0]!;
    expect(first.attributes.name).toBe('refund & "escalate" [trial 1]');
    const failure = first.children.find((child) => child.name === 'failure')!;
    // Everything escaped round-trips; the control character, which XML cannot hold, is dropped.
    expect(failure.attributes.message).toBe(`1 check(s) failed: ${tricky.replace('\u0001', '')}`);
    expect(failure.attributes.type).toBe('critical');
    expect(failure.text).toContain('second line');
    const adversarial = root.children[1]!.children[0]!;
    expect(adversarial.children.map((child) => child.name)).toEqual(['error', 'system-out']);
    const gate = root.children[2]!.children[0]!;
    expect(gate.children[0]).toMatchObject({ name: 'failure', attributes: { type: 'critical' } });
    expect(gate.children[0]!.text).toContain('verdict critical (exit 2)');
  });

  it('has a passing gate test when the verdict is pass', () => {
    const root = parseXml(toJUnitXml(evaluateGate(goldenRun('v2', []), null)));
    const gate = root.children.at(-1)!.children[0]!;
    expect(gate.children.map((child) => child.name)).toEqual(['system-out']);
    expect(root.attributes).toMatchObject({ tests: '13', failures: '0', errors: '0' });
  });
});

describe('evaluation events', () => {
  it('map a check result to the gen_ai.evaluation.result attributes and back', () => {
    const result = checkResult(false, 'critical', { name: 'no_tool_call delete_*', type: 'no_tool_call', explanation: '1 forbidden call(s)' });
    const attributes = toEvaluationEventAttributes(result);
    expect(attributes).toEqual({
      'gen_ai.evaluation.name': 'no_tool_call delete_*',
      'gen_ai.evaluation.score.value': 0,
      'gen_ai.evaluation.score.label': 'fail',
      'gen_ai.evaluation.explanation': '1 forbidden call(s)',
      'runlens.eval.check.type': 'no_tool_call',
      'runlens.eval.check.severity': 'critical',
    });
    expect(fromEvaluationEventAttributes(attributes)).toEqual({
      name: 'no_tool_call delete_*',
      score: 0,
      label: 'fail',
      explanation: '1 forbidden call(s)',
      type: 'no_tool_call',
      severity: 'critical',
    });
  });

  it("read another tool's event with only a name and a label", () => {
    expect(fromEvaluationEventAttributes({ 'gen_ai.evaluation.name': 'Relevance', 'gen_ai.evaluation.score.label': 'relevant' })).toEqual({
      name: 'Relevance',
      score: null,
      label: 'relevant',
      explanation: null,
      type: null,
      severity: null,
    });
    expect(fromEvaluationEventAttributes({ 'gen_ai.evaluation.score.value': 1 })).toBeNull();
  });
});
