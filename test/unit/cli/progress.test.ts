import { describe, expect, it } from 'vitest';
import { createProgress, renderProgress } from '../../../cli/progress.ts';

describe('renderProgress', () => {
  it('shows a bar, the share and the amounts for a known total', () => {
    const line = renderProgress({ label: 'uploading', done: 3_000_000, total: 6_000_000, unit: 'bytes' }, 4_000, 80);

    expect(line).toMatch(/^uploading {2}█+░+ {3}50 % {2}3\.0 MB of 6\.0 MB {2}\(4 s\)$/);
    expect(line.length).toBeLessThan(80);
  });

  it('marks an estimated total', () => {
    expect(
      renderProgress({ label: 'importing', done: 12_000, total: 30_000, approximate: true, unit: 'rows' }, 0, 100),
    ).toContain('40 %  12,000 of ~30,000 rows');
  });

  it('shows a count and the time spent when the total is unknown', () => {
    expect(renderProgress({ label: 'importing', done: 1_234, unit: 'rows' }, 65_000)).toBe(
      'importing  1,234 rows  (1 min 05 s)',
    );
    expect(renderProgress({ label: 'waiting for the import to start', done: 0, unit: 'rows' }, 2_000)).toBe(
      'waiting for the import to start…  (2 s)',
    );
  });

  it('fits a narrow terminal', () => {
    const line = renderProgress({ label: 'uploading', done: 1, total: 2, unit: 'bytes' }, 0, 30);

    expect(line.length).toBeLessThanOrEqual(29);
  });
});

describe('createProgress', () => {
  it('writes nothing when stderr is not a terminal', () => {
    const written: string[] = [];
    const progress = createProgress({ isTTY: false, write: (text) => written.push(text) > 0 });

    progress.update({ label: 'uploading', done: 1, total: 2, unit: 'bytes' });
    progress.stop();

    expect(written).toEqual([]);
  });

  it('redraws the line in place on a terminal and clears it at the end', () => {
    const written: string[] = [];
    let clock = 0;
    const progress = createProgress({ isTTY: true, columns: 80, write: (text) => written.push(text) > 0 }, () => clock);

    progress.update({ label: 'uploading', done: 1, total: 4, unit: 'bytes' });
    clock = 50;
    progress.update({ label: 'uploading', done: 2, total: 4, unit: 'bytes' });
    clock = 200;
    progress.update({ label: 'uploading', done: 4, total: 4, unit: 'bytes' });
    progress.stop();

    expect(written).toHaveLength(3);
    expect(written[0]?.startsWith('\r\x1b[2Kuploading ')).toBe(true);
    expect(written[0]).toContain(' 25 %');
    expect(written[1]).toMatch(/100 %/);
    expect(written[2]).toBe('\r\x1b[2K');
  });
});
