// Reference gateway for differential tests and benchmarks: @apollo/gateway behind @apollo/server.
// usage: node apollo_gateway.js SUPERGRAPH_FILE PORT
"use strict";
const fs = require("fs");
const { ApolloServer } = require("@apollo/server");
const { startStandaloneServer } = require("@apollo/server/standalone");
const { ApolloGateway, RemoteGraphQLDataSource } = require("@apollo/gateway");

const [supergraphPath, port] = process.argv.slice(2);
const FORWARD = ["authorization", "traceparent"];

class ForwardingDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    for (const name of FORWARD) {
      if (context && context[name]) request.http.headers.set(name, context[name]);
    }
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: fs.readFileSync(supergraphPath, "utf8"),
  buildService: ({ url }) => new ForwardingDataSource({ url }),
  logger: { debug() {}, info() {}, warn() {}, error: (m) => console.error(m) },
});
const server = new ApolloServer({ gateway, introspection: true, csrfPrevention: false });
startStandaloneServer(server, {
  listen: { port: Number(port), host: "127.0.0.1" },
  context: async ({ req }) => Object.fromEntries(FORWARD.map((h) => [h, req.headers[h]])),
}).then(({ url }) => console.log(`ready ${url}`));
