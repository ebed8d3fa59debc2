/**
 * Amazon Connect contact events (EventBridge): when an outbound attempt ends, settle it
 * (functions/use-cases/dialing/settle-attempt.ts): classify its outcome, release its line exactly once and apply
 * the campaign's retry policy.
 *
 * Events are best effort: late, duplicated, out of order, or before the dispatcher recorded the ContactId.
 * Duplicates and late events find the lease gone and change nothing; a contact with no record yet is resolved
 * from its own attributes. On an instance shared with other applications, events this engine has no use for are
 * ignored quietly (a debug log; no retry, no dead letter, no alarm): other event types, other channels, contacts
 * started some other way than the API, other instances, and contacts the engine (this stage) did not place.
 */

import { RunUsageStore } from '../../adapters/run-usage.ts';
import { environment } from '../../lib/config.ts';
import { lambdaHandler } from '../../lib/handler.ts';
import { logger } from '../../lib/logger.ts';
import { RunUsageRecorder } from '../../lib/run-usage.ts';
import { endCall } from '../../use-cases/dialing/settle-attempt.ts';
import { callLookUp, followUpSender, LOOKUP_SETTINGS, STORE_SETTINGS, storePorts } from '../dialing-ports.ts';
import { ContactEventSchema, reasonToIgnore } from './contact-event.ts';

const settings = environment([...STORE_SETTINGS, ...LOOKUP_SETTINGS]);
const ports = { ...storePorts(settings), dialer: callLookUp(settings), followUps: followUpSender(settings) };

/** This function's usage goes to the runs it works on (the run report's cost, docs/cost-model.md). */
const runUsage = new RunUsageRecorder(new RunUsageStore(settings.TABLE_NAME));

export const handler = lambdaHandler(
  async (input: unknown) => {
    const event = ContactEventSchema.parse(input);
    const { detail } = event;
    const ignored = reasonToIgnore(event, settings.CONNECT_INSTANCE_ARN);
    if (ignored !== undefined) {
      logger.debug('contact event ignored', { contactId: detail.contactId, reason: ignored });
      return { ignored };
    }
    const result = await endCall(ports, detail.contactId, {
      disconnectReason: detail.disconnectReason,
      answeringMachineDetectionStatus: detail.answeringMachineDetectionStatus,
      connectedToSystemTimestamp: detail.connectedToSystemTimestamp,
      disconnectTimestamp: detail.disconnectTimestamp,
    });
    if (!result.settled && result.reason === 'NOT_OURS') {
      logger.debug('contact event ignored', { contactId: detail.contactId, reason: 'not placed by this engine' });
      return { ignored: 'not placed by this engine' };
    }
    return result;
  },
  { runUsage },
);
