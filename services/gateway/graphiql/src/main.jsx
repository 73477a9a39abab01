// GraphiQL for the gateway: everything it loads (script, styles, editor workers) comes from beside this file.
import { GraphiQL } from "graphiql";
import { createRoot } from "react-dom/client";
import "graphiql/style.css";
import "./page.css";

const assets = new URL(".", import.meta.url);
const workers = { json: "json.worker.js", graphql: "graphql.worker.js" };
globalThis.MonacoEnvironment = {
  getWorker: (_id, label) => new Worker(new URL(workers[label] ?? "editor.worker.js", assets)),
};

// the gateway writes {endpoint, headers} into the page; it holds no script, so no inline script runs
const config = JSON.parse(document.getElementById("qz-graphiql-config").textContent);
const endpoint = new URL(config.endpoint, document.baseURI);

async function fetcher(params, options) {
  const response = await fetch(endpoint, {
    method: "POST",
    credentials: "omit",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      ...(options?.headers ?? {}),
    },
    body: JSON.stringify(params),
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 500)}` }] };
  }
}

const headers = Object.keys(config.headers).length ? JSON.stringify(config.headers, null, 2) : '{\n  "Authorization": "Bearer "\n}';

createRoot(document.getElementById("graphiql")).render(
  <GraphiQL
    fetcher={fetcher}
    initialHeaders={headers}
    defaultHeaders={headers}
    defaultEditorToolsVisibility="headers"
    shouldPersistHeaders={false}
    defaultQuery={config.query}
  />,
);
