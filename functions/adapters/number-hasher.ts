/**
 * Keyed hashes of phone numbers (HMAC-SHA256): what the do-not-call list keeps instead of the number, so an opt-out
 * outlives the erasure of everything else about the person. The key is
 * the stage's secret in Secrets Manager (serverless.yml, `PersonKeySecret`; locally the local cloud's), read once
 * per process on first use: without the key nobody can tell which number a hash stands for by hashing every
 * possible number, which an unkeyed hash of a ten-digit number would allow.
 */
import { createHmac } from 'node:crypto';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsManagerClient } from './aws-clients.ts';

/** Hashes phone numbers with the stage's key. */
export interface NumberHasher {
  /** The keyed hash of an E.164 number: 64 lower-case hex characters. */
  hash(phone: string): Promise<string>;
}

export class SecretNumberHasher implements NumberHasher {
  private readonly secretId: string;
  private readonly client: Pick<typeof secretsManagerClient, 'send'>;
  private key: Promise<Buffer> | undefined;

  constructor(secretId: string, client: Pick<typeof secretsManagerClient, 'send'> = secretsManagerClient) {
    this.secretId = secretId;
    this.client = client;
  }

  async hash(phone: string): Promise<string> {
    return hashWithKey(await this.loadKey(), phone);
  }

  private loadKey(): Promise<Buffer> {
    this.key ??= this.client.send(new GetSecretValueCommand({ SecretId: this.secretId })).then(
      (output) => {
        const secret = output.SecretString;
        if (secret === undefined || secret.length < 32) {
          throw new Error(`secret ${this.secretId} holds no key of at least 32 characters`);
        }
        return Buffer.from(secret, 'utf8');
      },
      (error: unknown) => {
        // A failed read is tried again by the next call instead of failing every later one.
        this.key = undefined;
        throw error;
      },
    );
    return this.key;
  }
}

/** HMAC-SHA256 of the number under `key`, hex. */
export function hashWithKey(key: Buffer, phone: string): string {
  return createHmac('sha256', key).update(phone, 'utf8').digest('hex');
}

/** A hasher with a key given in code: benchmarks and tools that write to a table of their own. */
export class FixedKeyNumberHasher implements NumberHasher {
  private readonly key: Buffer;

  constructor(key: string) {
    this.key = Buffer.from(key, 'utf8');
  }

  async hash(phone: string): Promise<string> {
    return hashWithKey(this.key, phone);
  }
}
