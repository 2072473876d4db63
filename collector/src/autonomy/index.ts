// The kill switch: an autonomy level per service that the SDK polls and enforces.
export type { Autonomy } from './levels.ts';
export { AUTONOMY_LEVELS, AUTONOMY_MEANING, DEFAULT_AUTONOMY, checkServiceName, isAutonomy } from './levels.ts';
export type { AutonomyChange, AutonomyState, ControlStore, SetAutonomyRequest } from './store.ts';
export { getAutonomy, listAutonomy, listAutonomyChanges, setAutonomy } from './store.ts';
