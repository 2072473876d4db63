// The `runlens` subcommands, in the order `runlens --help` lists them.
import type { Command } from './command.ts';
import { pruneCommand } from './prune.ts';
import { serveCommand } from './serve.ts';

export const COMMANDS: readonly Command[] = [serveCommand, pruneCommand];
