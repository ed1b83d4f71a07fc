// The loopback limit of the large-object runs: an HTTP server that does nothing with the bytes. A PUT's or POST's body
// is read and dropped; a GET answers SIZE bytes (one 1 MiB block repeated). The load client run against it measures
// what the client and loopback allow, the ceiling any store's large GET or PUT can reach on this machine. For a
// multipart upload it answers what the client reads: an UploadId to a POST ?uploads, an ETag to every PUT, and a
// completion result to any other POST.
//
//   node null-server.mjs PORT SIZE
import http from 'node:http';
import { writeRepeated } from './repeat.mjs';

const [port, size] = process.argv.slice(2).map(Number);
const block = Buffer.alloc(1 << 20, 7);
http.createServer((request, response) => {
  if (request.method !== 'GET') {
    const answer = request.method !== 'POST' ? ''
      : /[?&]uploads(=|&|$)/.test(request.url) ? '<InitiateMultipartUploadResult><UploadId>null</UploadId></InitiateMultipartUploadResult>'
        : '<CompleteMultipartUploadResult></CompleteMultipartUploadResult>';
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-length': Buffer.byteLength(answer), etag: '"null"' }).end(answer));
    return;
  }
  response.writeHead(200, { 'content-length': size });
  writeRepeated(response, block, size);
}).listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
