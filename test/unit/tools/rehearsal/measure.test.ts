import { describe, expect, it } from 'vitest';
import { measureLog } from '../../../../tools/rehearsal/measure.ts';

const usageLine = (writeUnits: number) =>
  JSON.stringify({
    usage: { dynamodb: { contact: { readUnits: 0, writeUnits, requests: 1 } }, requests: { 'dynamodb:PutItem': 1 } },
  });

describe('measureLog', () => {
  it('takes its window in bytes, as the log file grows, past multi-byte characters', () => {
    const before = `${'(λ: health) RequestId: a  Duration: 1.0 ms  Billed Duration: 2 ms\n'.repeat(50)}× started\n`;
    const phase = `POST /campaigns/demo/lists (λ: listsUpload)\n${usageLine(2376)}\n`;
    const after = `POST /campaigns/demo/runs (λ: runsStart)\n${usageLine(7)}\n`;
    const log = before + phase + after;
    const from = Buffer.byteLength(before);
    const to = from + Buffer.byteLength(phase);

    const measured = measureLog(log, {}, from, to);

    expect(measured.meter.dynamodb.contact?.writeUnits).toBe(2376);
    expect(measureLog(log, {}, to).meter.dynamodb.contact?.writeUnits).toBe(7);
    expect(measureLog(log, {}).lambda.health?.invocations).toBe(50);
  });
});
