/**
 * `npm run flows:check`: validates every file in contact-flows/ (see flows/check.ts) and exits
 * non-zero naming each problem. Runs in `npm test`, so a broken flow never reaches a deploy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { checkFlow } from './check.ts';

const directory = resolve(import.meta.dirname, '..', '..', 'contact-flows');
const { FUNCTION_PLACEHOLDERS } = createRequire(import.meta.url)('../../config/contact-flow-content.cjs') as {
  FUNCTION_PLACEHOLDERS: Record<string, string>;
};
const placeholders = new Set(Object.keys(FUNCTION_PLACEHOLDERS));
let failed = false;
for (const file of readdirSync(directory).filter((name) => name.endsWith('.json'))) {
  let problems: string[];
  try {
    problems = checkFlow(JSON.parse(readFileSync(join(directory, file), 'utf8')), placeholders);
  } catch (error) {
    problems = [`not valid JSON: ${(error as Error).message}`];
  }
  if (problems.length === 0) {
    console.info(`contact-flows/${file}: ok`);
  } else {
    failed = true;
    for (const problem of problems) console.error(`contact-flows/${file}: ${problem}`);
  }
}
process.exit(failed ? 1 : 0);
