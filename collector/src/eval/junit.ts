// JUnit XML for CI systems: one <testsuite> per suite (golden, adversarial) with one <testcase>
// per case and trial, plus a "gate" suite whose single test fails when the verdict is not pass,
// so CI shows why the build was blocked.

import type { EvalReport } from './verdict.ts';
import type { CheckResult } from './types.ts';

// XML 1.0 allows tab, newline, carriage return and the ranges below; anything else (other
// control characters, lone surrogates) cannot be escaped at all, so it is dropped.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text content and attribute values alike: every markup character becomes an entity. */
export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML_CHAR, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    // Newlines in attributes would be normalised to spaces by parsers; keep them as references.
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join('');
}

function checkLine(check: CheckResult): string {
  return `[${check.label}] ${check.name} (${check.type}, ${check.severity}): ${check.explanation}`;
}

interface Problem {
  message: string;
  type: string;
  body: string;
}

interface JUnitCase {
  name: string;
  classname: string;
  failure: Problem | null;
  error: Problem | null;
  output: string;
}

function element(test: JUnitCase): string {
  const parts = [`    <testcase${attributes({ name: test.name, classname: test.classname, time: 0 })}>`];
  for (const [tag, problem] of [['failure', test.failure], ['error', test.error]] as const) {
    if (problem) parts.push(`      <${tag}${attributes({ message: problem.message, type: problem.type })}>${escapeXml(problem.body)}</${tag}>`);
  }
  parts.push(`      <system-out>${escapeXml(test.output)}</system-out>`, '    </testcase>');
  return parts.join('\n');
}

// A test with both failed and errored checks counts once, as a failure.
const isFailure = (test: JUnitCase): boolean => test.failure !== null;
const isError = (test: JUnitCase): boolean => test.error !== null && test.failure === null;

function suiteElement(name: string, tests: JUnitCase[]): string {
  return [
    `  <testsuite${attributes({ name, tests: tests.length, failures: tests.filter(isFailure).length, errors: tests.filter(isError).length, skipped: 0, time: 0 })}>`,
    ...tests.map(element),
    '  </testsuite>',
  ].join('\n');
}

function checksProblem(checks: CheckResult[], what: string): Problem | null {
  if (checks.length === 0) return null;
  return {
    message: `${checks.length} check(s) ${what}: ${checks.map((check) => check.name).join(', ')}`,
    type: checks.some((check) => check.severity === 'critical') ? 'critical' : checks[0]!.label,
    body: checks.map(checkLine).join('\n'),
  };
}

export function toJUnitXml(report: EvalReport): string {
  const suites: string[] = [];
  const counts = { tests: 0, failures: 0, errors: 0 };
  const add = (name: string, tests: JUnitCase[]): void => {
    if (tests.length === 0) return;
    suites.push(suiteElement(name, tests));
    counts.tests += tests.length;
    counts.failures += tests.filter(isFailure).length;
    counts.errors += tests.filter(isError).length;
  };

  for (const suite of ['golden', 'adversarial'] as const) {
    const tests = report.results
      .filter((result) => result.suite === suite)
      .flatMap((result) =>
        result.trials.map((trial) => ({
          name: result.trials.length > 1 ? `${result.caseId} [trial ${trial.trial}]` : result.caseId,
          classname: `${report.experiment}.${result.dataset ?? suite}`,
          failure: checksProblem(trial.checks.filter((check) => check.label === 'fail'), 'failed'),
          error: checksProblem(trial.checks.filter((check) => check.label === 'error'), 'could not run'),
          output: [`trace ${trial.traceId ?? 'not recorded'}`, ...trial.checks.map(checkLine)].join('\n'),
        })),
      );
    add(`${report.experiment} ${suite}`, tests);
  }

  const summary = [
    `verdict ${report.verdict} (exit ${report.exitCode})${report.baseline ? ` against baseline ${report.baseline}` : ''}`,
    `${report.passed} of ${report.cases} cases passed`,
    ...report.reasons,
  ].join('\n');
  add(`${report.experiment} gate`, [
    {
      name: 'verdict',
      classname: `${report.experiment}.gate`,
      failure: report.verdict === 'pass' ? null : { message: `verdict ${report.verdict}: ${report.reasons.join('; ')}`, type: report.verdict, body: summary },
      error: null,
      output: summary,
    },
  ]);

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: `runlens eval ${report.experiment}`, tests: counts.tests, failures: counts.failures, errors: counts.errors, time: 0 })}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
