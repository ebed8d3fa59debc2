/**
 * The README and docs/ as a newcomer uses them: every relative link leads to a file (and heading) that exists, every
 * `npm run` script and `npx campaign` command they show is real with the options they give it, every repository path
 * they name in code exists, and the README's quick start is what the start-stop integration test runs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { COMMANDS } from '../../../cli/commands/index.ts';
import { brokenLinks, missingPaths, refusedCliCommands, unknownScripts } from './checks.ts';
import {
  headingAnchors,
  linkTargets,
  type MarkdownPage,
  shellCommands,
  shownCommands,
  splitFences,
} from './markdown.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Folders whose paths the pages name in code; a word starting with one of them and `/` must exist. */
const PATH_ROOTS = [
  'functions',
  'local',
  'tools',
  'config',
  'test',
  'bench',
  'docs',
  'cli',
  'dashboard',
  'statemachines',
  'contact-flows',
];

/** Every file and folder of the checkout but dependencies, git, build output and local state. */
function repositoryEntries(directory = ROOT): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === 'test-results') return [];
    const path = relative(ROOT, join(directory, entry.name));
    return entry.isDirectory() ? [path, ...repositoryEntries(join(directory, entry.name))] : [path];
  });
}

const ENTRIES = repositoryEntries();

/** The README, every page of docs/, and the other READMEs of the checkout. */
const PAGES: MarkdownPage[] = ENTRIES.filter(
  (path) => path === 'README.md' || (path.startsWith('docs/') && path.endsWith('.md')) || path.endsWith('/README.md'),
)
  .filter((path) => !path.startsWith('test/fixtures/contact-flows/real/'))
  .map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));

const PACKAGE = z
  .object({ scripts: z.record(z.string(), z.string()) })
  .parse(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')));

/** Benchmark names, as `bench/run.ts` registers them (importing it would run a benchmark). */
const BENCHMARKS = [
  ...readFileSync(join(ROOT, 'bench/run.ts'), 'utf8').matchAll(/^\s+'?([\w-]+)'?: \(\) => import\(/gm),
].map((match) => match[1] ?? '');

const ALL_COMMANDS = PAGES.flatMap(shownCommands);

/** The page at `path`; the test fails naming it when the page is gone. */
function pageAt(path: string): MarkdownPage {
  const page = PAGES.find((candidate) => candidate.path === path);
  if (page === undefined) throw new Error(`no page ${path}`);
  return page;
}
const exists = (path: string) => existsSync(join(ROOT, path));

describe('README.md and docs/', () => {
  it('reads the README, the docs index and every page the README links to', () => {
    const paths = PAGES.map((page) => page.path);

    expect(paths).toContain('README.md');
    expect(paths).toContain('docs/README.md');
    for (const page of ['operator-guide', 'cli', 'http-api', 'campaigns', 'architecture', 'alerts', 'benchmarks']) {
      expect(paths).toContain(`docs/${page}.md`);
    }
  });

  it('links only to files and headings that exist', () => {
    expect(brokenLinks(PAGES, exists)).toEqual([]);
  });

  it('lists every page of docs/ in its index', () => {
    const index = pageAt('docs/README.md');
    const linked = new Set(linkTargets(index).map((target) => target.split('#')[0]));
    const pages = PAGES.filter((page) => /^docs\/[^/]+\.md$/.test(page.path) && page.path !== 'docs/README.md');

    expect(pages.map((page) => page.path.slice('docs/'.length)).filter((page) => !linked.has(page))).toEqual([]);
  });

  it('shows only npm scripts and benchmarks that exist', () => {
    expect(ALL_COMMANDS.some(({ words }) => words[0] === 'npm' && words[1] === 'run')).toBe(true);
    expect(unknownScripts(ALL_COMMANDS, PACKAGE.scripts, BENCHMARKS)).toEqual([]);
  });

  it('shows only campaign commands, subcommands and options the CLI accepts', () => {
    expect(ALL_COMMANDS.filter(({ words }) => words[0] === 'npx' && words[1] === 'campaign').length).toBeGreaterThan(
      20,
    );
    expect(refusedCliCommands(ALL_COMMANDS, COMMANDS)).toEqual([]);
  });

  it('names only repository paths that exist', () => {
    expect(missingPaths(PAGES, ENTRIES, PATH_ROOTS)).toEqual([]);
  });

  it('names only LOCAL_* settings the local cloud reads', () => {
    const local = ENTRIES.filter((path) => /^local\/.*\.(ts|cjs)$/.test(path) || path === 'serverless.yml')
      .map((path) => readFileSync(join(ROOT, path), 'utf8'))
      .join('\n');
    const named = new Set(PAGES.flatMap((page) => [...page.text.matchAll(/\bLOCAL_[A-Z0-9_]+\b/g)].map((m) => m[0])));

    expect(named.size).toBeGreaterThan(5);
    expect([...named].filter((name) => !new RegExp(`\\b${name}\\b`).test(local))).toEqual([]);
  });
});

describe("the README's quick start", () => {
  const readme = pageAt('README.md');
  const section = (heading: string) => {
    const start = readme.text.indexOf(`\n## ${heading}`);
    const end = readme.text.indexOf('\n## ', start + 1);
    return readme.text.slice(start, end < 0 ? undefined : end);
  };
  const commandsOf = (text: string) =>
    splitFences(text).blocks.flatMap((block) => block.lines.flatMap((line) => shellCommands(line)));

  it('is npm install and npm start, then npm test', () => {
    const commands = commandsOf(section('Quick start')).map((words) => words.join(' '));

    expect(commands).toEqual(['npm install', 'npm start', 'npm test']);
    expect(PACKAGE.scripts.test).toContain('vitest run');
  });

  it('starts what the start-stop integration test starts', () => {
    const entry = /^node (\S+)$/.exec(PACKAGE.scripts.start ?? '')?.[1];
    const integration = readFileSync(join(ROOT, 'test/integration/start-stop.test.ts'), 'utf8');
    const spawned = /spawn\(process\.execPath, \['([^']+)'\]/.exec(integration)?.[1];

    expect(entry).toBeDefined();
    expect(spawned).toBe(entry);
    expect(statSync(join(ROOT, entry as string)).isFile()).toBe(true);
  });

  it('tours upload, run, watch and report with the demo campaign and list', () => {
    const tour = commandsOf(section('A five-minute tour')).map((words) => words.join(' '));

    expect(tour[0]).toBe('LOCAL_DEMO=0 npm start');
    expect(tour.slice(1)).toEqual([
      'npx campaign campaigns put config/campaigns/demo.yml',
      'npx campaign upload config/demo/list.csv --campaign demo',
      'npx campaign runs start --campaign demo',
      'npx campaign status --campaign demo --watch',
      'npx campaign report summary --campaign demo',
      'npx campaign report --campaign demo --out demo.xlsx',
    ]);
  });
});

describe('the checks themselves', () => {
  const page = (path: string, text: string): MarkdownPage => ({ path, text });

  it('find a link to a missing file or heading, and not one inside code', () => {
    const pages = [
      page('docs/a.md', '# A\n\n## Quotas to raise\n\n[b](b.md) [q](#quotas-to-raise) `[x](gone.md)`\n'),
      page('docs/b.md', '# B\n\n[a](a.md#quotas) [c](c.md) [web](https://example.org/x.md)\n```\n[y](gone.md)\n```\n'),
    ];

    expect(brokenLinks(pages, (path) => pages.some((candidate) => candidate.path === path))).toEqual([
      'docs/b.md: link to a.md#quotas: docs/a.md has no heading #quotas',
      'docs/b.md: link to c.md: no file docs/c.md',
    ]);
  });

  it('make anchors as GitHub does', () => {
    const anchors = headingAnchors(
      page('x.md', '# T\n## "Press 0 for a person": transfer\n## Local cloud ↔ AWS\n## 3. Quotas\n## 3. Quotas\n'),
    );

    expect([...anchors]).toEqual(['t', 'press-0-for-a-person-transfer', 'local-cloud--aws', '3-quotas', '3-quotas-1']);
  });

  it('find an unknown npm script, benchmark, command, subcommand or option', () => {
    const shown = shownCommands(
      page(
        'x.md',
        [
          '```sh',
          'npm run nope',
          'npm run bench -- nope',
          'npx campaign uplaod list.csv',
          'npx campaign runs begin --campaign demo',
          'npx campaign status --campaign demo --follow   # a comment --ignored',
          'npx campaign report --campaign demo --out x-$(date +%F).xlsx',
          'LOCAL_DEMO=0 npm start',
          '```',
          'and `npx campaign help nope`, `campaign lists gte x --campaign demo`, but not `campaign run failed`',
        ].join('\n'),
      ),
    );

    expect(unknownScripts(shown, { bench: 'node bench/run.ts', start: 'node local/start.ts' }, ['dial'])).toEqual([
      'x.md, code block 1: npm run nope: no npm script "nope"',
      'x.md, code block 1: npm run bench -- nope: no benchmark "nope" (bench/run.ts has dial)',
    ]);
    expect(refusedCliCommands(shown, COMMANDS).map((problem) => problem.replace(/^.*?: (?=[^:]*$)/, ''))).toEqual([
      expect.stringContaining('unknown command "uplaod"'),
      'the subcommands are start, pause, resume, stop',
      "Unknown option '--follow'",
      'help for "nope", which is no command',
      'the subcommands are get, rejected',
    ]);
  });

  it('find a repository path that does not exist, and accept placeholders that match', () => {
    const pages = [page('x.md', '`config/campaigns/<id>.yml`, `functions/core/nope.ts`, `test/events/connect/*.json`')];

    expect(missingPaths(pages, ENTRIES, PATH_ROOTS)).toEqual(['x.md: `functions/core/nope.ts` does not exist']);
  });
});
