/**
 * The event Amazon Connect sends a Lambda function invoked from a flow (InvokeLambdaFunction),
 * parsed, never cast. Shape per the admin guide, "Invoke AWS Lambda functions" (`Name:
 * 'ContactFlowEvent'`, `Details.ContactData` with the contact's attributes and endpoints,
 * `Details.Parameters` with the action's `LambdaInvocationAttributes`), and @types/aws-lambda's
 * `ConnectContactFlowEvent`: https://docs.aws.amazon.com/connect/latest/adminguide/connect-lambda-functions.html
 *
 * Objects are loose: Connect adds fields over time (LanguageCode, Tags, SegmentAttributes, ...).
 */
import { z } from 'zod';
import type { ClaimedCall } from '../../use-cases/answers/resolve-call.ts';

const EndpointSchema = z.looseObject({ Address: z.string(), Type: z.string() });
/** A flow parameter that resolved to nothing arrives as null or is left out. */
const ParameterValueSchema = z.string().nullable();

export const ContactFlowEventSchema = z.looseObject({
  Name: z.literal('ContactFlowEvent'),
  Details: z.looseObject({
    ContactData: z.looseObject({
      Attributes: z.record(z.string(), z.string()).default({}),
      Channel: z.string(),
      ContactId: z.string().min(1),
      CustomerEndpoint: EndpointSchema.nullable(),
      InitialContactId: z.string().optional(),
      InitiationMethod: z.string(),
      InstanceARN: z.string(),
      PreviousContactId: z.string().optional(),
      Queue: z.looseObject({ ARN: z.string().optional(), Name: z.string().optional() }).nullable().optional(),
      SystemEndpoint: EndpointSchema.nullable().optional(),
    }),
    Parameters: z.record(z.string(), ParameterValueSchema).default({}),
  }),
});
export type ContactFlowEvent = z.infer<typeof ContactFlowEventSchema>;

/** The attributes the dispatcher starts every call with (functions/handlers/steps/dispatch.ts). */
export const CallAttributesSchema = z.looseObject({
  campaignId: z.string().min(1),
  runDate: z.iso.date(),
  attempt: z.coerce.number().int().min(1),
});

/** Contact attribute the flow sets to `VOICEMAIL` when call-progress analysis heard a machine. */
export const CALL_PROGRESS_ATTRIBUTE = 'callProgress';

/** The campaign of a call no longer exists: the flow takes its error branch and ends the call politely. */
export class CampaignNotFoundError extends Error {
  constructor(campaignId: string) {
    super(`campaign "${campaignId}" does not exist`);
    this.name = 'CampaignNotFoundError';
  }
}

/** Which contact attempt a flow invocation belongs to. */
export interface FlowCallRef {
  campaignId: string;
  date: string;
  phone: string;
  attempt: number;
  connectContactId: string;
}

/** The event is not for a call this engine started (attributes or the callee's number missing). */
export class NotAnEngineCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAnEngineCallError';
  }
}

/**
 * Parses the event and reads which contact attempt it claims to belong to: a claim only, until
 * `CallResolver` (functions/use-cases/answers/resolve-call.ts) has checked it against the call the dispatcher placed.
 * @throws ZodError for an event that is not a ContactFlowEvent; NotAnEngineCallError for a call
 *   without the engine's attributes.
 */
export function parseFlowEvent(input: unknown): { event: ContactFlowEvent; ref: FlowCallRef } {
  const event = ContactFlowEventSchema.parse(input);
  const { ContactData } = event.Details;
  const attributes = CallAttributesSchema.safeParse(ContactData.Attributes);
  if (!attributes.success) {
    throw new NotAnEngineCallError(`contact ${ContactData.ContactId} lacks the engine's call attributes`);
  }
  const phone = ContactData.CustomerEndpoint?.Address;
  if (phone === undefined || !/^\+[1-9]\d{6,14}$/.test(phone)) {
    throw new NotAnEngineCallError(`contact ${ContactData.ContactId} has no E.164 customer endpoint`);
  }
  return {
    event,
    ref: {
      campaignId: attributes.data.campaignId,
      date: attributes.data.runDate,
      attempt: attributes.data.attempt,
      phone,
      connectContactId: ContactData.ContactId,
    },
  };
}

/** The claim to check: the event's attempt, contact and Connect instance. */
export function claimOf(event: ContactFlowEvent, ref: FlowCallRef): ClaimedCall {
  return { ...ref, instanceArn: event.Details.ContactData.InstanceARN };
}

/** A flow parameter as a string, or undefined when absent, null or empty (own parameters only). */
export function parameter(event: ContactFlowEvent, name: string): string | undefined {
  const value = Object.hasOwn(event.Details.Parameters, name) ? event.Details.Parameters[name] : undefined;
  return value === null || value === undefined || value === '' ? undefined : value;
}
