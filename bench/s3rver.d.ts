/** The parts of s3rver (the local S3 that serverless-s3-local runs) the analytics benchmark uses. */
declare module 's3rver' {
  export default class S3rver {
    constructor(options: { port: number; address: string; directory: string; silent?: boolean });
    run(): Promise<unknown>;
    close(): Promise<void>;
  }
}
