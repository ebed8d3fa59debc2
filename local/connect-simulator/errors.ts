/**
 * Connect API errors as the restJson1 protocol signals them: an HTTP status, the error name in the
 * `X-Amzn-Errortype` header and a JSON body with the message. Statuses are the ones in the AWS
 * Smithy model for Connect 2017-08-08 (checked against @aws-sdk/client-connect's schema), so the
 * unchanged SDK deserialises each into its own exception class.
 */
export const CONNECT_ERROR_STATUS = {
  InvalidParameterException: 400,
  InvalidRequestException: 400,
  DestinationNotAllowedException: 403,
  OutboundContactNotPermittedException: 403,
  ResourceNotFoundException: 404,
  ContactNotFoundException: 410,
  LimitExceededException: 429,
  ThrottlingException: 429,
  InternalServiceException: 500,
  /** Not in the Connect model: what AWS front ends answer for a path no operation serves. */
  UnknownOperationException: 404,
} as const;

/** Name of a Connect error the simulator can return. */
export type ConnectErrorType = keyof typeof CONNECT_ERROR_STATUS;

/** An API error to be written to the wire by the HTTP layer. */
export class ConnectApiError extends Error {
  readonly errorType: ConnectErrorType;
  readonly statusCode: number;

  constructor(errorType: ConnectErrorType, message: string) {
    super(message);
    this.name = 'ConnectApiError';
    this.errorType = errorType;
    this.statusCode = CONNECT_ERROR_STATUS[errorType];
  }
}
