/**
 * Command-line parsing on `node:util` parseArgs: the command is the first word, then its subcommand and arguments;
 * options may come anywhere after the command (`--api` and `--json` also before it). Values are checked here, so
 * commands get a date that is a date and a rate that is a number.
 */
import { type ParseArgsOptionDescriptor, parseArgs } from 'node:util';
import type { ApiClient } from './api-client.ts';
import { helpHint, UsageError } from './errors.ts';
import type { Output } from './output.ts';

/** An option: its parseArgs descriptor plus what the command's help says about it. */
export type OptionSpec = ParseArgsOptionDescriptor & { description: string; value?: string };

export type OptionValues = Record<string, string | boolean | undefined>;

/** What a command gets to run with. */
export interface CommandContext {
  /** The subcommand and arguments (positionals after the command word). */
  args: string[];
  values: OptionValues;
  json: boolean;
  /** The API client; created on first use (so help and usage errors need no credentials). */
  api(): Promise<ApiClient>;
  out: Output;
  env: NodeJS.ProcessEnv;
  now(): Date;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Synopsis lines, without the leading `campaign`. */
  usage: string[];
  options: Record<string, OptionSpec>;
  /** More on the command: semantics, examples. */
  details?: string[];
  /** Runs the command; returns the exit code (0 when undefined). */
  run(context: CommandContext): Promise<number | undefined>;
}

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  api: {
    type: 'string',
    value: 'url',
    description: 'the API (default $CAMPAIGN_API or http://127.0.0.1:3000); requests to AWS are signed with SigV4',
  },
  json: { type: 'boolean', description: 'machine-readable output on stdout' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

export interface ParsedCommandLine {
  /** Undefined: no command given (general help). */
  command: CommandSpec | undefined;
  args: string[];
  values: OptionValues;
  /** `help`, `help <command>`, `--help` or `-h`. */
  help: boolean;
  json: boolean;
  /** Nothing at all on the command line: the newcomer's `npx campaign`, answered with the commands. */
  empty: boolean;
}

/** The first word that is neither an option nor the value of a global option before it. */
function commandIndex(argv: readonly string[]): number {
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--') return -1;
    if (!arg.startsWith('-')) return index;
    if (arg === '--api') index += 1;
  }
  return -1;
}

function descriptors(options: Record<string, OptionSpec>): Record<string, ParseArgsOptionDescriptor> {
  return Object.fromEntries(
    Object.entries(options).map(([name, { description: _description, value: _value, ...descriptor }]) => [
      name,
      descriptor,
    ]),
  );
}

/**
 * Parses `argv` (without node and the script).
 * @throws UsageError for an unknown command or option, or a missing option value.
 */
export function parseCommandLine(argv: readonly string[], commands: readonly CommandSpec[]): ParsedCommandLine {
  const index = commandIndex(argv);
  let word = index < 0 ? undefined : argv[index];
  let rest = index < 0 ? [...argv] : [...argv.slice(0, index), ...argv.slice(index + 1)];
  let helpWord = false;
  if (word === 'help') {
    // `campaign help upload` is `campaign upload --help`, in a form npm passes through (it keeps `--help` for itself
    // in `npm exec campaign --help`). `campaign help help` is the general help.
    helpWord = true;
    const next = commandIndex(rest);
    word = next < 0 || rest[next] === 'help' ? undefined : rest[next];
    rest = next < 0 ? rest : [...rest.slice(0, next), ...rest.slice(next + 1)];
  }
  const command = word === undefined ? undefined : commands.find((candidate) => candidate.name === word);
  if (word !== undefined && command === undefined) {
    throw new UsageError(
      `unknown command "${word}"`,
      `the commands are ${commands.map((candidate) => candidate.name).join(', ')}; ${helpHint()}`,
    );
  }
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      options: descriptors({ ...GLOBAL_OPTIONS, ...command?.options }),
      allowPositionals: true,
      strict: true,
    }) as { values: OptionValues; positionals: string[] };
  } catch (error) {
    // parseArgs explains itself in its first sentence ("Unknown option '--x'").
    const message = (error as Error).message.split(/\. (?=[A-Z])/)[0] ?? String(error);
    throw new UsageError(message.replace(/\.$/, ''), helpHint(command?.name));
  }
  return {
    command,
    args: parsed.positionals,
    values: parsed.values,
    help: helpWord || parsed.values.help === true,
    json: parsed.values.json === true,
    empty: argv.length === 0,
  };
}

/** A string option's value. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A required string option's value.
 * @throws UsageError when it is missing.
 */
export function requiredOption(values: OptionValues, name: string, command: string, what = 'value'): string {
  const value = stringOption(values, name);
  if (value === undefined || value === '') {
    throw new UsageError(`--${name} <${what}> is required`, helpHint(command));
  }
  return value;
}

/** Today in the operator's time zone (the run date of "today's list"). */
export function today(now: Date, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/**
 * `--date`: a calendar date as YYYY-MM-DD; `today` (or no value) is today in the operator's time zone.
 * @throws UsageError for anything else.
 */
export function dateOption(values: OptionValues, now: Date): string {
  const value = stringOption(values, 'date');
  if (value === undefined || value === 'today') return today(now);
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date =
    match === null ? undefined : new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (date === undefined || date.toISOString().slice(0, 10) !== value) {
    throw new UsageError(`--date ${value} is not a date`, 'write dates as YYYY-MM-DD, e.g. --date 2026-11-23');
  }
  return value;
}

/**
 * A percentage option (`5`, `5%`, `0.5`): the number of percent, 0…100.
 * @throws UsageError when it is not one.
 */
export function percentOption(values: OptionValues, name: string, fallback: number): number {
  const value = stringOption(values, name);
  if (value === undefined) return fallback;
  const number = Number(value.trim().replace(/\s*%$/, ''));
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 100) {
    throw new UsageError(`--${name} ${value} is not a percentage`, `e.g. --${name} 5 (5 %), 0 to allow no rejects`);
  }
  return number;
}

/**
 * A positive integer option (`--port`, `--interval`, byte sizes with an optional k/M suffix).
 * @throws UsageError when it is not one.
 */
export function integerOption(values: OptionValues, name: string, fallback: number): number {
  const value = stringOption(values, name);
  if (value === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)\s*([kKmM]?)B?$/.exec(value.trim());
  const factor = { '': 1, k: 1_000, K: 1_000, m: 1_000_000, M: 1_000_000 }[match?.[2] ?? ''] ?? 1;
  const number = match === null ? Number.NaN : Math.round(Number(match[1]) * factor);
  if (!Number.isSafeInteger(number) || number <= 0) {
    throw new UsageError(`--${name} ${value} is not a positive number`);
  }
  return number;
}

/** Help for one command. */
export function commandHelp(command: CommandSpec): string {
  const options = Object.entries({ ...command.options, ...GLOBAL_OPTIONS });
  const flag = ([name, option]: [string, OptionSpec]) =>
    `${option.short ? `-${option.short}, ` : ''}--${name}${option.type === 'string' ? ` <${option.value ?? 'value'}>` : ''}`;
  const width = Math.max(...options.map((entry) => flag(entry).length));
  return [
    `campaign ${command.name}: ${command.summary}`,
    '',
    'Usage:',
    // A line starting with spaces continues the one before it.
    ...command.usage.map((line) => `  ${line.startsWith(' ') ? ' '.repeat('campaign '.length) : 'campaign '}${line}`),
    '',
    'Options:',
    ...options.map((entry) => `  ${flag(entry).padEnd(width)}  ${entry[1].description}`),
    ...(command.details === undefined ? [] : ['', ...command.details]),
    '',
  ].join('\n');
}

/** Help for the whole tool. */
export function generalHelp(commands: readonly CommandSpec[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'campaign: operate the outbound campaign engine (lists, runs, status, reports, do-not-call, campaigns)',
    '',
    'Usage: campaign <command> [arguments] [options]',
    '       campaign help [<command>]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Global options:',
    '  --api <url>  the API (default $CAMPAIGN_API, else the local stack http://127.0.0.1:3000);',
    '               an AWS API is called with SigV4-signed requests (standard AWS credential chain)',
    '  --json       machine-readable output on stdout',
    "  -h, --help   help, as `campaign help [<command>]` (`npm exec` keeps --help for npm's own help)",
    '',
    'Dates are YYYY-MM-DD and default to today (your time zone).',
    'Exit codes: 0 ok, 1 failed, 2 wrong usage, 3 an upload rejected more rows than --max-reject-rate.',
    '',
  ].join('\n');
}
