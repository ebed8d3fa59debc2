#!/usr/bin/env node
/**
 * `campaign`: the operator's command-line tool for the campaign engine (`npx campaign help`).
 * Runs on Node 22 from the project's `node` devDependency (TypeScript by type stripping).
 */
import { runCli } from './main.ts';
import { createOutput } from './output.ts';

// `campaign … | head` closes stdout early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2), process.env, createOutput(process.stdout, process.stderr));
