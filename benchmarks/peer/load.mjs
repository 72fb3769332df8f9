// A bounded load generator: `connections` clients send the same kind of GraphQL request one after
// another for `seconds`, then it prints {requests, errors, seconds, rps, p50Ms, p99Ms} as JSON.
// Usage: node load.mjs URL CONNECTIONS SECONDS BODIES_JSON_FILE [HEADERS_JSON]
import { readFileSync } from "node:fs";
import http from "node:http";

const [url, connections, seconds, bodiesFile, headersJson] = process.argv.slice(2);
const bodies = JSON.parse(readFileSync(bodiesFile, "utf8")).map((b) => JSON.stringify(b));
const extra = headersJson ? JSON.parse(headersJson) : {};
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });
const until = performance.now() + Number(seconds) * 1000;
const latencies = [];
let errors = 0;

function send(body) {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: target.hostname, port: target.port, path: target.pathname, method: "POST", agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...extra },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          resolve(res.statusCode === 200 && text.startsWith('{"data"') && !text.includes('"errors"'));
        });
      },
    );
    req.on("error", () => resolve(false));
    req.end(body);
  });
}

async function client(offset) {
  let i = offset;
  while (performance.now() < until) {
    const started = performance.now();
    const ok = await send(bodies[i++ % bodies.length]);
    latencies.push(performance.now() - started);
    if (!ok) errors++;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: Number(connections) }, (_, k) => client(k * 7)));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] || 0;
console.log(JSON.stringify({
  requests: latencies.length, errors, seconds: elapsed, rps: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99),
}));
agent.destroy();
