/**
 * Reads back from Amazon Connect what the engine needs to know about a contact it may have placed: which attempt
 * it is (the `engine`, `campaignId`, `runDate` and `attempt` attributes every call starts with,
 * GetContactAttributes) and how it ended (DescribeContact). Used by the contact-event handler for contacts it has
 * no record of and by the sweeper; the dispatcher never needs it.
 */
import {
  type ConnectClient,
  DescribeContactCommand,
  type DescribeContactCommandOutput,
  GetContactAttributesCommand,
} from '@aws-sdk/client-connect';
import { z } from 'zod';
import { TransientError } from '../lib/transient-error.ts';
import type { CallEndSignals, CallLookUp, PlacedCall } from '../use-cases/dialing/ports.ts';
import { type ConnectError, describeError, THROTTLING } from './connect-dialer.ts';

/** The attributes every engine call starts with, as read back. */
const EngineAttributesSchema = z.looseObject({
  engine: z.string(),
  campaignId: z.string().min(1),
  runDate: z.iso.date(),
  attempt: z.coerce.number().int().min(1),
});

export class ConnectContacts implements CallLookUp {
  private readonly settings: { instanceId: string; engineId: string };
  private readonly client: ConnectClient;

  constructor(settings: { instanceId: string; engineId: string }, client: ConnectClient) {
    this.settings = settings;
    this.client = client;
  }

  async lookUp(connectContactId: string): Promise<PlacedCall | undefined> {
    let attributes: Record<string, string>;
    try {
      const output = await this.client.send(
        new GetContactAttributesCommand({ InstanceId: this.settings.instanceId, InitialContactId: connectContactId }),
      );
      attributes = output.Attributes ?? {};
    } catch (caught) {
      return this.unlessMissing(caught);
    }
    const parsed = EngineAttributesSchema.safeParse(attributes);
    if (!parsed.success || parsed.data.engine !== this.settings.engineId) return undefined;
    let contact: DescribeContactCommandOutput['Contact'];
    try {
      ({ Contact: contact } = await this.client.send(
        new DescribeContactCommand({ InstanceId: this.settings.instanceId, ContactId: connectContactId }),
      ));
    } catch (caught) {
      return this.unlessMissing(caught);
    }
    const described = DescribedContactSchema.parse(contact ?? {});
    const phone = described.CustomerEndpoint?.Address;
    if (phone === undefined) return undefined;
    return {
      ref: { campaignId: parsed.data.campaignId, date: parsed.data.runDate, phone, attempt: parsed.data.attempt },
      ...(described.DisconnectTimestamp !== undefined && { ended: endSignalsOf(described) }),
    };
  }

  /** How a call the caller knows is ours ended (the sweeper, with the ContactId on the lease); undefined while it goes on. */
  async describeEnd(connectContactId: string): Promise<CallEndSignals | undefined> {
    const output = await this.client.send(
      new DescribeContactCommand({ InstanceId: this.settings.instanceId, ContactId: connectContactId }),
    );
    const described = DescribedContactSchema.parse(output.Contact ?? {});
    return described.DisconnectTimestamp === undefined ? undefined : endSignalsOf(described);
  }

  /** Connect does not know the contact (another instance, too old): not ours. Throttling: try again later. */
  private unlessMissing(caught: unknown): undefined {
    const error = caught as ConnectError;
    if (error.name === 'ResourceNotFoundException') return undefined;
    if (
      THROTTLING.has(error.name) ||
      error.$metadata?.httpStatusCode === 429 ||
      (error.$metadata?.httpStatusCode ?? 0) >= 500
    ) {
      throw new TransientError(`Connect is busy: ${describeError(error)}`, { cause: error });
    }
    throw new Error(`Connect refused to describe a contact: ${describeError(error)}`);
  }
}

const DescribedContactSchema = z.looseObject({
  CustomerEndpoint: z.looseObject({ Address: z.string().optional() }).optional(),
  ConnectedToSystemTimestamp: z.date().optional(),
  DisconnectTimestamp: z.date().optional(),
  DisconnectReason: z.string().optional(),
  AnsweringMachineDetectionStatus: z.string().optional(),
});

/** What DescribeContact says about how a call ended, as the contact event would have said it. */
export function endSignalsOf(contact: z.infer<typeof DescribedContactSchema>): CallEndSignals {
  return {
    disconnectReason: contact.DisconnectReason,
    answeringMachineDetectionStatus: contact.AnsweringMachineDetectionStatus,
    connectedToSystemTimestamp: contact.ConnectedToSystemTimestamp?.toISOString(),
    disconnectTimestamp: contact.DisconnectTimestamp?.toISOString(),
  };
}
