/**
 * `npm run flows:check -- [--strict] [--engine] [file…]`: checks contact flows (check.ts) and exits
 * non-zero when any has an error, printing each problem with its file and action.
 *
 * - With files: checks those (an export from the Connect designer, a flow from elsewhere);
 *   hard-coded account ids and ARNs are warnings naming the placeholder to use instead.
 * - Without files: checks every flow in contact-flows/ with `--strict --engine` (what `npm test`
 *   runs): hard-coded ids are errors, and each flow must satisfy the engine (engine-requirements.ts).
 * - `--strict`: hard-coded ids are errors. `--engine`: also report what a flow lacks for the engine
 *   ("bring your own flow", docs/contact-flow.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FlowSchema } from './actions.ts';
import { checkFlow, formatProblem, type Problem } from './check.ts';
import { checkEngineRequirements } from './engine-requirements.ts';

const root = resolve(import.meta.dirname, '..', '..');
const { FUNCTION_PLACEHOLDERS } = createRequire(import.meta.url)('../../config/contact-flow-content.cjs') as {
  FUNCTION_PLACEHOLDERS: Record<string, string>;
};

const { values, positionals } = parseArgs({
  options: { strict: { type: 'boolean', default: false }, engine: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const shipped = positionals.length === 0;
const directory = join(root, 'contact-flows');
const files = shipped
  ? readdirSync(directory)
      .filter((name) => name.endsWith('.json'))
      .map((name) => join(directory, name))
  : positionals.map((file) => resolve(file));
const strict = shipped || values.strict;
const engine = shipped || values.engine;

let failed = false;
for (const file of files) {
  const name = relative(process.cwd(), file) || file;
  const problems = checkFile(file);
  const errors = problems.filter((problem) => problem.severity === 'error').length;
  const warnings = problems.length - errors;
  if (errors > 0) failed = true;
  for (const problem of problems) {
    (problem.severity === 'error' ? console.error : console.warn)(`${name}: ${formatProblem(problem)}`);
  }
  const summary = errors > 0 ? `${errors} error(s)` : 'ok';
  console.info(`${name}: ${summary}${warnings > 0 ? `, ${warnings} warning(s)` : ''}`);
}
process.exit(failed ? 1 : 0);

function checkFile(file: string): Problem[] {
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return [{ severity: 'error', message: `cannot read the file as JSON: ${(error as Error).message}` }];
  }
  const problems = checkFlow(input, { placeholders: new Set(Object.keys(FUNCTION_PLACEHOLDERS)), strict });
  const flow = FlowSchema.safeParse(input);
  if (engine && flow.success) problems.push(...checkEngineRequirements(flow.data));
  return problems;
}
