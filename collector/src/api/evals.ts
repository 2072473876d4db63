// Evaluations: GET /api/evals (experiments, newest first, with pass rates by suite and attack
// success rate), GET /api/evals/:experiment (the newest experiment of that name, or one by id:
// its cases, trials, checks and trace ids), POST /api/evals (what `runlens eval` stores), and
// GET /api/runs/:traceId/dataset-line (a stored run as a dataset case, for `runlens dataset add`
// and the viewer's "copy as dataset line").
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Store } from '../store/store.ts';
import { principalName, type Principal } from '../auth/principal.ts';
import { datasetCaseFromTrace } from '../eval/dataset-line.ts';
import { getExperiment, listExperiments, saveExperiment } from '../eval/experiments.ts';
import type { ExperimentDetail, ExperimentRecord, ExperimentSummary } from '../eval/experiments.ts';
import { ATTACK_KINDS, SEVERITIES, SUITES } from '../eval/types.ts';
import { optionalInteger, traceIdParameter } from './params.ts';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function bad(message: string): HTTPException {
  return new HTTPException(400, { message });
}

/** Checks the shape of a posted experiment; the message names the first wrong field. */
export function readExperimentRecord(body: unknown): ExperimentRecord {
  if (!isPlainObject(body)) throw bad('the body must be a JSON object');
  const { name, variant, datasets, baseline, startedAt, finishedAt, report } = body;
  if (typeof name !== 'string' || name === '' || name.length > 200) throw bad('name: must be a non-empty string of at most 200 characters');
  if (!isPlainObject(variant) || !Object.values(variant).every((v) => typeof v === 'string')) throw bad('variant: must be an object of strings');
  if (!Array.isArray(datasets) || !datasets.every((d) => typeof d === 'string')) throw bad('datasets: must be an array of strings');
  if (baseline !== null && !(isPlainObject(baseline) && typeof baseline.id === 'number' && typeof baseline.name === 'string')) {
    throw bad('baseline: must be null or { id, name }');
  }
  if (typeof startedAt !== 'number' || typeof finishedAt !== 'number') throw bad('startedAt, finishedAt: must be epoch milliseconds');
  if (!isPlainObject(report) || !Array.isArray(report.results) || typeof report.verdict !== 'string' || typeof report.exitCode !== 'number') {
    throw bad('report: must be the gate report { verdict, exitCode, results, … }');
  }
  report.results.forEach((result: unknown, index: number) => {
    const at = `report.results[${index}]`;
    if (!isPlainObject(result) || typeof result.caseId !== 'string' || !Array.isArray(result.trials)) throw bad(`${at}: must be a case result`);
    if (!(SUITES as readonly unknown[]).includes(result.suite)) throw bad(`${at}.suite: must be one of ${SUITES.join(', ')}`);
    if (!(SEVERITIES as readonly unknown[]).includes(result.severity)) throw bad(`${at}.severity: must be one of ${SEVERITIES.join(', ')}`);
    if (result.attack !== null && !(ATTACK_KINDS as readonly unknown[]).includes(result.attack)) throw bad(`${at}.attack: unknown attack kind`);
    for (const trial of result.trials as unknown[]) {
      if (!isPlainObject(trial) || typeof trial.trial !== 'number' || !Array.isArray(trial.checks)) throw bad(`${at}.trials: each must be { trial, traceId, checks }`);
    }
  });
  return body as unknown as ExperimentRecord;
}

export function evalsRoutes(store: Store): Hono {
  const routes = new Hono();

  routes.get('/', (c) => {
    const limit = optionalInteger('limit', c.req.query('limit'), 1, 1000) ?? 200;
    return c.json<{ experiments: ExperimentSummary[] }>({ experiments: listExperiments(store, limit) });
  });

  routes.get('/:experiment', (c) => {
    const name = c.req.param('experiment');
    const detail = getExperiment(store, name);
    if (!detail) throw new HTTPException(404, { message: `no experiment named ${JSON.stringify(name)} (list them at GET /api/evals)` });
    return c.json<ExperimentDetail>(detail);
  });

  routes.post('/', async (c: Context) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw bad('the body must be a JSON object');
    }
    const record = readExperimentRecord(body);
    const principal = c.get('principal') as Principal | undefined;
    const id = await saveExperiment(store, record, principal ? principalName(principal) : 'local');
    return c.json({ id, name: record.name }, 201);
  });

  return routes;
}

/** Mounted under /api/runs beside the runs routes: GET /:traceId/dataset-line. */
export function datasetLineRoutes(store: Store): Hono {
  const routes = new Hono();
  routes.get('/:traceId/dataset-line', (c) => {
    const traceId = traceIdParameter(c.req.param('traceId'));
    const trace = store.getTrace(traceId);
    if (!trace) throw new HTTPException(404, { message: `no run with traceId ${traceId}` });
    const evalCase = datasetCaseFromTrace(trace, { ...(c.req.query('id') ? { id: c.req.query('id')! } : {}) });
    return c.json({ line: JSON.stringify(evalCase), case: evalCase });
  });
  return routes;
}
