// The `runlens` subcommands, in the order `runlens --help` lists them.
import type { Command } from './command.ts';
import { pruneCommand } from './prune.ts';
import { serveCommand } from './serve.ts';
import { keysCommand } from './keys.ts';
import { usersCommand } from './users.ts';
import { gateCommand } from './gate.ts';
import { autonomyCommand } from './autonomy.ts';
import { policyCommand } from './policy.ts';
import { evalCommand } from './eval.ts';
import { datasetCommand } from './dataset.ts';

export const COMMANDS: readonly Command[] = [serveCommand, pruneCommand, keysCommand, usersCommand, gateCommand, autonomyCommand, policyCommand, evalCommand, datasetCommand];
