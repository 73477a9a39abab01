// Hive Gateway serving the platform's supergraph in place of the Python gateway (components/hive-gateway).
// The subgraphs are reached by their cluster Services (overridable for a local run), and each request's
// Authorization and trace context are passed on: the subgraphs authorise every field themselves.
// A plain object (what defineConfig returns), so the file imports nothing and loads from any directory.

const url = (name, port) => process.env[`QZ_HIVE_${name.toUpperCase()}_URL`] ?? `http://${name}:${port}/graphql`;
const PASSED = ['authorization', 'traceparent', 'tracestate'];

export const gatewayConfig = {
  transportEntries: {
    projects: { location: url('projects', 4001) },
    grievances: { location: url('grievances', 4002) },
    coordination: { location: url('coordination', 4003) },
  },
  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const headers = {};
      for (const name of PASSED) {
        const value = request.headers.get(name);
        if (value) headers[name] = value;
      }
      return headers;
    },
  },
};
