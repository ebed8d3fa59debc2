/**
 * The dialing use cases' ports in AWS (and in the local cloud, which only changes endpoints): one set of
 * adapters per process, built from the validated environment. Each handler composes only what it uses, so that
 * its code reaches, and its role allows, nothing more: the dispatcher starts calls but never reads contacts back
 * from Connect; the contact-event handler reads them back but never starts a call; the sweeper does both.
 */
import { AlertPublisher } from '../adapters/alerts.ts';
import { connectClient, documentClient } from '../adapters/aws-clients.ts';
import { CallMap } from '../adapters/call-map.ts';
import { CampaignStore, cachedCampaign } from '../adapters/campaign-store.ts';
import { ConnectContacts } from '../adapters/connect-contacts.ts';
import { ConnectDialer } from '../adapters/connect-dialer.ts';
import { DynamoDbContacts } from '../adapters/contacts.ts';
import { DialRateStore } from '../adapters/dial-rate.ts';
import { FollowUpStore } from '../adapters/follow-up-store.ts';
import { DynamoDbLineLeases } from '../adapters/line-leases.ts';
import { OptOuts } from '../adapters/opt-outs.ts';
import { RunCounters } from '../adapters/run-counters.ts';
import { RunStore } from '../adapters/run-store.ts';
import { SmsSender } from '../adapters/sms-sender.ts';
import { systemClock } from '../lib/clock.ts';
import { type Environment, PACING_CAPS } from '../lib/config.ts';
import { FollowUpSender } from '../use-cases/follow-ups/follow-up-sender.ts';

const idOf = (arn: string): string => arn.split('/').at(-1) ?? '';

/** The settings each part below reads (a handler asks for exactly those of the parts it composes). */
export const STORE_SETTINGS = ['TABLE_NAME', 'RETENTION_DAYS', 'ALERTS_TOPIC_ARN', ...PACING_CAPS] as const;
export const STARTER_SETTINGS = [
  'STAGE',
  'CONNECT_INSTANCE_ARN',
  'CONTACT_FLOW_ARN',
  'CONNECT_QUEUE_ID',
  'ANSWERING_MACHINE_DETECTION',
  'CONNECT_CAMPAIGN_ID',
] as const;
export const LOOKUP_SETTINGS = ['STAGE', 'CONNECT_INSTANCE_ARN'] as const;
/** The `engine` attribute of every call this stage places (and requires of every call it reads back). */
const engineIdOf = (settings: Pick<Environment, 'STAGE'>): string => `campaign-engine-${settings.STAGE}`;

/** The DynamoDB side of dialing, shared by every dialing handler. */
export function storePorts(settings: Pick<Environment, (typeof STORE_SETTINGS)[number]>) {
  const table = settings.TABLE_NAME;
  const campaignStore = new CampaignStore(table);
  const counters = new RunCounters(table, documentClient);
  return {
    clock: systemClock,
    runs: new RunStore(table, counters, documentClient),
    counters,
    contacts: new DynamoDbContacts(table, documentClient),
    leases: new DynamoDbLineLeases(
      table,
      { maxConcurrentCalls: settings.MAX_CONCURRENT_CALLS, dialsPerSecond: settings.DIALS_PER_SECOND },
      settings.RETENTION_DAYS,
      documentClient,
    ),
    calls: new CallMap(table, settings.RETENTION_DAYS, documentClient),
    dialRate: new DialRateStore(table, documentClient),
    optOuts: new OptOuts(table),
    campaigns: { get: (campaignId: string) => cachedCampaign(campaignStore, campaignId) },
    alerts: new AlertPublisher(table, settings.ALERTS_TOPIC_ARN),
  };
}

/** Starting calls through Connect. */
export function callStarter(settings: Pick<Environment, (typeof STARTER_SETTINGS)[number]>): ConnectDialer {
  return new ConnectDialer(
    {
      instanceId: idOf(settings.CONNECT_INSTANCE_ARN),
      contactFlowId: idOf(settings.CONTACT_FLOW_ARN),
      ...(settings.CONNECT_QUEUE_ID && { queueId: settings.CONNECT_QUEUE_ID }),
      engineId: engineIdOf(settings),
      ...(settings.ANSWERING_MACHINE_DETECTION && {
        answeringMachineDetection: { campaignId: settings.CONNECT_CAMPAIGN_ID || undefined },
      }),
    },
    connectClient,
  );
}

/** Reading contacts back from Connect. */
export function callLookUp(settings: Pick<Environment, (typeof LOOKUP_SETTINGS)[number]>): ConnectContacts {
  return new ConnectContacts(
    { instanceId: idOf(settings.CONNECT_INSTANCE_ARN), engineId: engineIdOf(settings) },
    connectClient,
  );
}

/** Follow-up SMS after a call is settled. */
export function followUpSender(
  settings: Pick<Environment, 'TABLE_NAME' | 'RETENTION_DAYS' | 'ALERTS_TOPIC_ARN'>,
): FollowUpSender {
  return new FollowUpSender({
    store: new FollowUpStore(settings.TABLE_NAME, settings.RETENTION_DAYS),
    sms: new SmsSender(),
    alerts: new AlertPublisher(settings.TABLE_NAME, settings.ALERTS_TOPIC_ARN),
  });
}
