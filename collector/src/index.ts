// Public surface of @runlens/collector. Exports are listed by name; types with `export type`.
export { createApp } from './app.ts';
export type { AppOptions } from './app.ts';
export { openDatabase, startCollector, StartupError } from './server.ts';
export type { RunningCollector } from './server.ts';
export { main } from './cli.ts';
export { applyConfigFile, ConfigError, DEFAULT_CONFIG, loadConfig, parseDuration, parseSize } from './config.ts';
export type { CollectorConfig, ConfigSources, ModelPrice, RetentionConfig, RetentionRule } from './config.ts';
export { StoreBusyError, StoreUnavailableError } from './store/store.ts';
export type { PruneReport, Store, StoreStats } from './store/store.ts';
