import { describe, expect, it } from 'vitest';
import { AuditEntrySchema, definitionDiff, MAX_DIFF_ENTRIES } from '../../../functions/core/audit.ts';

describe('definitionDiff', () => {
  it('lists every changed, added and removed leaf by path', () => {
    const before = {
      name: 'A',
      callingWindow: { start: '09:00', end: '20:00' },
      script: { questions: [{ prompt: 'x' }] },
    };
    const after = {
      name: 'A',
      callingWindow: { start: '10:00', end: '20:00' },
      script: { questions: [{ prompt: 'y' }, { prompt: 'z' }] },
      policy: { purpose: 'COMMERCIAL' },
    };
    expect(definitionDiff(before, after).diff).toEqual([
      { path: 'callingWindow.start', before: '"09:00"', after: '"10:00"' },
      { path: 'script.questions.0.prompt', before: '"x"', after: '"y"' },
      { path: 'script.questions.1', after: '{"prompt":"z"}' },
      { path: 'policy', after: '{"purpose":"COMMERCIAL"}' },
    ]);
  });

  it('says a new definition is all new, and nothing when nothing changed', () => {
    expect(definitionDiff(undefined, { id: 'x' }).diff).toEqual([{ path: '(root)', after: '{"id":"x"}' }]);
    expect(definitionDiff({ id: 'x' }, { id: 'x' })).toEqual({ diff: [], truncated: false });
  });

  it('bounds the diff and every value in it', () => {
    const before = Object.fromEntries(Array.from({ length: 150 }, (_, index) => [`k${index}`, index]));
    const after = Object.fromEntries(Array.from({ length: 150 }, (_, index) => [`k${index}`, 'x'.repeat(1_000)]));
    const { diff, truncated } = definitionDiff(before, after);
    expect(diff).toHaveLength(MAX_DIFF_ENTRIES);
    expect(truncated).toBe(true);
    expect(diff.every((entry) => (entry.after?.length ?? 0) <= 300)).toBe(true);
  });
});

describe('AuditEntrySchema', () => {
  it('refuses an entry naming a person by number', () => {
    const entry = {
      id: 'a',
      at: '2026-03-02T10:00:00.000Z',
      actor: { kind: 'local', id: 'alice@laptop' },
      action: 'PERSON_SHOW',
      target: { phone: '+48601234567' },
      result: { status: 200 },
    };
    expect(AuditEntrySchema.safeParse(entry).success).toBe(false);
    expect(AuditEntrySchema.safeParse({ ...entry, target: { campaignId: 'demo' } }).success).toBe(true);
  });
});
