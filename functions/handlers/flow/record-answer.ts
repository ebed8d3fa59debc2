/**
 * Contact-flow Lambda "record answer": the flow hands over the key the callee pressed (or
 * `Timeout`) with the question it asked; this function interprets it against the script, records
 * an answer exactly once (answer item + run counters + contact progress in one transaction), puts
 * an opting-out callee on the do-not-call list, and answers with the next step of the call.
 *
 * Connect retries an invocation that failed or timed out, so everything here is idempotent: a
 * repeated answer finds its item already written (the transaction cancels, nothing is counted
 * twice) and gets the same next step; a repeated opt-out changes nothing.
 */
import { z } from 'zod';
import { AnswerStore } from '../../adapters/answer-store.ts';
import { CampaignStore, cachedCampaign } from '../../adapters/campaign-store.ts';
import { FlowCallStore } from '../../adapters/flow-calls.ts';
import { SecretNumberHasher } from '../../adapters/number-hasher.ts';
import { OptOuts } from '../../adapters/opt-outs.ts';
import { RunUsageStore } from '../../adapters/run-usage.ts';
import { stepAfterInput, toStringMap } from '../../core/script/flow-steps.ts';
import { environment } from '../../lib/config.ts';
import { lambdaHandler } from '../../lib/handler.ts';
import { logger, maskPhone } from '../../lib/logger.ts';
import { RunUsageRecorder } from '../../lib/run-usage.ts';
import { CallResolver } from '../../use-cases/answers/resolve-call.ts';
import { CampaignNotFoundError, claimOf, parseFlowEvent } from './contact-flow-event.ts';

const settings = environment([
  'TABLE_NAME',
  'CAMPAIGN_CACHE_SECONDS',
  'RETENTION_DAYS',
  'CONNECT_INSTANCE_ARN',
  'MAX_CALL_SECONDS',
  'PERSON_KEY_SECRET_ARN',
]);
const campaigns = new CampaignStore(settings.TABLE_NAME);
const answers = new AnswerStore(settings.TABLE_NAME, settings.RETENTION_DAYS);
const optOuts = new OptOuts(settings.TABLE_NAME, new SecretNumberHasher(settings.PERSON_KEY_SECRET_ARN));
const calls = new CallResolver(new FlowCallStore(settings.TABLE_NAME), {
  instanceArn: settings.CONNECT_INSTANCE_ARN,
  maxCallSeconds: settings.MAX_CALL_SECONDS,
});

/** The flow's `LambdaInvocationAttributes` (contact-flows/outbound-survey.json, action "record-answer"). */
export const RecordAnswerParametersSchema = z.object({
  questionId: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/),
  retry: z.coerce.number().int().min(0),
  answered: z.coerce.number().int().min(0),
  scriptVersion: z.coerce.number().int().min(0),
  /** `$.StoredCustomerInput`: the key, or `Timeout` when nothing was pressed. */
  input: z.string().optional(),
});
export type RecordAnswerParameters = z.infer<typeof RecordAnswerParametersSchema>;

/** What happened to the input, returned to the flow as `$.External.result` (and seen in call logs). */
export type RecordResult =
  | 'RECORDED'
  | 'DUPLICATE'
  /** The answer is for an attempt that is not the contact's current one: nothing was recorded. */
  | 'NOT_CURRENT'
  | 'OPTED_OUT'
  | 'TRANSFERRED'
  | 'INVALID'
  | 'NO_INPUT'
  | 'UNKNOWN_QUESTION';

/** This function's usage goes to the runs it works on (the run report's cost, docs/cost-model.md). */
const runUsage = new RunUsageRecorder(new RunUsageStore(settings.TABLE_NAME));

export const handler = lambdaHandler(
  async (input: unknown): Promise<Record<string, string>> => {
    const parsed = parseFlowEvent(input);
    const { event } = parsed;
    // Which call this is comes from what the dispatcher recorded, never from the event alone (docs/contact-flow.md).
    const ref = await calls.resolve(claimOf(event, parsed.ref));
    const parameters = RecordAnswerParametersSchema.parse(
      Object.fromEntries(
        Object.entries(event.Details.Parameters).filter(([, value]) => value !== null && value !== ''),
      ),
    );
    const stored = await cachedCampaign(campaigns, ref.campaignId, Date.now(), settings.CAMPAIGN_CACHE_SECONDS * 1000);
    if (stored === undefined) throw new CampaignNotFoundError(ref.campaignId);
    const outcome = stepAfterInput(
      {
        script: stored.campaign.script,
        scriptVersion: stored.version,
        attributes: event.Details.ContactData.Attributes,
      },
      parameters,
      parameters.input,
    );
    const now = new Date();
    let result: RecordResult;
    switch (outcome.kind) {
      case 'ANSWER':
        result = await answers.record({
          ref,
          questionId: outcome.questionId,
          key: outcome.key,
          label: outcome.label,
          scriptVersion: parameters.scriptVersion,
          answeredAt: now,
          connectContactId: ref.connectContactId,
          progress: {
            attempt: ref.attempt,
            questionsAnswered: outcome.step.answered,
            completed: outcome.completed,
            optedOut: false,
          },
        });
        break;
      case 'OPT_OUT': {
        // ref.phone is the number the dispatcher called for this ContactId: nobody else can be opted out.
        const suppressed = await optOuts.optOut(ref.phone, now);
        await answers.recordProgress(ref, {
          attempt: ref.attempt,
          questionsAnswered: parameters.answered,
          completed: false,
          optedOut: true,
        });
        logger.info('opted out', { phone: maskPhone(ref.phone), suppressedElsewhere: suppressed });
        result = 'OPTED_OUT';
        break;
      }
      case 'TRANSFER':
        // Recorded before the flow transfers: no Lambda runs once the call is queued. Whether the
        // transfer happened is read from the disconnect reason when the call is settled (outcome.ts).
        await answers.recordProgress(ref, {
          attempt: ref.attempt,
          questionsAnswered: parameters.answered,
          completed: false,
          optedOut: false,
          transferred: true,
        });
        result = 'TRANSFERRED';
        break;
      default:
        result = outcome.kind;
    }
    logger.info('keypad input', {
      campaignId: ref.campaignId,
      date: ref.date,
      phone: maskPhone(ref.phone),
      attempt: ref.attempt,
      questionId: parameters.questionId,
      retry: parameters.retry,
      result,
      next: outcome.step.action,
    });
    return toStringMap(outcome.step, { result });
  },
  { runUsage },
);
