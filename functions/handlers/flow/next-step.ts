/**
 * Contact-flow Lambda "next step": the first thing the generic outbound flow asks once the call is
 * answered. It reads the campaign's script (cached, so a `PUT /campaigns/{id}` reaches new calls
 * within the cache age) and answers with the greeting and first question, or, when the flow found an
 * answering machine, the voicemail message (or a silent hang-up), as a flat string map
 * (functions/core/script/flow-steps.ts). Read-only: a retried invocation answers the same.
 */
import { CampaignStore, cachedCampaign } from '../../adapters/campaign-store.ts';
import { FlowCallStore } from '../../adapters/flow-calls.ts';
import { RunUsageStore } from '../../adapters/run-usage.ts';
import { firstStep, toStringMap } from '../../core/script/flow-steps.ts';
import { environment } from '../../lib/config.ts';
import { lambdaHandler } from '../../lib/handler.ts';
import { logger, maskPhone } from '../../lib/logger.ts';
import { RunUsageRecorder } from '../../lib/run-usage.ts';
import { attributeToRun } from '../../lib/usage-meter.ts';
import { CallResolver } from '../../use-cases/answers/resolve-call.ts';
import { CALL_PROGRESS_ATTRIBUTE, CampaignNotFoundError, claimOf, parseFlowEvent } from './contact-flow-event.ts';

const settings = environment(['TABLE_NAME', 'CAMPAIGN_CACHE_SECONDS', 'CONNECT_INSTANCE_ARN', 'MAX_CALL_SECONDS']);
const campaigns = new CampaignStore(settings.TABLE_NAME);
const calls = new CallResolver(new FlowCallStore(settings.TABLE_NAME), {
  instanceArn: settings.CONNECT_INSTANCE_ARN,
  maxCallSeconds: settings.MAX_CALL_SECONDS,
});

/** This function's usage goes to the runs it works on (the run report's cost, docs/cost-model.md). */
const runUsage = new RunUsageRecorder(new RunUsageStore(settings.TABLE_NAME));

export const handler = lambdaHandler(
  async (input: unknown): Promise<Record<string, string>> => {
    const parsed = parseFlowEvent(input);
    const { event } = parsed;
    // The script is only told to calls the engine placed (docs/contact-flow.md, "Least trust").
    const ref = await calls.resolve(claimOf(event, parsed.ref));
    // It only reads: its usage goes to the call's run by name.
    attributeToRun(ref.campaignId, ref.date);
    const stored = await cachedCampaign(campaigns, ref.campaignId, Date.now(), settings.CAMPAIGN_CACHE_SECONDS * 1000);
    if (stored === undefined) throw new CampaignNotFoundError(ref.campaignId);
    const attributes = event.Details.ContactData.Attributes;
    const callProgress = attributes[CALL_PROGRESS_ATTRIBUTE] === 'VOICEMAIL' ? 'VOICEMAIL' : 'HUMAN';
    const step = firstStep({ script: stored.campaign.script, scriptVersion: stored.version, attributes }, callProgress);
    logger.info('call started', {
      campaignId: ref.campaignId,
      date: ref.date,
      phone: maskPhone(ref.phone),
      attempt: ref.attempt,
      callProgress,
      action: step.action,
      questionId: step.questionId,
      scriptVersion: stored.version,
    });
    return toStringMap(step);
  },
  { runUsage },
);
