/**
 * `guardrails playground` through the built binary (`npm run build`), with no credentials in its
 * environment: it prints its URL on 127.0.0.1, serves the page and both endpoints over real HTTP
 * with the app's bounds and answers, has no webhook endpoint, names the field of a 404, refuses a
 * port in use or a bad --port with exit 2, and stops with exit 0 on SIGTERM and SIGINT.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { assertBuilt, runCli } from "../cli/helpers.js";
import { credentialFreeEnv, PlaygroundProcess } from "../support/playground-process.js";

jest.setTimeout(60_000);

let playground: PlaygroundProcess;

beforeAll(async () => {
  assertBuilt();
  playground = await PlaygroundProcess.start();
});
afterAll(async () => {
  await playground?.stop();
});

const post = (path: string, body: unknown) =>
  fetch(`${playground.origin}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("guardrails playground", () => {
  it("prints the page's URL on 127.0.0.1 and serves the page, with no App and no credentials", async () => {
    expect(credentialFreeEnv().APP_ID).toBeUndefined();
    expect(playground.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/playground$/);
    expect(playground.stdout).toContain("POST ");
    const page = await fetch(playground.url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Guardrails policy playground");
    const script = await fetch(`${playground.origin}/playground/assets/playground.js`);
    expect(script.status).toBe(200);
  });

  it("answers /api/validate and /api/simulate, with CODEOWNERS and a team", async () => {
    const valid = await post("/api/validate", { policy: "version: 1\n" });
    expect(await valid.json()).toEqual({ ok: true, problems: [] });
    const answer = await post("/api/simulate", {
      policy: "version: 1\ndefault_tier: high\ntiers:\n  low: {}\n  medium: {}\n  high: { codeowners: true }\n",
      codeowners: "/src/ @acme/security\n",
      teams: { "acme/security": ["alice"] },
      pull_request: { files: [{ path: "src/a.ts" }], approvals: ["alice"] },
    });
    expect(answer.status).toBe(200);
    const decision = (await answer.json()) as { tier: string; conclusion: string };
    expect(decision).toMatchObject({ tier: "high", conclusion: "success" });
  });

  it("has no webhook endpoint, and a 404 names its field", async () => {
    const webhook = await post("/api/github/webhooks", {});
    expect(webhook.status).toBe(404);
    expect(await webhook.json()).toEqual({ error: "url: no route POST /api/github/webhooks", field: "url" });
    const typo = await post("/api/simulat", {});
    expect(await typo.json()).toMatchObject({ field: "url" });
  });

  it("refuses a port in use and a bad --port with exit 2 and one line", async () => {
    const port = new URL(playground.origin).port;
    const busy = await PlaygroundProcess.start(["--port", port]);
    expect(await busy.exited).toBe(2);
    expect(busy.stderr).toBe(
      `guardrails playground: port ${port} is in use on 127.0.0.1: choose another with --port\n`,
    );
    await busy.stop();
    const bad = runCli(["playground", "--port", "http"], process.cwd(), credentialFreeEnv());
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^guardrails playground: --port must be a port number from 0 to 65535/);
    const help = runCli(["playground", "--help"], process.cwd(), credentialFreeEnv());
    expect([help.status, help.stdout]).toEqual([0, expect.stringContaining("Usage: guardrails playground")]);
    expect(runCli(["--help"], process.cwd()).stdout).toContain("playground");
  });

  it("stops with exit 0 on SIGINT (Ctrl-C) and on SIGTERM", async () => {
    const other = await PlaygroundProcess.start();
    expect(other.url).toBeDefined();
    expect(await other.stop("SIGINT")).toBe(0);
    expect(other.stderr).toContain("stopped (SIGINT)");
    const third = await PlaygroundProcess.start();
    expect(await third.stop("SIGTERM")).toBe(0);
  });
});
