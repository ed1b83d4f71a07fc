// The loopback limit of the large-object runs: an HTTP server that does nothing with the bytes. A PUT's or POST's body
// is read and dropped; a GET answers SIZE bytes (one 1 MiB block repeated). The load client run against it measures
// what the client and loopback allow, the ceiling any store's large GET or PUT can reach on this machine. For a
// multipart upload it answers what the client reads: an UploadId to a POST ?uploads, an ETag to every PUT, and a
// completion result to any other POST.
//
// With `ram` a GET answers SIZE distinct bytes held in memory (at most 1 GiB of them, then again from the start)
// instead of one block repeated. A block sent over and over stays in the CPU's caches, so the kernel's copy into the
// socket reads it from there; a store's bytes come from memory, where the disk put them, as these do. That is the
// limit of a large GET for a server that copies its bytes from memory into the socket (docs/performance.md, "Large
// objects"). SIZE should be well above the caches' size for that.
//
//   node null-server.mjs PORT SIZE [ram]
import http from 'node:http';
import { randomFillSync } from 'node:crypto';
import { writeRepeated } from './repeat.mjs';

const [port, size] = process.argv.slice(2, 4).map(Number);
const fromMemory = process.argv[4] === 'ram';
const block = Buffer.alloc(1 << 20, 7);
const memory = fromMemory ? Buffer.allocUnsafe(Math.min(size, 1 << 30)) : null;
for (let offset = 0; memory && offset < memory.length; offset += 1 << 26) {
  randomFillSync(memory, offset, Math.min(1 << 26, memory.length - offset));
}

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
  // From memory 1 MiB a write, as from the block.
  writeRepeated(response, memory ?? block, size, 1 << 20);
}).listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
