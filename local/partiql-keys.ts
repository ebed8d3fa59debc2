/**
 * Which item a PartiQL statement (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction)
 * touches, as far as the fault proxy needs to know: its table and the attributes its `WHERE`
 * clause (or `INSERT … VALUE` tuple) fixes by equality. The proxy compares those with the table's
 * key schema; a statement whose key it cannot tell (an `OR`, an index, a nested value) is let
 * through unchecked, as a real conflict could not be predicted for it either.
 *
 * Grammar: DynamoDB's PartiQL reference (`SELECT … FROM table[."index"] WHERE …`,
 * `INSERT INTO table VALUE {'a': …}`, `UPDATE table SET … WHERE … [RETURNING …]`,
 * `DELETE FROM table WHERE … [RETURNING …]`; strings in single quotes, identifiers in double
 * quotes, `?` parameters bound in order from `Parameters`).
 */

export interface PartiqlItem {
  kind: 'read' | 'write';
  table: string;
  /** Attribute values fixed by equality, as DynamoDB AttributeValues (`{ S: 'x' }`, `{ N: '1' }`, a parameter). */
  attributes: Record<string, unknown>;
}

type Token =
  | { type: 'string' | 'ident' | 'number' | 'word' | 'op' | 'ion'; text: string }
  | { type: 'param'; text: '?'; index: number };

const OPERATORS = ['<>', '<=', '>=', '!=', '<<', '>>', '||'];

/** Splits a statement into tokens; `undefined` for an unterminated string or identifier. */
export function tokenizePartiql(statement: string): Token[] | undefined {
  const tokens: Token[] = [];
  let parameters = 0;
  let position = 0;
  while (position < statement.length) {
    const char = statement.charAt(position);
    if (/\s/.test(char)) {
      position += 1;
      continue;
    }
    if (char === "'" || char === '"' || char === '`') {
      // Quotes are escaped by doubling them ('it''s', "a""b"); Ion literals between backticks are opaque.
      let text = '';
      let end = position + 1;
      for (;;) {
        if (end >= statement.length) return undefined;
        const next = statement.charAt(end);
        if (next === char) {
          if (char !== '`' && statement.charAt(end + 1) === char) {
            text += char;
            end += 2;
            continue;
          }
          break;
        }
        text += next;
        end += 1;
      }
      tokens.push({ type: char === "'" ? 'string' : char === '"' ? 'ident' : 'ion', text });
      position = end + 1;
      continue;
    }
    const number = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(statement.slice(position));
    if (number !== null && (char !== '-' || !/[\w"'\])]/.test(tokens.at(-1)?.text.slice(-1) ?? ''))) {
      tokens.push({ type: 'number', text: number[0] });
      position += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(statement.slice(position));
    if (word !== null) {
      tokens.push({ type: 'word', text: word[0] });
      position += word[0].length;
      continue;
    }
    if (char === '?') {
      tokens.push({ type: 'param', text: '?', index: parameters });
      parameters += 1;
      position += 1;
      continue;
    }
    const operator = OPERATORS.find((candidate) => statement.startsWith(candidate, position)) ?? char;
    tokens.push({ type: 'op', text: operator });
    position += operator.length;
  }
  return tokens;
}

const isWord = (token: Token | undefined, word: string): boolean =>
  token?.type === 'word' && token.text.toUpperCase() === word;
const isName = (token: Token | undefined): boolean => token?.type === 'ident' || token?.type === 'word';
const OPENERS = new Set(['(', '[', '{', '<<']);
const CLOSERS = new Set([')', ']', '}', '>>']);

/** Index of the first token at nesting depth 0 from `start` that satisfies `test`; -1 if none. */
function findTopLevel(tokens: readonly Token[], start: number, test: (token: Token) => boolean): number {
  let depth = 0;
  for (let index = start; index < tokens.length; index += 1) {
    const token = tokens[index];
    if (token === undefined) break;
    if (depth === 0 && test(token)) return index;
    if (token.type === 'op' && OPENERS.has(token.text)) depth += 1;
    if (token.type === 'op' && CLOSERS.has(token.text)) depth -= 1;
  }
  return -1;
}

function attributeValueOf(token: Token | undefined, parameters: readonly unknown[]): unknown {
  if (token === undefined) return undefined;
  if (token.type === 'param') return parameters[token.index];
  if (token.type === 'string') return { S: token.text };
  if (token.type === 'number') return { N: token.text };
  return undefined;
}

/** `a = 1 AND "b" = ?` → { a, b }; `undefined` when the clause has a top-level OR (more than one item). */
function equalities(tokens: readonly Token[], parameters: readonly unknown[]): Record<string, unknown> | undefined {
  if (findTopLevel(tokens, 0, (token) => isWord(token, 'OR')) >= 0) return undefined;
  const attributes: Record<string, unknown> = {};
  let start = 0;
  while (start < tokens.length) {
    const and = findTopLevel(tokens, start, (token) => isWord(token, 'AND'));
    const end = and < 0 ? tokens.length : and;
    const [name, operator, value] = tokens.slice(start, end);
    if (end - start === 3 && isName(name) && operator?.text === '=' && name !== undefined) {
      const attribute = attributeValueOf(value, parameters);
      if (attribute !== undefined && !(name.text in attributes)) attributes[name.text] = attribute;
    }
    start = end + 1;
  }
  return attributes;
}

/** `{'pk': ?, 'sk': 'x', 'nested': {...}}` → { pk, sk } (nested values are not keys and are skipped). */
function tupleAttributes(
  tokens: readonly Token[],
  parameters: readonly unknown[],
): Record<string, unknown> | undefined {
  if (tokens[0]?.text !== '{') return undefined;
  const attributes: Record<string, unknown> = {};
  let index = 1;
  while (index < tokens.length) {
    const [name, colon, value, after] = tokens.slice(index, index + 4);
    if (name?.type !== 'string' || colon?.text !== ':') return attributes;
    if (after?.text === ',' || after?.text === '}') {
      const attribute = attributeValueOf(value, parameters);
      if (attribute !== undefined) attributes[name.text] = attribute;
    }
    const next = findTopLevel(tokens, index + 2, (token) => token.text === ',' || token.text === '}');
    if (next < 0 || tokens[next]?.text === '}') return attributes;
    index = next + 1;
  }
  return attributes;
}

/** The table and key-like equalities of one statement, or `undefined` when it cannot tell. */
export function partiqlItem(statement: string, parameters: readonly unknown[] = []): PartiqlItem | undefined {
  const tokens = tokenizePartiql(statement);
  if (tokens === undefined || tokens.length === 0) return undefined;
  const verb = tokens[0]?.type === 'word' ? tokens[0].text.toUpperCase() : '';
  const whereClause = (from: number): Record<string, unknown> | undefined => {
    const where = findTopLevel(tokens, from, (token) => isWord(token, 'WHERE'));
    if (where < 0) return undefined;
    const returning = findTopLevel(tokens, where + 1, (token) => isWord(token, 'RETURNING'));
    return equalities(tokens.slice(where + 1, returning < 0 ? tokens.length : returning), parameters);
  };
  const table = (index: number): string | undefined => {
    const token = tokens[index];
    // `"table"."index"` reads an index: not one item of the table.
    if (!isName(token) || token === undefined || tokens[index + 1]?.text === '.') return undefined;
    return token.text;
  };

  if (verb === 'INSERT' && isWord(tokens[1], 'INTO')) {
    const name = table(2);
    if (name === undefined || !isWord(tokens[3], 'VALUE')) return undefined;
    const attributes = tupleAttributes(tokens.slice(4), parameters);
    return attributes === undefined ? undefined : { kind: 'write', table: name, attributes };
  }
  if (verb === 'UPDATE' || (verb === 'DELETE' && isWord(tokens[1], 'FROM'))) {
    const tableIndex = verb === 'UPDATE' ? 1 : 2;
    const name = table(tableIndex);
    const attributes = whereClause(tableIndex + 1);
    return name === undefined || attributes === undefined ? undefined : { kind: 'write', table: name, attributes };
  }
  if (verb === 'SELECT') {
    const from = findTopLevel(tokens, 1, (token) => isWord(token, 'FROM'));
    const name = from < 0 ? undefined : table(from + 1);
    const attributes = whereClause(from + 2);
    return name === undefined || attributes === undefined ? undefined : { kind: 'read', table: name, attributes };
  }
  return undefined;
}
