import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, storageOrigin } from '../../../../functions/handlers/http/dashboard.ts';

describe("the dashboard's content security policy", () => {
  it('lets the page reach its own API and the S3 endpoint of presigned uploads, nothing else', () => {
    const policy = contentSecurityPolicy({ AWS_REGION: 'eu-west-1' });
    const connect = policy.split('; ').find((directive) => directive.startsWith('connect-src'));
    expect(connect).toBe("connect-src 'self' https://s3.eu-west-1.amazonaws.com");
    expect(policy).not.toContain('*');
  });

  it('follows the S3 endpoint the SDK is given (the local S3 on npm start)', () => {
    expect(storageOrigin({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:14569', AWS_REGION: 'eu-west-1' })).toBe(
      'http://127.0.0.1:14569',
    );
    expect(storageOrigin({ AWS_ENDPOINT_URL: 'http://localhost:4566/' })).toBe('http://localhost:4566');
    expect(storageOrigin({ AWS_REGION: 'cn-north-1' })).toBe('https://s3.cn-north-1.amazonaws.com.cn');
  });
});
