// A plain HTTP proxy that sends each request to the next of several Coffer nodes in turn, as a load balancer in front
// of a cluster would: a client's consecutive requests land on different nodes, so a read right after a write is served
// by another node than the write. Requests are forwarded unchanged (method, raw target, headers, body), so signatures
// still verify. Usage: node round-robin-proxy.mjs http://NODE1 http://NODE2 ...  (prints "listening on http://...")
import http from 'node:http';

export function startProxy(nodes) {
  const targets = nodes.map((node) => new URL(node));
  const agents = targets.map(() => new http.Agent({ keepAlive: true, maxSockets: 256 }));
  let next = 0;
  const server = http.createServer((request, response) => {
    const index = next++ % targets.length;
    const target = targets[index];
    // Node has answered any "Expect: 100-continue" itself; the node behind gets the body straight away.
    const headers = { ...request.headers };
    delete headers.expect;
    const upstream = http.request({
      host: target.hostname,
      port: target.port,
      method: request.method,
      path: request.url,
      headers,
      agent: agents[index],
      setHost: false,
    }, (answer) => {
      response.sendDate = false;
      response.writeHead(answer.statusCode, answer.statusMessage, answer.rawHeaders);
      answer.pipe(response);
    });
    upstream.on('error', (error) => {
      if (!response.headersSent) {
        response.writeHead(502, { 'content-type': 'text/plain' });
      }
      response.end(`proxy: node ${target.host} failed: ${error.message}`);
    });
    request.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    address: `http://127.0.0.1:${server.address().port}`,
    close: () => { server.close(); agents.forEach((agent) => agent.destroy()); },
  })));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const proxy = await startProxy(process.argv.slice(2));
  console.log(`listening on ${proxy.address}`);
}
