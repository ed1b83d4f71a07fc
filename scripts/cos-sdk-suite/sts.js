// Stand-in for the STS server cos-nodejs-sdk-v5's test/test.js calls (nodejssdkStsUrl): /sts hands out a Coffer
// temporary key (made with `coffer admin tempkey create`), /uploadSign a signature of PutObject 1.txt made with the root key.
//   node sts.js TEMPKEY.json PORT      (COS_SDK_DIR: the suite's checkout; SecretId / SecretKey: the root key)
const http = require('http');
const fs = require('fs');
const COS = require(process.env.COS_SDK_DIR + '/index');
const key = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const port = Number(process.argv[3]);
http.createServer((req, res) => {
  const now = Math.floor(Date.now() / 1000);
  let body;
  if (req.url.startsWith('/sts')) {
    body = {
      credentials: { tmpSecretId: key.Credentials.TmpSecretId, tmpSecretKey: key.Credentials.TmpSecretKey, sessionToken: key.Credentials.Token },
      startTime: now - 60,
      expiredTime: key.ExpiredTime,
    };
  } else if (req.url.startsWith('/uploadSign')) {
    body = { signMap: { PutObject: COS.getAuthorization({ SecretId: process.env.SecretId, SecretKey: process.env.SecretKey, Method: 'put', Key: '1.txt', Expires: 3600 }) } };
  } else {
    res.writeHead(404); return res.end();
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}).listen(port, '127.0.0.1');
