/**
 * GitHub unreachable (a name that does not resolve, a port nobody listens on) is a request that got
 * no answer: `guardrails_github_requests_total{status_class="error"}`, never "5xx" (Octokit reports
 * such a failure with status 500, though GitHub said nothing). Real requests through the app's
 * client and fetch; counted, never timed.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "@jest/globals";
import { pino } from "pino";
import { Probot } from "probot";
import { guardrailsOctokit } from "../../src/github/github-client.js";
import { githubFetch } from "../../src/github/fetch.js";
import { githubRequests } from "../../src/metrics/metrics.js";
import { freePort } from "../support/server-process.js";
import { TEST_APP_ID, TEST_PRIVATE_KEY } from "../support/test-probot.js";

async function countsByStatusClass(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const value of (await githubRequests.get()).values) {
    const statusClass = String(value.labels.status_class);
    counts[statusClass] = (counts[statusClass] ?? 0) + value.value;
  }
  return counts;
}

/** One request (no retries) with the app's client to `baseUrl`; it must fail. */
async function requestThatFails(baseUrl: string): Promise<{ status?: number; message: string }> {
  const probot = new Probot({
    appId: TEST_APP_ID,
    privateKey: TEST_PRIVATE_KEY,
    log: pino({ level: "silent" }),
    baseUrl,
    Octokit: guardrailsOctokit(),
    request: { fetch: githubFetch(5000) },
  });
  const octokit = await probot.auth();
  try {
    await octokit.request("GET /app", { request: { retries: 0 } });
  } catch (error) {
    return error as { status?: number; message: string };
  }
  throw new Error(`GET /app at ${baseUrl} did not fail`);
}

describe("GitHub unreachable, in the requests metric", () => {
  it.each([
    [
      "a host name that does not resolve (DNS failure)",
      () => Promise.resolve("http://guardrails-unreachable.invalid/api/v3"),
    ],
    ["a port nobody listens on (connection refused)", async () => `http://127.0.0.1:${await freePort()}/api/v3`],
  ])('%s is counted as status_class="error", not "5xx"', async (_what, baseUrl) => {
    const before = await countsByStatusClass();
    const failure = await requestThatFails(await baseUrl());
    // Octokit's own report of it: status 500 and no response (the reason this was counted as 5xx).
    expect(failure.status).toBe(500);
    const after = await countsByStatusClass();
    expect((after.error ?? 0) - (before.error ?? 0)).toBe(1);
    expect((after["5xx"] ?? 0) - (before["5xx"] ?? 0)).toBe(0);
  });

  it('an answer of GitHub\'s own 502 is still "5xx" (the control)', async () => {
    const server = createServer((_request, response) => response.writeHead(502).end("bad gateway"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const before = await countsByStatusClass();
      const failure = await requestThatFails(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`);
      expect(failure.status).toBe(502);
      const after = await countsByStatusClass();
      expect((after["5xx"] ?? 0) - (before["5xx"] ?? 0)).toBe(1);
      expect((after.error ?? 0) - (before.error ?? 0)).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
