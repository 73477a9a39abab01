// Composes subgraph SDLs into a Federation v2 supergraph with @apollo/composition.
// stdin: JSON [{"name": "...", "url": "...", "sdl": "..."}]
// stdout: JSON {"supergraph": string|null, "hints": [string], "errors": [string]}
"use strict";
const { composeServices } = require("@apollo/composition");
const { parse } = require("graphql");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const subgraphs = JSON.parse(input);
  let result;
  try {
    result = composeServices(
      subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })),
    );
  } catch (err) {
    process.stdout.write(JSON.stringify({ supergraph: null, hints: [], errors: [String(err && err.stack || err)] }));
    return;
  }
  const hints = (result.hints || []).map((h) => `${h.definition.code}: ${h.message}`);
  if (result.errors && result.errors.length) {
    process.stdout.write(JSON.stringify({
      supergraph: null, hints,
      errors: result.errors.map((e) => (e.extensions && e.extensions.code ? `${e.extensions.code}: ` : "") + e.message),
    }));
    return;
  }
  process.stdout.write(JSON.stringify({ supergraph: result.supergraphSdl, hints, errors: [] }));
});
