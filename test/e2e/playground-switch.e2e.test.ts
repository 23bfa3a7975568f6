/**
 * The built server serves the playground and its endpoints by default, and PLAYGROUND=false turns
 * all three off (404, like any unknown path); a PLAYGROUND value that is neither is a start-up error.
 */
import { afterEach, describe, expect, it, jest } from "@jest/globals";
import { ConfigError, readConfig } from "../../src/config.js";
import { ServerProcess } from "../support/server-process.js";

jest.setTimeout(60_000);

let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop().catch(() => undefined);
  server = undefined;
});

async function statuses(port: number): Promise<number[]> {
  const post = (path: string, body: unknown) =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then((r) => r.status);
  return [
    await fetch(`http://127.0.0.1:${port}/playground`).then((r) => r.status),
    await post("/api/validate", { policy: "version: 1\n" }),
    await post("/api/simulate", { policy: "version: 1\n", pull_request: { files: [{ path: "a.ts" }] } }),
  ];
}

describe("PLAYGROUND", () => {
  it("is on by default: the page, validate and simulate answer 200", async () => {
    server = await ServerProcess.start({ appId: 1, githubHost: "127.0.0.1:9" });
    expect(await statuses(server.port)).toEqual([200, 200, 200]);
  });

  it("PLAYGROUND=false answers 404 for all three", async () => {
    server = await ServerProcess.start({ appId: 1, githubHost: "127.0.0.1:9", env: { PLAYGROUND: "false" } });
    expect(await statuses(server.port)).toEqual([404, 404, 404]);
  });

  it("takes only true or false, and PLAYGROUND_URL only as an http(s) URL without a fragment", () => {
    expect(readConfig({}).playground).toBe(true);
    expect(readConfig({ PLAYGROUND: "false" }).playground).toBe(false);
    expect(() => readConfig({ PLAYGROUND: "no" })).toThrow(ConfigError);
    expect(readConfig({ PLAYGROUND_URL: "https://guardrails.example.com" }).playgroundUrl).toBe(
      "https://guardrails.example.com",
    );
    expect(() => readConfig({ PLAYGROUND_URL: "guardrails.example.com" })).toThrow(/PLAYGROUND_URL/);
    expect(() => readConfig({ PLAYGROUND_URL: "https://x.example/#a" })).toThrow(/PLAYGROUND_URL/);
  });
});
