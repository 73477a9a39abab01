// The browser side of tests/test_graphiql_browser.py: Debian's Chromium, headless, may reach the gateway and
// nothing else. Reads {url, token, query, screenshot, userDataDir, executablePath} as JSON on stdin, loads the
// GraphiQL page, sets the Authorization header, runs the query and prints what it saw as JSON.
import { chromium } from "playwright-core";

const input = JSON.parse(await new Promise((resolve) => {
  let text = "";
  process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => resolve(text));
}));
const gateway = new URL(input.url);
const seen = { requests: [], blocked: [], consoleErrors: [], pageErrors: [] };

const context = await chromium.launchPersistentContext(input.userDataDir, {
  executablePath: input.executablePath,
  headless: true,
  viewport: { width: 1400, height: 900 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         `--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE ${gateway.hostname}`],
});
const text = (locator) => locator.evaluate((el) => el.innerText.replace(/\u00a0/g, " "));
try {
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.host === gateway.host && url.protocol === gateway.protocol) return route.continue();
    seen.blocked.push(url.href);
    return route.abort("blockedbyclient");
  });
  context.on("request", (request) => seen.requests.push(`${request.method()} ${request.url()}`));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("websocket", (socket) => seen.requests.push(`WEBSOCKET ${socket.url()}`));
  page.on("console", (message) => message.type() === "error" && seen.consoleErrors.push(message.text()));
  page.on("pageerror", (error) => seen.pageErrors.push(String(error)));
  page.setDefaultTimeout(input.timeoutMs ?? 60000);

  try {
    await page.goto(input.url, { waitUntil: "load" });
    const headers = page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor");
    const query = page.locator(".graphiql-query-editor .monaco-editor");
    await query.locator(".view-lines").waitFor();
    await headers.locator(".view-lines").waitFor();
    seen.headersPrefilled = await text(headers.locator(".view-lines"));

    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: gateway.origin });
    const replace = async (editor, value) => {  // pasted, as a user would, so Monaco does not auto-close brackets
      await page.evaluate((v) => navigator.clipboard.writeText(v), value);
      await editor.click();
      await page.keyboard.press("ControlOrMeta+A");
      await page.keyboard.press("ControlOrMeta+V");
      const tail = value.trim().slice(-24);  // Monaco renders a paste a moment later: wait until it shows
      for (let waited = 0; !(await text(editor.locator(".view-lines"))).includes(tail) && waited < 15000;
        waited += 100) await page.waitForTimeout(100);
    };
    await replace(headers, JSON.stringify({ Authorization: `Bearer ${input.token}` }, null, 2));
    seen.headersSet = await text(headers.locator(".view-lines"));
    await replace(query, input.query);
    await page.locator(".graphiql-execute-button").click();
    await page.waitForFunction(() => /"(data|errors)"/.test(
      document.querySelector(".graphiql-response .view-lines")?.innerText ?? ""));
    seen.response = await text(page.locator(".graphiql-response .view-lines"));
  } catch (error) {
    seen.error = String(error);
    process.exitCode = 1;
  }
  await page.screenshot({ path: input.screenshot, fullPage: true });
} finally {
  await context.close();
}
process.stdout.write(JSON.stringify(seen));
