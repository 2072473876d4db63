// `runlens <command> [options]`. Commands live in ./commands/, one file each.
// Exit codes: 0 done, 1 the command failed (bad config, unreadable database…), 2 wrong usage.
import { COMMANDS } from './commands/index.ts';
import { commandHelp, parseCommandArgs, UsageError } from './commands/command.ts';

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'Usage: runlens <command> [options]',
    '',
    'Runlens collects OpenTelemetry traces from AI agents into SQLite and serves a viewer.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run `runlens <command> --help` for its options.',
    '',
  ].join('\n');
}

/** Runs one command line (without `node runlens`); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name === undefined ? 2 : 0;
  }
  try {
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')}). See: runlens --help`);
    const { values, positionals } = parseCommandArgs(command, args);
    if (values.help) {
      process.stdout.write(commandHelp(command));
      return 0;
    }
    if (positionals.length > 0 && command.arguments === undefined) throw new UsageError(`unexpected argument "${positionals[0]}". See: runlens ${command.name} --help`);
    return await command.run(values, positionals);
  } catch (error) {
    // One line a user can act on; the stack only when asked for.
    const message = error instanceof Error ? error.message : String(error);
    console.error(`runlens: ${message}`);
    if (process.env.RUNLENS_DEBUG && error instanceof Error && error.stack) console.error(error.stack);
    return error instanceof UsageError ? 2 : 1;
  }
}
