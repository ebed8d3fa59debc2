/**
 * What the docs test reads in a Markdown page: headings (as GitHub turns them into anchors), relative links, inline
 * code, fenced shell blocks, and the shell commands in both. Small on purpose: the project's pages use plain
 * CommonMark (ATX headings, inline links, backtick fences), so this reads what they use and nothing more.
 */

/** One page: its path from the repository root and its text. */
export interface MarkdownPage {
  path: string;
  text: string;
}

/** A fenced block: its info string (`sh`, `mermaid`, or empty) and its lines. */
export interface FencedBlock {
  language: string;
  lines: string[];
}

/** The page split into prose (fenced blocks blanked out) and its fenced blocks. */
export interface SplitPage {
  prose: string;
  blocks: FencedBlock[];
}

/** Separates fenced code blocks from the prose, so headings and links inside code are not taken for real ones. */
export function splitFences(text: string): SplitPage {
  const prose: string[] = [];
  const blocks: FencedBlock[] = [];
  let open: { fence: string; block: FencedBlock } | undefined;
  for (const line of text.split('\n')) {
    const fence = /^\s{0,3}(`{3,}|~{3,})\s*([^`\s]*)/.exec(line);
    if (open === undefined && fence !== null) {
      open = { fence: fence[1] ?? '```', block: { language: fence[2] ?? '', lines: [] } };
      prose.push('');
    } else if (open !== undefined && line.trim().startsWith(open.fence) && line.trim().replace(/[`~]/g, '') === '') {
      blocks.push(open.block);
      open = undefined;
      prose.push('');
    } else if (open !== undefined) {
      open.block.lines.push(line);
      prose.push('');
    } else {
      prose.push(line);
    }
  }
  if (open !== undefined) blocks.push(open.block);
  return { prose: prose.join('\n'), blocks };
}

/** The text of every inline code span of the prose (a span may wrap onto the next line). */
export function codeSpans(prose: string): string[] {
  return [...prose.matchAll(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g)].map((match) => (match[2] ?? '').trim());
}

/**
 * GitHub's anchor for a heading: lower case, everything but letters, digits, spaces, `-` and `_` dropped, each space
 * a `-`; a repeated heading gets `-1`, `-2`, … Links and code marks in the heading count by their text.
 */
export function headingAnchors(page: MarkdownPage): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of splitFences(page.text).prose.split('\n')) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (heading === null) continue;
    const text = (heading[1] ?? '').replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Every link target of the prose (inline links and images), outside code. */
export function linkTargets(page: MarkdownPage): string[] {
  const prose = splitFences(page.text).prose.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, '');
  return [...prose.matchAll(/!?\[(?:[^\]]|\][^(])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (match) => match[1] ?? '',
  );
}

/**
 * Splits a shell line into words as a POSIX shell would for what the pages use: quotes, `$( … )` and `${ … }` stay
 * in one word, a `#` that starts a word begins a comment, and `|`, `;`, `&&`, `||` end a command. Returns the
 * commands of the line, each as its words.
 */
export function shellCommands(line: string): string[][] {
  const commands: string[][] = [[]];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  let depth = 0;
  const current = () => commands[commands.length - 1] as string[];
  const endWord = () => {
    if (inWord) current().push(word);
    word = '';
    inWord = false;
  };
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index] as string;
    const next = line[index + 1];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else word += char;
      continue;
    }
    if (depth > 0) {
      if (char === '(' || char === '{') depth += 1;
      if (char === ')' || char === '}') depth -= 1;
      word += char;
      continue;
    }
    if (char === '$' && (next === '(' || next === '{')) {
      word += char + next;
      inWord = true;
      depth = 1;
      index += 1;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === '\\' && next !== undefined) {
      word += next;
      inWord = true;
      index += 1;
    } else if (/\s/.test(char)) {
      endWord();
    } else if (char === '#' && !inWord) {
      break;
    } else if (char === '|' || char === ';' || (char === '&' && next === '&')) {
      endWord();
      if (next === char) index += 1;
      commands.push([]);
    } else {
      word += char;
      inWord = true;
    }
  }
  endWord();
  return commands.filter((command) => command.length > 0);
}

/** Fenced blocks that hold shell commands: `sh`, `bash`, `shell`, `console`, or no language at all. */
function isShellBlock(block: FencedBlock): boolean {
  return ['', 'sh', 'bash', 'shell', 'console', 'zsh'].includes(block.language.toLowerCase());
}

/** A command the page shows, and where. */
export interface ShownCommand {
  words: string[];
  /** `README.md, block 2` or `docs/cli.md, inline`: enough to find it. */
  where: string;
}

/**
 * Every shell command a page shows: the lines of its shell blocks (continuation lines joined, comment lines left
 * out), and inline code that is a command. Leading `NAME=value` assignments are dropped.
 */
export function shownCommands(page: MarkdownPage): ShownCommand[] {
  const { prose, blocks } = splitFences(page.text);
  const shown: ShownCommand[] = [];
  const add = (line: string, where: string) => {
    for (const command of shellCommands(line)) {
      const words = [...command];
      while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0] ?? '')) words.shift();
      if (words.length > 0) shown.push({ words, where });
    }
  };
  blocks.filter(isShellBlock).forEach((block, index) => {
    const joined = block.lines.join('\n').replace(/\\\n/g, ' ');
    for (const line of joined.split('\n')) add(line, `${page.path}, code block ${index + 1}: ${line.trim()}`);
  });
  for (const span of codeSpans(prose)) add(span.replace(/\s+/g, ' '), `${page.path}, \`${span}\``);
  return shown;
}

/** Every word of a page's code (inline spans and shell blocks) that starts with one of `roots` and a `/`. */
export function repositoryPaths(page: MarkdownPage, roots: readonly string[]): string[] {
  const { prose, blocks } = splitFences(page.text);
  const words = [
    ...codeSpans(prose).flatMap((span) => span.split(/\s+/)),
    ...blocks.filter(isShellBlock).flatMap((block) => block.lines.flatMap((line) => shellCommands(line).flat())),
  ];
  const pattern = new RegExp(`^(?:${roots.map((root) => root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})/`);
  return words
    .map((word) => word.replace(/^[("'@]+/, '').replace(/[)"',;:.]+$/, ''))
    .filter((word) => pattern.test(word));
}

/**
 * A path the pages write with placeholders as a pattern: `<id>` and `*` stand for one name, `{a,b}` for either,
 * `…` for anything.
 */
export function pathPattern(written: string): RegExp {
  const path = written.replace(/\/$/, '');
  let source = '';
  for (let index = 0; index < path.length; index += 1) {
    const char = path[index] as string;
    if (char === '<') {
      const end = path.indexOf('>', index);
      source += '[^/]+';
      index = end < 0 ? path.length : end;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '…') {
      source += '.*';
    } else if (char === '{') {
      const end = path.indexOf('}', index);
      const options = path.slice(index + 1, end < 0 ? path.length : end).split(',');
      source += `(?:${options.map((option) => option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`;
      index = end < 0 ? path.length : end;
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}/?$`);
}
