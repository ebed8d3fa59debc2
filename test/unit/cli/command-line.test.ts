import { describe, expect, it } from 'vitest';
import {
  commandHelp,
  dateOption,
  integerOption,
  parseCommandLine,
  percentOption,
  today,
} from '../../../cli/command-line.ts';
import { COMMANDS } from '../../../cli/commands/index.ts';
import { EXIT, UsageError } from '../../../cli/errors.ts';

function usageError(action: () => unknown): UsageError {
  try {
    action();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}

describe('parseCommandLine', () => {
  it('takes the first word as the command and the rest as its arguments and options', () => {
    const parsed = parseCommandLine(['upload', 'list.csv', '--campaign', 'demo', '--date', '2026-11-23'], COMMANDS);

    expect(parsed.command?.name).toBe('upload');
    expect(parsed.args).toEqual(['list.csv']);
    expect(parsed.values).toMatchObject({ campaign: 'demo', date: '2026-11-23' });
    expect(parsed.help).toBe(false);
  });

  it('accepts --api and --json before the command', () => {
    const parsed = parseCommandLine(
      ['--api', 'https://x.example', '--json', 'runs', 'start', '--campaign=a'],
      COMMANDS,
    );

    expect(parsed.command?.name).toBe('runs');
    expect(parsed.args).toEqual(['start']);
    expect(parsed.values).toMatchObject({ api: 'https://x.example', json: true, campaign: 'a' });
    expect(parsed.json).toBe(true);
  });

  it('reads `help <command>` as `<command> --help`, and no command as general help', () => {
    expect(parseCommandLine(['help', 'status'], COMMANDS)).toMatchObject({ command: { name: 'status' }, help: true });
    expect(parseCommandLine(['--help'], COMMANDS)).toMatchObject({ command: undefined, help: true });
    expect(parseCommandLine(['help'], COMMANDS)).toMatchObject({ command: undefined, help: true, empty: false });
    expect(parseCommandLine(['help', 'help'], COMMANDS)).toMatchObject({ command: undefined, help: true });
    expect(parseCommandLine(['--json', 'help', 'upload'], COMMANDS)).toMatchObject({
      command: { name: 'upload' },
      help: true,
      json: true,
    });
    expect(parseCommandLine([], COMMANDS)).toMatchObject({ command: undefined, help: false, empty: true });
    expect(parseCommandLine(['--json'], COMMANDS)).toMatchObject({ command: undefined, help: false, empty: false });
  });

  it('names an unknown command after `help`, pointing at the list of commands', () => {
    const error = usageError(() => parseCommandLine(['help', 'uplaod'], COMMANDS));

    expect(error.message).toBe('unknown command "uplaod"');
    expect(error.hint).toContain('run `campaign help` for the commands');
  });

  it('refuses an unknown command, naming the commands there are', () => {
    const error = usageError(() => parseCommandLine(['uplaod', 'x.csv'], COMMANDS));

    expect(error.message).toBe('unknown command "uplaod"');
    expect(error.hint).toContain('upload, lists, runs, status, report, dnc, campaigns, dashboard');
    expect(error.exitCode).toBe(EXIT.usage);
  });

  it("refuses an option the command does not have, in parseArgs' first sentence, pointing at the command's help", () => {
    const error = usageError(() => parseCommandLine(['status', '--campaign', 'demo', '--large'], COMMANDS));

    expect(error.message).toBe("Unknown option '--large'");
    expect(error.hint).toBe('run `campaign help status`');
  });

  it('refuses an option without its value', () => {
    expect(usageError(() => parseCommandLine(['status', '--campaign'], COMMANDS)).message).toMatch(/--campaign/);
  });
});

describe('option values', () => {
  const now = new Date('2026-11-23T10:00:00Z');

  it('takes dates as YYYY-MM-DD and defaults to today', () => {
    expect(dateOption({ date: '2026-12-01' }, now)).toBe('2026-12-01');
    expect(dateOption({}, now)).toBe(today(now));
    expect(dateOption({ date: 'today' }, now)).toBe(today(now));
  });

  it('gives today in the time zone asked for', () => {
    expect(today(new Date('2026-11-23T23:30:00Z'), 'Europe/Warsaw')).toBe('2026-11-24');
    expect(today(new Date('2026-11-23T23:30:00Z'), 'UTC')).toBe('2026-11-23');
  });

  it.each(['2026-02-30', '23.11.2026', '2026-1-5', 'tomorrow'])('refuses the date %s', (date) => {
    const error = usageError(() => dateOption({ date }, now));

    expect(error.message).toBe(`--date ${date} is not a date`);
    expect(error.hint).toContain('YYYY-MM-DD');
  });

  it.each([
    ['5', 5],
    ['5%', 5],
    ['2.5 %', 2.5],
    ['0', 0],
  ])('reads the percentage %s', (value, expected) => {
    expect(percentOption({ 'max-reject-rate': value }, 'max-reject-rate', 1)).toBe(expected);
  });

  it('refuses percentages that are not 0…100', () => {
    expect(usageError(() => percentOption({ rate: '150' }, 'rate', 5)).message).toBe('--rate 150 is not a percentage');
    expect(usageError(() => percentOption({ rate: 'lots' }, 'rate', 5)).message).toBe(
      '--rate lots is not a percentage',
    );
  });

  it.each([
    ['8080', 8080],
    ['500k', 500_000],
    ['4M', 4_000_000],
    ['1.5MB', 1_500_000],
  ])('reads the number %s', (value, expected) => {
    expect(integerOption({ size: value }, 'size', 1)).toBe(expected);
  });

  it('refuses numbers that are not positive', () => {
    expect(usageError(() => integerOption({ port: '0' }, 'port', 1)).message).toBe('--port 0 is not a positive number');
    expect(usageError(() => integerOption({ port: 'x' }, 'port', 1)).message).toBe('--port x is not a positive number');
  });
});

describe('help', () => {
  it("lists every option of a command with the global ones, and the command's synopsis", () => {
    const upload = COMMANDS.find((command) => command.name === 'upload');
    if (upload === undefined) throw new Error('no upload command');

    const help = commandHelp(upload);

    expect(help).toContain('campaign upload <file.csv|file.xlsx> --campaign <id>');
    for (const option of ['--max-reject-rate <percent>', '--large', '--small-limit <bytes>', '--api <url>', '--json']) {
      expect(help).toContain(option);
    }
  });
});
