/**
 * Where the CLI writes: results on stdout (human text, or one JSON document with `--json`), progress and notes on
 * stderr, so `campaign … --json | jq` and `campaign … > file` get only the result.
 */

export interface OutputStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

export interface Output {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** A line (or lines) of the result on stdout. */
  print(text: string): void;
  /** A value as JSON on stdout (one line, so `--watch --json` gives JSON lines). */
  printJson(value: unknown): void;
  /** A note for the operator on stderr (not part of the result). */
  note(text: string): void;
}

/** An Output writing to the given streams (process.stdout and process.stderr in the binary). */
export function createOutput(stdout: OutputStream, stderr: OutputStream): Output {
  return {
    stdout,
    stderr,
    print: (text) => void stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    printJson: (value) => void stdout.write(`${JSON.stringify(value)}\n`),
    note: (text) => void stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}
