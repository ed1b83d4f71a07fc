// The local webhook of bench/notify.sh: answers every POST 200 at once (keep-alive), counts the event ids
// (X-Coffer-Event-Id) and, when COUNT distinct ids have arrived, prints one JSON line (events, repeats, seconds from the
// first POST to the last, events/s) and exits. Prints "listening on http://127.0.0.1:PORT" when it is ready.
//
//   node webhook.mjs PORT COUNT          (PORT 0: any free port)
import http from 'node:http';

const [port, count] = process.argv.slice(2).map(Number);
const seen = new Set();
let posts = 0;
let first = 0;
const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    const now = performance.now();
    if (posts++ === 0) first = now;
    seen.add(request.headers['x-coffer-event-id']);
    response.writeHead(200, { 'content-length': 0 }).end();
    if (seen.size === count) {
      const seconds = (now - first) / 1000;
      console.log(JSON.stringify({ events: seen.size, repeats: posts - seen.size, seconds: +seconds.toFixed(3), eventsPerSecond: Math.round(seen.size / seconds) }));
      process.exit(0);
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
