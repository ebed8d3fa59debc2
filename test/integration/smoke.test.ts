/**
 * `npm run smoke` against the local cloud: the same program that checks a stack in AWS, with the local endpoints
 * (AWS_ENDPOINT_URL_*, --api). It passes on the running stack and names what it cannot find.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cloud } from './support.ts';

const root = resolve(import.meta.dirname, '../..');
/** What execFile rejects with when the program exits non-zero. */
const ExitSchema = z.object({ code: z.number(), stdout: z.string(), stderr: z.string() });

async function smoke(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['tools/smoke.ts', '--stage', 'local', '--api', cloud.endpoints.api, ...args],
      { cwd: root, env: { ...process.env, ...cloud.clientEnvironment } },
    );
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = ExitSchema.parse(error);
    return { code: failed.code, output: `${failed.stdout}${failed.stderr}` };
  }
}

describe('smoke test (npm run smoke)', () => {
  it('passes on the local cloud: health, table, buckets, state machine, Connect instance and flow', async () => {
    const { code, output } = await smoke();

    expect(output).toContain('✓ health:');
    expect(output).toContain('✓ table: campaign-engine-local ACTIVE with gsi1');
    expect(output).toContain('✓ bucket uploads: campaign-engine-local-uploads-local reachable');
    expect(output).toContain('✓ bucket reports: campaign-engine-local-reports-local reachable');
    expect(output).toContain(
      '✓ state machine: arn:aws:states:eu-west-1:000000000000:stateMachine:campaign-engine-local-campaign-run',
    );
    expect(output).toContain('✓ connect instance:');
    expect(output).toContain('✓ contact flow: campaign-engine-local-outbound-survey published and active');
    expect(output).toContain('smoke test of local passed; no call placed');
    expect(code).toBe(0);
  }, 60_000);

  it('fails naming the buckets a stack does not have', async () => {
    const { code, output } = await smoke('--param', 'bucketSuffix=elsewhere');

    expect(output).toMatch(/✗ bucket uploads: .*/);
    expect(output).toMatch(/✗ bucket reports: .*/);
    expect(output).toContain('✓ table:');
    expect(output).toContain('smoke test of local: 2 failed');
    expect(code).toBe(1);
  }, 60_000);
});
