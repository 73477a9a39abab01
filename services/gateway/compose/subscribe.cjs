// A subscriber as a JavaScript console writes one, with the `graphql-ws` client from this lockfile: reads
// {url, token, query, variables, count} on stdin, subscribes over graphql-transport-ws, prints `ready` once the
// server acknowledged, then each result as a JSON line until `count` arrived; exits 1 on an error or a close.
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const { url, token, query, variables, count } = JSON.parse(input);
  let seen = 0;
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    on: { connected: () => console.log('ready') },
  });
  client.subscribe({ query, variables }, {
    next: (result) => {
      console.log(JSON.stringify(result));
      seen += 1;
      if (seen >= count) client.dispose().then(() => process.exit(0));
    },
    error: (err) => { console.error(JSON.stringify(err.reason || err.message || err)); process.exit(1); },
    complete: () => process.exit(seen >= count ? 0 : 1),
  });
});
