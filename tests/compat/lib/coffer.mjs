// What a compat test needs to reach the Coffer that run.mjs started.
import COS from 'cos-nodejs-sdk-v5';
import { randomBytes } from 'node:crypto';

export const Region = 'ap-guangzhou';
export const endpoint = new URL(process.env.COFFER_ENDPOINT ?? 'http://127.0.0.1:9000');
export const account = {
  appId: process.env.COFFER_APPID,
  uin: process.env.COFFER_UIN,
  secretId: process.env.COFFER_SECRET_ID,
  secretKey: process.env.COFFER_SECRET_KEY,
};

/** The official SDK in "Ip" mode: it builds the real virtual-host name and connects to our address. */
export function cosClient(options = {}) {
  return new COS({
    SecretId: options.secretId ?? account.secretId,
    SecretKey: options.secretKey ?? account.secretKey,
    Protocol: 'http:',
    Ip: endpoint.host,
  });
}

/** Calls an SDK method that takes (params, callback) and returns its result as a promise. */
export function call(client, method, params) {
  return new Promise((resolve, reject) => client[method](params, (err, data) => (err ? reject(err) : resolve(data))));
}

/** A fresh bucket name of the test account. */
export function bucketName(label) {
  return `${label}-${randomBytes(3).toString('hex')}-${account.appId}`;
}
