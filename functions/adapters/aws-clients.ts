/**
 * One AWS SDK client per service for the whole process.
 * Endpoints come from the standard `AWS_ENDPOINT_URL_<SERVICE>` variables, which is all the
 * local cloud changes; the code is the same in AWS and on a laptop.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { ConnectClient } from '@aws-sdk/client-connect';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { meterDynamoDb, meterRequests } from '../lib/usage-meter.ts';

/**
 * No request may hang a Lambda until its timeout: a stalled connection fails fast and is retried
 * (`requestTimeout` is socket inactivity, so long S3 streams are unaffected).
 */
const requestHandler = {
  connectionTimeout: 3_000,
  requestTimeout: 10_000,
  // A dispatcher tick has hundreds of requests in flight; the default pool of 50 sockets queues them.
  httpAgent: { keepAlive: true, maxSockets: 512 },
  httpsAgent: { keepAlive: true, maxSockets: 512 },
};

export const dynamoDbClient = new DynamoDBClient({ maxAttempts: 5, requestHandler });
export const documentClient = DynamoDBDocumentClient.from(dynamoDbClient, {
  marshallOptions: { removeUndefinedValues: true },
});
/**
 * Path-style addressing works with S3 and with the local S3 endpoint alike. Checksums only where S3 requires them:
 * by default the SDK signs the CRC32 of an empty body into presigned PUT URLs (so S3 refuses the real upload) and
 * sends streamed bodies `aws-chunked` with a trailing checksum.
 */
export const s3Client = new S3Client({
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  requestHandler,
});
export const snsClient = new SNSClient({ requestHandler });
export const sfnClient = new SFNClient({ requestHandler });
/** The dispatcher handles Connect throttling itself (it slows down), so the SDK must not retry. */
export const connectClient = new ConnectClient({ maxAttempts: 1, requestHandler });
export const lambdaClient = new LambdaClient({ requestHandler });
/** Analyses poll for their query's end themselves, within the API's time limit. */
export const athenaClient = new AthenaClient({ requestHandler });
export const secretsManagerClient = new SecretsManagerClient({ requestHandler });

// The engine counts its own AWS usage (functions/lib/usage-meter.ts, docs/cost-model.md): consumed capacity of every
// DynamoDB request by key class, and requests to the other services.
meterDynamoDb(dynamoDbClient);
meterRequests(s3Client, 's3');
meterRequests(snsClient, 'sns');
meterRequests(sfnClient, 'states');
meterRequests(connectClient, 'connect');
meterRequests(lambdaClient, 'lambda');
