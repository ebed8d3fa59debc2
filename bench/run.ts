/**
 * `npm run bench -- <name> [args…]`: runs one benchmark. Each benchmark is a module exporting
 * `run(args: readonly string[]): Promise<void>`; add yours to {@link BENCHMARKS}. Ctrl-C or SIGTERM (a `timeout`)
 * stops what the benchmark started (DynamoDB Local's JVM, the local cloud) before it exits.
 */
import { stopAllProcessesOnSignal } from '../local/processes.ts';

interface Benchmark {
  run(args: readonly string[]): Promise<void>;
}

/** Benchmarks by name, loaded only when asked for. */
export const BENCHMARKS: Readonly<Record<string, () => Promise<Benchmark>>> = {
  import: () => import('./import.ts'),
  'import-parse': () => import('./import-parse.ts'),
  dial: () => import('./dial.ts'),
  report: () => import('./report.ts'),
  'dynamodb-ceiling': () => import('./dynamodb-ceiling.ts'),
  'dynamodb-proxy': () => import('./dynamodb-proxy.ts'),
  analytics: () => import('./analytics.ts'),
  pacing: () => import('./pacing.ts'),
};

stopAllProcessesOnSignal();

const [name, ...args] = process.argv.slice(2);
const load = name === undefined ? undefined : BENCHMARKS[name];
if (load === undefined) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}> [args…]; got "${name ?? ''}"`);
  process.exitCode = 2;
} else {
  await (await load()).run(args);
}
