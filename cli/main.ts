/**
 * The CLI without the process around it: parses the command line, runs the command, prints errors as one line
 * plus a hint (and, with `--json`, as a JSON document on stdout) and returns the exit code.
 */
import { ApiClient } from './api-client.ts';
import { commandHelp, generalHelp, parseCommandLine, stringOption } from './command-line.ts';
import { COMMANDS } from './commands/index.ts';
import { CliError, EXIT, errorJson, formatError } from './errors.ts';
import type { Output } from './output.ts';

/** Runs the CLI with `argv` (without node and the script); returns the exit code. */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, out: Output): Promise<number> {
  let json = argv.includes('--json');
  try {
    const parsed = parseCommandLine(argv, COMMANDS);
    json = parsed.json;
    if (parsed.command === undefined) {
      // `campaign` alone is how a newcomer asks what the tool does: the commands, and success.
      if (parsed.help || parsed.empty) {
        out.print(generalHelp(COMMANDS));
        return EXIT.ok;
      }
      out.stderr.write(generalHelp(COMMANDS));
      return EXIT.usage;
    }
    if (parsed.help) {
      out.print(commandHelp(parsed.command));
      return EXIT.ok;
    }
    let client: Promise<ApiClient> | undefined;
    const code = await parsed.command.run({
      args: parsed.args,
      values: parsed.values,
      json,
      api: () => {
        client ??= ApiClient.create(stringOption(parsed.values, 'api'), env);
        return client;
      },
      out,
      env,
      now: () => new Date(),
    });
    return code ?? EXIT.ok;
  } catch (error) {
    out.stderr.write(formatError(error));
    if (json) out.printJson(errorJson(error));
    return error instanceof CliError ? error.exitCode : EXIT.failure;
  }
}
