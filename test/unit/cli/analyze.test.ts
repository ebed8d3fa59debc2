import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../../cli/api-schemas.ts';
import { analysisCsv, renderAnalysis } from '../../../cli/commands/analyze.ts';

const result: AnalysisResult = {
  analysis: 'answers',
  parameters: { campaigns: ['demo'], from: '2026-11-23', to: '2026-11-23', by: ['clinic'], question: 'q1' },
  columns: ['clinic', 'q1', 'q1_label', 'contacts', 'share'],
  rows: [
    ['Mokotów', '1', 'Yes', 7, 0.7778],
    ['Mokotów', '2', 'No', null, null],
    ['=Wola', '1', 'Yes', 12, 1],
  ],
  minCell: 5,
  suppressed: 1,
  freshAsOf: '2026-11-23T10:00:00.000Z',
};

describe('campaign analyze', () => {
  it('prints the table with counts, shares in percent and suppressed cells as –', () => {
    const text = renderAnalysis(result);
    expect(text.split('\n')[0]).toBe('answers · demo · 2026-11-23');
    expect(text).toContain('CLINIC   Q1  Q1_LABEL  CONTACTS    SHARE');
    expect(text).toContain('Mokotów  1   Yes              7   77.8 %');
    expect(text).toContain('Mokotów  2   No               –        –');
    expect(text).toContain('=Wola    1   Yes             12  100.0 %');
    expect(text).toContain('1 cell(s) under 5 contacts shown as –');
  });

  it('writes CSV with empty suppressed cells and formula-like values defused', () => {
    expect(analysisCsv(result).split('\r\n')).toEqual([
      'clinic,q1,q1_label,contacts,share',
      'Mokotów,1,Yes,7,0.7778',
      'Mokotów,2,No,,',
      "'=Wola,1,Yes,12,1",
    ]);
  });
});
