import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCampaign } from '../../../../functions/core/campaign.ts';
import { defaultOutcomeMix } from '../../../../functions/core/planning/outcome-mix.ts';
import { parseScenario } from '../../../../local/connect-simulator/scenario.ts';
import { scenarioFor } from '../../../../tools/rehearsal/scenario.ts';

const CAMPAIGN = 'config/campaigns/demo.yml';
const campaign = parseCampaign(parse(readFileSync(CAMPAIGN, 'utf8')), CAMPAIGN);

describe('scenarioFor', () => {
  it("has answering machines hang up when the mix's voicemail line time (ring included) is over", () => {
    const mix = defaultOutcomeMix(campaign.run.ringTimeoutSeconds);
    const voicemail = mix.VOICEMAIL;
    if (voicemail === undefined) throw new Error('the default mix has voicemails');

    const scenario = parseScenario(scenarioFor(mix, campaign, 0.1, 1));

    // 20-40 s of line time, 5-15 s of it ringing (10 s on average): the machine records 10-30 s.
    expect(voicemail).toEqual({ share: 0.05, lineSeconds: { min: 20, max: 40 }, ringSeconds: { min: 5, max: 15 } });
    expect(scenario.voicemailMs).toEqual({ min: 10_000, max: 30_000 });
  });

  it('leaves machines recording until the flow disconnects when the mix has no voicemails', () => {
    const { VOICEMAIL: _, ...mix } = defaultOutcomeMix(campaign.run.ringTimeoutSeconds);

    expect(parseScenario(scenarioFor(mix, campaign, 0.1, 1)).voicemailMs).toBeNull();
  });
});
