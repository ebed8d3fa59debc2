/**
 * One AWS SDK client per service for the whole process.
 * Endpoints come from the standard `AWS_ENDPOINT_URL_<SERVICE>` variables, which is all the
 * local cloud changes; the code is the same in AWS and on a laptop.
 */
import { ConnectClient } from '@aws-sdk/client-connect';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const dynamoDbClient = new DynamoDBClient({ maxAttempts: 5 });
export const documentClient = DynamoDBDocumentClient.from(dynamoDbClient, {
  marshallOptions: { removeUndefinedValues: true },
});
/** Path-style addressing works with S3 and with the local S3 endpoint alike. */
export const s3Client = new S3Client({ forcePathStyle: true });
export const snsClient = new SNSClient({});
export const sfnClient = new SFNClient({});
/** The dispatcher handles Connect throttling itself (it slows down), so the SDK must not retry. */
export const connectClient = new ConnectClient({ maxAttempts: 1 });
