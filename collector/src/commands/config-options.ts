// Flags that pick and override configuration, shared by every command that reads it.
import type { OptionSpec } from './command.ts';

export const DB_OPTIONS: Record<string, OptionSpec> = {
  db: { type: 'string', value: 'PATH', description: 'SQLite database file (env RUNLENS_DB; default ./runlens.db)' },
  config: { type: 'string', value: 'FILE', description: 'JSON config file (env RUNLENS_CONFIG; default ./runlens.config.json if present)' },
};

/** `--url` and `--token` of the commands that can talk to a running collector instead of the file. */
export const REMOTE_OPTIONS: Record<string, OptionSpec> = {
  url: { type: 'string', value: 'URL', description: 'ask a running collector, e.g. http://localhost:4318 (env RUNLENS_URL)' },
  token: { type: 'string', value: 'TOKEN', description: 'user token for --url (env RUNLENS_TOKEN)' },
};

export const RETENTION_OPTIONS: Record<string, OptionSpec> = {
  'retention-max-age': { type: 'string', value: 'AGE', description: 'delete runs older than this, e.g. 30d (env RUNLENS_RETENTION_MAX_AGE)' },
  'retention-content-max-age': {
    type: 'string',
    value: 'AGE',
    description: 'drop prompts and outputs older than this, keep metrics (env RUNLENS_RETENTION_CONTENT_MAX_AGE)',
  },
  'retention-max-db-size': { type: 'string', value: 'SIZE', description: 'delete oldest runs above this size, e.g. 10GB (env RUNLENS_RETENTION_MAX_DB_SIZE)' },
};
