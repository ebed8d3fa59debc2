/**
 * Packages the deployment of one stage with `serverless package` (offline: nothing is sent to AWS) and reads
 * the CloudFormation template it would deploy.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { isRecord, parseTemplate, type Template } from './template.ts';

const run = promisify(execFile);
export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

export interface StageOptions {
  stage: string;
  region?: string;
  params: Record<string, string>;
}

export interface PackagedStage {
  template: Template;
  /** The folder holding the template and the function archives (`serverless deploy --package` takes it). */
  directory: string;
}

/** `--param name=value` arguments, in a stable order. */
export const paramArguments = (params: Record<string, string>) =>
  Object.entries(params)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([name, value]) => ['--param', `${name}=${value}`]);

/** The serverless CLI of the project (osls), run with the Node that runs this tool. */
export const serverlessCli = () => createRequire(import.meta.url).resolve('osls/bin/serverless.js');

/** Packages a stage into a new temporary folder; throws with serverless's output when packaging fails. */
export async function packageStage(options: StageOptions, directory?: string): Promise<PackagedStage> {
  const output = directory ?? (await mkdtemp(join(tmpdir(), `campaign-engine-${options.stage}-`)));
  const args = [
    serverlessCli(),
    'package',
    '--stage',
    options.stage,
    ...(options.region ? ['--region', options.region] : []),
    '--package',
    output,
    ...paramArguments(options.params),
  ];
  try {
    await run(process.execPath, args, {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        // Its own build folder per stage: stages package side by side, and beside `npm start`.
        ESBUILD_WORK_FOLDER: `.esbuild-template-${options.stage}`,
      },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const output = isRecord(error) ? [error.stdout, error.stderr].filter((text) => text !== undefined).join('') : '';
    const detail = output === '' ? String(error) : output;
    throw new Error(`serverless package --stage ${options.stage} failed:\n${detail}`);
  }
  const text = await readFile(join(output, 'cloudformation-template-update-stack.json'), 'utf8');
  return { template: parseTemplate(text), directory: output };
}
