// Runs the graphql-http server audits against URL with a bearer token on every request and prints
// one JSON line per audit: {id, name, status, reason}. Usage: node audit.mjs URL TOKEN
import { serverAudits } from 'graphql-http';

const [url, token] = process.argv.slice(2);

function withToken(input, init = {}) {
  const headers = new Headers(init.headers || {});
  headers.set('Authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = [];
for (const audit of serverAudits({ url, fetchFn: withToken })) {
  const result = await audit.fn();
  results.push({ id: audit.id, name: audit.name, status: result.status, reason: result.reason || null });
}
for (const result of results) console.log(JSON.stringify(result));
