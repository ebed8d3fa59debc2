/**
 * What the CLI tells an operator when something fails: one line saying what went wrong, the API's problems by path
 * when there are some, and a hint saying what to do next. Exit codes are part of the interface (scripts test them).
 */

/** Exit codes: 0 success, 1 failure, 2 wrong usage, 3 an import rejected more rows than `--max-reject-rate`. */
export const EXIT = { ok: 0, failure: 1, usage: 2, rejectThreshold: 3 } as const;

/** One problem the API named (a field, parameter, header or line of a file). */
export interface Problem {
  path: string;
  message: string;
}

/** An error the operator can act on. */
export class CliError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;
  constructor(message: string, options: { hint?: string; exitCode?: number } = {}) {
    super(message);
    this.name = 'CliError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT.failure;
  }
}

/**
 * The hint that points at the help: `campaign help <command>`, never `--help`, which `npm exec` (and so `npx` in some
 * setups) takes for its own option and answers with npm's help instead.
 */
export function helpHint(command?: string): string {
  return command === undefined
    ? 'run `campaign help` for the commands, `campaign help <command>` for their options'
    : `run \`campaign help ${command}\``;
}

/** The command line itself is wrong (unknown option, missing argument). */
export class UsageError extends CliError {
  constructor(message: string, hint = helpHint()) {
    super(message, { hint, exitCode: EXIT.usage });
    this.name = 'UsageError';
  }
}

/** The API answered with an error status. */
/** A request that got no answer at all (refused, reset, timed out): worth trying again later. */
export class NetworkError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, { hint });
    this.name = 'NetworkError';
  }
}

export class ApiError extends CliError {
  readonly status: number;
  readonly code: string | undefined;
  readonly problems: Problem[];
  constructor(status: number, message: string, options: { code?: string; problems?: Problem[]; hint?: string } = {}) {
    super(message, { hint: options.hint ?? hintForStatus(status) });
    this.name = 'ApiError';
    this.status = status;
    this.code = options.code;
    this.problems = options.problems ?? [];
  }
}

function hintForStatus(status: number): string | undefined {
  if (status === 401 || status === 403) {
    return 'check your AWS credentials (AWS_PROFILE, `aws sso login`) and that they may call execute-api:Invoke on this API';
  }
  if (status >= 500) return 'the API failed: look at its logs (locally .local/offline.log, in AWS CloudWatch Logs)';
  return undefined;
}

/** The lines printed to stderr for an error: `error: …`, the problems indented, `hint: …`. */
export function formatError(error: unknown): string {
  if (!(error instanceof CliError)) {
    const message = error instanceof Error ? error.message : String(error);
    return `error: ${message}\nhint: this is a bug in the CLI; please report it with the command you ran\n`;
  }
  const status = error instanceof ApiError ? ` (HTTP ${error.status}${error.code ? ` ${error.code}` : ''})` : '';
  const lines = [`error: ${error.message}${status}`];
  if (error instanceof ApiError) {
    for (const problem of error.problems) lines.push(`  ${problem.path}: ${problem.message}`);
  }
  if (error.hint !== undefined) lines.push(`hint: ${error.hint}`);
  return `${lines.join('\n')}\n`;
}

/** The error as `--json` prints it. */
export function errorJson(error: unknown): { error: Record<string, unknown> } {
  if (!(error instanceof CliError)) {
    return { error: { message: error instanceof Error ? error.message : String(error), exitCode: EXIT.failure } };
  }
  return {
    error: {
      message: error.message,
      ...(error instanceof ApiError && { status: error.status, code: error.code, problems: error.problems }),
      ...(error.hint !== undefined && { hint: error.hint }),
      exitCode: error.exitCode,
    },
  };
}
