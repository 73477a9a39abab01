// Bundles src/main.jsx (with its CSS) and Monaco's editor workers into the folder given as argv[2], with esbuild.
import { build } from "esbuild";

const outdir = process.argv[2];
const common = { bundle: true, minify: true, legalComments: "none", target: "es2022", logLevel: "warning",
                 define: { "process.env.NODE_ENV": '"production"' } };

await build({ ...common, entryPoints: { graphiql: "src/main.jsx" }, outdir, format: "esm", jsx: "automatic",
              loader: { ".ttf": "dataurl", ".woff": "dataurl", ".woff2": "dataurl", ".svg": "dataurl" } });
await build({
  ...common,
  entryPoints: {
    "editor.worker": "monaco-editor/esm/vs/editor/editor.worker.js",
    "json.worker": "monaco-editor/esm/vs/language/json/json.worker.js",
    "graphql.worker": "monaco-graphql/esm/graphql.worker.js",
  },
  outdir,
  format: "iife",
});
