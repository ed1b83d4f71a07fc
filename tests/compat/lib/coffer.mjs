// What a compat test needs to reach the Coffer that run.mjs started.
import COS from 'cos-nodejs-sdk-v5';
import { S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';

export const Region = 'ap-guangzhou';
export const endpoint = new URL(process.env.COFFER_ENDPOINT ?? 'http://127.0.0.1:9000');
export const account = {
  appId: process.env.COFFER_APPID,
  uin: process.env.COFFER_UIN,
  secretId: process.env.COFFER_SECRET_ID,
  secretKey: process.env.COFFER_SECRET_KEY,
};
/** A second root account of the same server, for tests across accounts. */
export const partner = {
  appId: process.env.COFFER_PARTNER_APPID,
  uin: process.env.COFFER_PARTNER_UIN,
  secretId: process.env.COFFER_PARTNER_SECRET_ID,
  secretKey: process.env.COFFER_PARTNER_SECRET_KEY,
};
if (Object.values(partner).some((value) => !value)) {
  throw new Error('COFFER_PARTNER_* are not set: run the suite through run.mjs, which configures the partner account');
}

/** The official SDK in "Ip" mode: it builds the real virtual-host name and connects to our address. */
export function cosClient(options = {}) {
  return new COS({
    SecretId: options.secretId ?? account.secretId,
    SecretKey: options.secretKey ?? account.secretKey,
    Protocol: 'http:',
    Ip: endpoint.host,
  });
}

/**
 * The official AWS SDK v3 S3 client, path-style against our address, with its default checksum behaviour
 * (CRC32 on PutObject/UploadPart, aws-chunked with a trailer for streamed bodies).
 */
export function s3Client(options = {}) {
  // The SDK warns once per process that its 2027 releases need Node 22; the suite targets Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    endpoint: process.env.COFFER_ENDPOINT ?? endpoint.origin,
    region: Region,
    forcePathStyle: true,
    credentials: {
      accessKeyId: options.secretId ?? account.secretId,
      secretAccessKey: options.secretKey ?? account.secretKey,
    },
    ...(options.config ?? {}),
  });
}

/** Calls an SDK method that takes (params, callback) and returns its result as a promise. */
export function call(client, method, params) {
  return new Promise((resolve, reject) => client[method](params, (err, data) => (err ? reject(err) : resolve(data))));
}

/** A fresh bucket name of the test account (or of the account whose APPID is given). */
export function bucketName(label, appId = account.appId) {
  return `${label}-${randomBytes(3).toString('hex')}-${appId}`;
}

/**
 * Records every exchange an AWS SDK client makes: the request headers as they go on the wire (after checksums,
 * aws-chunked encoding and signing), so a test can prove which encoding it exercised, and the raw response
 * status and headers (such as x-cos-hash-crc64ecma, which the SDK does not surface).
 */
export function recordRequests(client) {
  const requests = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const exchange = { method: args.request.method, path: args.request.path, headers: { ...args.request.headers } };
      requests.push(exchange);
      const result = await next(args);
      exchange.status = result.response?.statusCode;
      exchange.responseHeaders = { ...result.response?.headers };
      return result;
    },
    { step: 'deserialize', name: 'cofferRecordRequests' },
  );
  return requests;
}
