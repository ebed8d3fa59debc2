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

  // `npm exec campaign --help` prints npm's help, so `help` and nothing at all must reach the commands without it.
  it('lists the commands on stdout and exits 0 for `campaign` alone and for `campaign help`', async () => {
    for (const argv of [[], ['help']]) {
      const io = capture();

      expect(await runCli(argv, {}, io.out)).toBe(EXIT.ok);
      expect(io.stdout()).toContain('Usage: campaign <command>');
      expect(io.stdout()).toMatch(/^ {2}upload +import a day's list/m);
      expect(io.stdout()).toMatch(/^ {2}dashboard +serve the web dashboard/m);
      expect(io.stderr()).toBe('');
    }
  });

  it("shows a command's options for `campaign help <command>`, as for `<command> --help`", async () => {
    const io = capture();
    const flag = capture();

    expect(await runCli(['help', 'upload'], {}, io.out)).toBe(EXIT.ok);
    expect(await runCli(['upload', '--help'], {}, flag.out)).toBe(EXIT.ok);
    expect(io.stdout()).toMatch(/^campaign upload: /);
    expect(io.stdout()).toMatch(/^ {2}--max-reject-rate <percent> +/m);
    expect(io.stdout()).toBe(flag.stdout());
  });

  it('points at `campaign help`, never at --help, in the general help', async () => {
    const io = capture();

    await runCli(['help'], {}, io.out);
    expect(io.stdout()).toContain('campaign help [<command>]');
    expect(io.stdout()).not.toMatch(/<command> --help/);
  });

  it('prints the help on stderr and exits 2 for options without a command', async () => {
    const io = capture();

    expect(await runCli(['--api', 'http://127.0.0.1:1'], {}, io.out)).toBe(EXIT.usage);
    expect(io.stderr()).toContain('Usage: campaign <command>');
    expect(io.stdout()).toBe('');
  });

  it('prints a usage error as one line plus a hint, before any request', async () => {
    const io = capture();

    expect(await runCli(['runs', 'start'], { CAMPAIGN_API: 'http://127.0.0.1:1' }, io.out)).toBe(EXIT.usage);
    expect(io.stderr()).toBe('error: --campaign <id> is required\nhint: run `campaign help runs`\n');
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
