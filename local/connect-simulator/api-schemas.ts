/**
 * Request bodies of the Connect operations the simulator serves, as the SDK serialises them
 * (restJson1: member names as in the Smithy model). Unknown members are accepted and ignored.
 */
import { z } from 'zod';
import { ConnectApiError } from './errors.ts';
import { DisconnectReasonSchema, E164 } from './vocabulary.ts';

/** Attribute keys may hold only alphanumerics, dash and underscore (StartOutboundVoiceContact docs). */
const ATTRIBUTE_KEY = /^[A-Za-z0-9_-]+$/;
/** Total size of all attribute keys and values (UTF-8 bytes). */
export const MAX_ATTRIBUTES_BYTES = 32_768;

export const StartOutboundVoiceContactRequestSchema = z.looseObject({
  InstanceId: z.string().min(1).max(100),
  ContactFlowId: z.string().min(1).max(500),
  DestinationPhoneNumber: z.string().min(1),
  SourcePhoneNumber: z.string().optional(),
  QueueId: z.string().min(1).optional(),
  ClientToken: z.string().min(1).max(500).optional(),
  Attributes: z
    .record(z.string().regex(ATTRIBUTE_KEY, 'attribute keys may contain only A-Z, a-z, 0-9, - and _'), z.string())
    .optional()
    .refine((attributes) => attributesBytes(attributes ?? {}) <= MAX_ATTRIBUTES_BYTES, {
      message: `attributes exceed ${MAX_ATTRIBUTES_BYTES} bytes`,
    }),
  AnswerMachineDetectionConfig: z
    .looseObject({
      EnableAnswerMachineDetection: z.boolean().optional(),
      AwaitAnswerMachinePrompt: z.boolean().optional(),
    })
    .optional(),
  CampaignId: z.string().min(1).max(100).optional(),
  TrafficType: z.enum(['GENERAL', 'CAMPAIGN']).optional(),
  RingTimeoutInSeconds: z.int().min(15).max(60).optional(),
});
export type StartOutboundVoiceContactRequest = z.infer<typeof StartOutboundVoiceContactRequestSchema>;

export const StopContactRequestSchema = z.looseObject({
  ContactId: z.string().min(1).max(256),
  InstanceId: z.string().min(1).max(100),
  DisconnectReason: z.looseObject({ Code: DisconnectReasonSchema.optional() }).optional(),
});

/**
 * Parses a request body.
 * @throws ConnectApiError InvalidParameterException naming the first offending member.
 */
export function parseRequest<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  throw new ConnectApiError('InvalidParameterException', `${where}${issue?.message ?? 'invalid request'}`);
}

/**
 * Parses StartOutboundVoiceContact and applies the rules the schema cannot express alone.
 * @throws ConnectApiError InvalidParameterException
 */
export function parseStartOutboundVoiceContact(body: unknown): StartOutboundVoiceContactRequest {
  const request = parseRequest(StartOutboundVoiceContactRequestSchema, body);
  if (!E164.test(request.DestinationPhoneNumber)) {
    throw new ConnectApiError('InvalidParameterException', 'DestinationPhoneNumber is not a valid E.164 number');
  }
  if (request.SourcePhoneNumber !== undefined && !E164.test(request.SourcePhoneNumber)) {
    throw new ConnectApiError('InvalidParameterException', 'SourcePhoneNumber is not a valid E.164 number');
  }
  // "If you do not specify a queue, you must specify a source phone number."
  if (request.SourcePhoneNumber === undefined && request.QueueId === undefined) {
    throw new ConnectApiError('InvalidParameterException', 'Either SourcePhoneNumber or QueueId is required');
  }
  // "Use CAMPAIGN if EnableAnswerMachineDetection is set to true."
  if (request.AnswerMachineDetectionConfig?.EnableAnswerMachineDetection && request.TrafficType !== 'CAMPAIGN') {
    throw new ConnectApiError(
      'InvalidParameterException',
      'AnswerMachineDetectionConfig requires TrafficType CAMPAIGN',
    );
  }
  return request;
}

function attributesBytes(attributes: Record<string, string>): number {
  return Object.entries(attributes).reduce(
    (total, [key, value]) => total + Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8'),
    0,
  );
}
