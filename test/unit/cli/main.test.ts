import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../cli/errors.ts';
import { runCli } from '../../../cli/main.ts';
import { createOutput } from '../../../cli/output.ts';

function capture() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = createOutput({ write: (text) => stdout.push(text) > 0 }, { write: (text) => stderr.push(text) > 0 });
  return { out, stdout: () => stdout.join(''), stderr: () => stderr.join('') };
}

describe('runCli', () => {
  it('prints the help on stdout and exits 0 for --help', async () => {
    const io = capture();

    expect(await runCli(['--help'], {}, io.out)).toBe(EXIT.ok);
    expect(io.stdout()).toContain('Usage: campaign <command>');
  });

  it('prints the help on stderr and exits 2 without a command', async () => {
    const io = capture();

    expect(await runCli([], {}, io.out)).toBe(EXIT.usage);
    expect(io.stderr()).toContain('Usage: campaign <command>');
    expect(io.stdout()).toBe('');
  });

  it('prints a usage error as one line plus a hint, before any request', async () => {
    const io = capture();

    expect(await runCli(['runs', 'start'], { CAMPAIGN_API: 'http://127.0.0.1:1' }, io.out)).toBe(EXIT.usage);
    expect(io.stderr()).toBe('error: --campaign <id> is required\nhint: run `campaign runs --help`\n');
  });

  it('also prints the error as JSON on stdout with --json', async () => {
    const io = capture();

    expect(await runCli(['status', '--json', '--date', 'someday', '--campaign', 'demo'], {}, io.out)).toBe(EXIT.usage);
    expect(JSON.parse(io.stdout())).toEqual({
      error: {
        message: '--date someday is not a date',
        hint: 'write dates as YYYY-MM-DD, e.g. --date 2026-11-23',
        exitCode: EXIT.usage,
      },
    });
  });
});
