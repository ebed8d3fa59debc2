/**
 * The docs test's checks, each a pure function from pages (and what exists) to the problems it finds, one line each
 * naming the page and what is wrong.
 */
import { dirname, join, normalize } from 'node:path';
import { type CommandSpec, parseCommandLine } from '../../../cli/command-line.ts';
import {
  headingAnchors,
  linkTargets,
  type MarkdownPage,
  pathPattern,
  repositoryPaths,
  type ShownCommand,
} from './markdown.ts';

/** Links that lead nowhere: a missing file, or a heading the target page does not have. */
export function brokenLinks(pages: readonly MarkdownPage[], exists: (path: string) => boolean): string[] {
  const byPath = new Map(pages.map((page) => [page.path, page]));
  const problems: string[] = [];
  for (const page of pages) {
    for (const target of linkTargets(page)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const [file = '', anchor] = target.split('#', 2);
      const path = file === '' ? page.path : normalize(join(dirname(page.path), decodeURI(file)));
      if (!exists(path)) {
        problems.push(`${page.path}: link to ${target}: no file ${path}`);
        continue;
      }
      if (anchor === undefined || anchor === '') continue;
      const linked = byPath.get(path);
      if (linked === undefined) {
        if (path.endsWith('.md')) problems.push(`${page.path}: link to ${target}: ${path} is not a page read here`);
        continue;
      }
      if (!headingAnchors(linked).has(decodeURIComponent(anchor))) {
        problems.push(`${page.path}: link to ${target}: ${path} has no heading #${anchor}`);
      }
    }
  }
  return problems;
}

/** `npm run <script>` (and `npm start`, `npm test`) that package.json lacks; `npm run bench -- <name>` too. */
export function unknownScripts(
  commands: readonly ShownCommand[],
  scripts: Readonly<Record<string, string>>,
  benchmarks: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const { words, where } of commands) {
    if (words[0] !== 'npm') continue;
    const script = words[1] === 'run' || words[1] === 'run-script' ? words[2] : words[1];
    if (!['run', 'run-script', 'start', 'test'].includes(words[1] ?? '')) continue;
    if (script === undefined || script.startsWith('<')) continue;
    if (!Object.hasOwn(scripts, script)) {
      problems.push(`${where}: no npm script "${script}"`);
      continue;
    }
    const name = script === 'bench' ? words[words.indexOf('--') + 1] : undefined;
    if (words.includes('--') && name !== undefined && !name.startsWith('<') && !benchmarks.includes(name)) {
      problems.push(`${where}: no benchmark "${name}" (bench/run.ts has ${benchmarks.join(', ')})`);
    }
  }
  return problems;
}

/**
 * Inline code such as `campaign lists get <listId>` is a command; `campaign run failed` (an alert's text) is not: the
 * next word must be a command or `help`, or an option must follow.
 */
const isCliLike = (argv: readonly string[], known: readonly CommandSpec[]) =>
  argv.some((arg) => arg.startsWith('--')) || argv[0] === 'help' || known.some((command) => command.name === argv[0]);

/** A word the pages write for "any value": `<id>`, `…`, `...`. */
const isPlaceholder = (word: string) => word.startsWith('<') || word === '…' || word === '...';

/**
 * The literal subcommands a command's usage lines name (`runs start|pause|resume|stop`, `report summary`), and
 * whether it also takes a free first argument or none.
 */
function subcommandsOf(command: CommandSpec): { literals: Set<string>; free: boolean } {
  const literals = new Set<string>();
  let free = false;
  for (const line of command.usage) {
    if (line.startsWith(' ')) continue;
    const second = line.split(/\s+/)[1];
    if (second === undefined || second.startsWith('-') || second.startsWith('[')) continue;
    if (second.startsWith('<')) free = true;
    else for (const literal of second.split('|')) literals.add(literal);
  }
  return { literals, free };
}

/**
 * `npx campaign …` (and inline `campaign …`) the CLI would refuse: an unknown command or subcommand, or an option
 * the command does not have. Parsed by the CLI's own parser.
 */
export function refusedCliCommands(commands: readonly ShownCommand[], known: readonly CommandSpec[]): string[] {
  const problems: string[] = [];
  for (const { words, where } of commands) {
    let argv: string[];
    if (words[0] === 'npx' && words[1] === 'campaign') argv = words.slice(2);
    else if (words[0] === 'campaign' && where.includes('`') && isCliLike(words.slice(1), known)) argv = words.slice(1);
    else continue;
    const word = argv.find((arg, index) => !arg.startsWith('-') && argv[index - 1] !== '--api');
    if (word !== undefined && isPlaceholder(word)) continue;
    if (word === 'help') {
      const topic = argv[argv.indexOf('help') + 1];
      if (topic !== undefined && !isPlaceholder(topic) && !known.some((command) => command.name === topic)) {
        problems.push(`${where}: help for "${topic}", which is no command`);
      }
      continue;
    }
    try {
      const parsed = parseCommandLine(argv, known);
      const first = parsed.args[0];
      if (parsed.command === undefined || first === undefined || isPlaceholder(first)) continue;
      const { literals, free } = subcommandsOf(parsed.command);
      if (!free && !literals.has(first)) {
        problems.push(
          `${where}: "${parsed.command.name} ${first}": ${literals.size > 0 ? `the subcommands are ${[...literals].join(', ')}` : 'takes no argument'}`,
        );
      }
    } catch (error) {
      problems.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return problems;
}

/**
 * Repository paths named in code (words starting with one of `roots` and `/`) that exist neither as written nor as a
 * pattern (`config/campaigns/<id>.yml`); `entries` are the checkout's files and folders.
 */
export function missingPaths(
  pages: readonly MarkdownPage[],
  entries: readonly string[],
  roots: readonly string[],
): string[] {
  const known = new Set(entries);
  const problems: string[] = [];
  for (const page of pages) {
    for (const path of new Set(repositoryPaths(page, roots))) {
      const found = /[<*{…]/.test(path)
        ? entries.some((entry) => pathPattern(path).test(entry))
        : known.has(path.replace(/\/$/, ''));
      if (!found) problems.push(`${page.path}: \`${path}\` does not exist`);
    }
  }
  return problems;
}
