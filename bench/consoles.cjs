// The load generator's consoles for bench/subscriptions.py, in Node so that 2,000 clients cost the machine little
// beside the gateway they measure. Reads {wsUrl, httpUrl, query, tokens, out} as a line on stdin; subscriber i uses tokens[i],
// over graphql-transport-ws (the `graphql-ws` client of the gateway's npm lockfile) when i is even, over SSE when odd.
// Prints `ready` once every subscription is open, then appends `<project name>\t<epoch ms>` to `out` for each change
// received; on a `stop` line it flushes, prints {errors, closes} as JSON and exits.
const fs = require('fs');
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');

// Without per-message compression, as the gateway's own clients run in the bench (it costs both ends CPU per frame).
class PlainWebSocket extends WebSocket {
  constructor(address, protocols) { super(address, protocols, { perMessageDeflate: false }); }
}

const now = () => performance.timeOrigin + performance.now();
let lines = [];
let errors = 0;
const closes = {}; // WebSocket close code → how many connections the gateway closed with it

function got(result) {
  const change = result && result.data && result.data.projectChanged;
  if (change && change.project) lines.push(`${change.project.name}\t${now()}`);
  else errors += 1;
}

function overWebSocket(wsUrl, token, query) {
  return new Promise((resolve) => {
    const client = createClient({
      url: wsUrl, webSocketImpl: PlainWebSocket, retryAttempts: 0, lazy: false, onNonLazyError: () => {},
      connectionParams: { authorization: `Bearer ${token}` },
      on: { connected: () => resolve() },
    });
    client.on('closed', (event) => { if (event && event.code !== 1000) closes[event.code] = (closes[event.code] || 0) + 1; });
    client.subscribe({ query }, { next: got, error: () => { errors += 1; resolve(); }, complete: () => {} });
  });
}

async function overSse(httpUrl, token, query, opened) {
  const resp = await fetch(httpUrl, {
    method: 'POST', body: JSON.stringify({ query }),
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', 'content-type': 'application/json' },
  });
  opened();
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of resp.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: {'));
      if (data) got(JSON.parse(data.slice(6)));
    }
  }
}

async function open({ wsUrl, httpUrl, query, tokens }) {
  const opening = [];
  for (let i = 0; i < tokens.length; i += 1) {
    opening.push(i % 2 === 0 ? overWebSocket(wsUrl, tokens[i], query)
      : new Promise((resolve) => { overSse(httpUrl, tokens[i], query, resolve).catch(() => { errors += 1; resolve(); }); }));
    if (i % 100 === 99) await new Promise((r) => setTimeout(r, 50));
  }
  await Promise.all(opening);
  console.log('ready');
}

let input = '';
let out = null;
const flush = () => { if (out && lines.length) { fs.appendFileSync(out, lines.join('\n') + '\n'); lines = []; } };
setInterval(flush, 1000);
process.stdin.on('data', (chunk) => {
  input += chunk;
  let end;
  while ((end = input.indexOf('\n')) >= 0) {
    const line = input.slice(0, end);
    input = input.slice(end + 1);
    if (line === 'stop') {
      flush();
      console.log(JSON.stringify({ errors, closes }));
      process.exit(0);
    }
    const config = JSON.parse(line);
    out = config.out;
    open(config);
  }
});
