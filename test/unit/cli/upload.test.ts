import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { putFile } from '../../../cli/commands/upload.ts';
import { CliError } from '../../../cli/errors.ts';

describe('putFile', () => {
  it('reports storage that cannot be reached as one CLI error, without crashing the process', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cli-upload-')), 'list.csv');
    writeFileSync(file, 'phone\n+48601234567\n');
    // Port 9 (discard) is closed on loopback: the connection is refused while the body streams.
    const upload = putFile('http://127.0.0.1:9/bucket/list.csv', file, 20, () => undefined);
    await expect(upload).rejects.toBeInstanceOf(CliError);
    await expect(upload).rejects.toThrow(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});
