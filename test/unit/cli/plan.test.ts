import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PlanSchema } from '../../../cli/api-schemas.ts';
import { contactsPerZone, renderPlan } from '../../../cli/commands/plan.ts';

const golden = PlanSchema.parse(JSON.parse(readFileSync('test/fixtures/plans/misses-window.json', 'utf8')));

describe('campaign plan', () => {
  it('shows each input with where it came from, the prediction and what to raise', () => {
    const text = renderPlan(golden, 'Europe/Warsaw');
    expect(text.split('\n')[0]).toBe(
      'plan for weekday on 2026-03-02: window 02/03/2026, 09:00 – 02/03/2026, 20:00 (Europe/Warsaw)',
    );
    expect(text).toMatch(/contacts\s+20,000\s+test/);
    expect(text).toMatch(/dial rate\s+1.5\/s\s+test/);
    expect(text).toMatch(/outcome mix\s+COMPLETED 50 %, NO_ANSWER 35 %, BUSY 10 %, VOICEMAIL 5 %\s+documented default/);
    expect(text).toMatch(/at window close\s+11 contacts still waiting \(0.1 %\)/);
    expect(text).toMatch(/paced by\s+the dial rate/);
    expect(text).toContain('to finish in the window: 300 lines, 2.4/s, flow Lambda concurrency 60');
    expect(text).toContain('simulated 13,333 contacts (the list scaled down 1.5×), 4 runs');
    expect(text).not.toContain('engine cost');
  });

  it('shows the engine cost and the telephony apart once the plan is priced', () => {
    const priced = {
      ...golden,
      cost: {
        engine: { total: 1.234, perThousandContacts: 0.0617, source: 'usage measured 2026-12-04' },
        telephony: { total: 456.7, source: 'eu-west-1 list prices' },
      },
    };
    const text = renderPlan(priced, 'Europe/Warsaw');
    expect(text).toMatch(/engine cost\s+\$1.23 \(\$0.062 per 1,000 contacts\) — usage measured 2026-12-04/);
    expect(text).toMatch(/telephony\s+\$456.70 — eu-west-1 list prices/);
  });

  it('reads a list as the import would: contacts per time zone, rejected rows counted apart', async () => {
    const campaign = parse(readFileSync('config/campaigns/demo.yml', 'utf8'));
    const read = await contactsPerZone('config/demo/list.csv', campaign);
    expect(read.accepted).toBeGreaterThan(0);
    expect(read.rejected).toBeGreaterThan(0);
    expect(Object.values(read.timeZones).reduce((sum, count) => sum + count, 0)).toBe(read.accepted);
    await expect(contactsPerZone('config/demo/no-such-list.csv', campaign)).rejects.toThrow(/cannot read .*ENOENT/);
  });
});
