// What a `runlens` subcommand is. Adding a command is one file exporting a Command, plus one
// line in ./index.ts.
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in help, e.g. `PATH`. */
  value?: string;
  /** The flag may be given several times; its value is then an array of strings. */
  multiple?: boolean;
  description: string;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Paragraph shown under the usage line of `runlens <name> --help`. */
  description: string;
  options: Record<string, OptionSpec>;
  /** Usage of the positional arguments (`create <identity> | list | revoke <id>`); without it none are accepted. */
  arguments?: string;
  /** Resolves with the exit code. */
  run(values: OptionValues, positionals: string[]): Promise<number>;
}

/** Wrong flags or arguments: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Every command takes --help. */
export const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

export function commandHelp(command: Command): string {
  const options = { ...command.options, help: HELP_OPTION };
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return [flag, spec.description] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return [
    `Usage: runlens ${command.name} ${command.arguments ? `${command.arguments} ` : ''}[options]`,
    '',
    command.description,
    '',
    'Options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`),
    '',
  ].join('\n');
}

/** Parses `args` against the command's options; unknown flags and missing values are UsageErrors. */
export function parseCommandArgs(command: Command, args: string[]): { values: OptionValues; positionals: string[] } {
  const options = Object.fromEntries(
    Object.entries({ ...command.options, help: HELP_OPTION }).map(([name, spec]) => [name, { type: spec.type, ...(spec.short && { short: spec.short }), ...(spec.multiple && { multiple: true }) }]),
  );
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true });
    return { values: values as OptionValues, positionals };
  } catch (error) {
    // node:util's messages are clear ("Unknown option '--prot'"); we add where to look.
    throw new UsageError(`${(error as Error).message.split('. ')[0]}. See: runlens ${command.name} --help`);
  }
}

/** The string flags, in the shape loadConfig takes. */
export function stringFlags(values: OptionValues): Record<string, string | undefined> {
  const flags: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(values)) if (typeof value === 'string') flags[name] = value;
  return flags;
}
