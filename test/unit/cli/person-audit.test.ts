import { describe, expect, it } from 'vitest';
import { AuditListSchema, PersonViewSchema } from '../../../cli/api-schemas.ts';
import { renderAudit } from '../../../cli/commands/audit.ts';
import { e164Argument, renderPerson } from '../../../cli/commands/person.ts';

describe('campaign person', () => {
  it('takes a number however it is written, with its country code', () => {
    expect(e164Argument('+48 601 234 567')).toBe('+48601234567');
    expect(e164Argument('0048601234567')).toBe('+48601234567');
    expect(e164Argument('48601234567')).toBe('+48601234567');
    expect(() => e164Argument('601')).toThrow(/not an international number/);
  });

  it('shows what the engine holds, run by run', () => {
    const view = PersonViewSchema.parse({
      phone: '+48601234567',
      runs: [{ campaignId: 'flu', date: '2026-03-02' }],
      contacts: [{ campaignId: 'flu', date: '2026-03-02', status: 'COMPLETED', attempts: 2 }],
      answers: [{}],
      followUps: [],
      calls: [{}, {}],
      contactLedger: [{ at: '2026-03-02T09:00:00Z' }],
      doNotCall: { listed: true, source: 'opt-out' },
      lists: [{ campaignId: 'flu', date: '2026-03-02', listId: 'l1' }],
      exports: [],
    });
    const text = renderPerson(view);
    expect(text).toContain('flu 2026-03-02');
    expect(text).toMatch(/do-not-call\s+listed \(opt-out\)/);
    expect(text).toMatch(/flu\s+2026-03-02\s+COMPLETED\s+2/);
  });
});

describe('campaign audit', () => {
  it('lists who did what, with a change’s diff', () => {
    const list = AuditListSchema.parse({
      from: '2026-03-01',
      to: '2026-03-02',
      truncated: false,
      entries: [
        {
          at: '2026-03-02T10:00:00Z',
          action: 'CAMPAIGN_PUT',
          actor: { kind: 'local', id: 'alice@laptop' },
          target: { campaignId: 'demo' },
          result: { status: 200 },
          details: { version: 2 },
          diff: [{ path: 'callingWindow.start', before: '"09:00"', after: '"10:00"' }],
        },
      ],
    });
    const text = renderAudit(list, new Date('2026-03-02T12:00:00Z'));
    expect(text).toContain('alice@laptop');
    expect(text).toContain('CAMPAIGN_PUT');
    expect(text).toContain('callingWindow.start: "09:00" → "10:00"');
  });
});
