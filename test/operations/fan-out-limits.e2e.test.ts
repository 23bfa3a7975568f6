/**
 * A policy push through the built server against a GitHub stand-in that enforces GitHub's
 * secondary limits (80 content-creating requests a minute, 500 an hour per installation, in
 * sliding windows): the paced fan-out gets no 403 and every PR ends with the new policy's
 * conclusion. Time runs scaled (FANOUT_TIME_SCALE for the app, the same for the stand-in's
 * windows) and, at 60 PRs, the limits are scaled down with the app's budget kept in production's
 * ratio to GitHub's (60:80 a minute, 400:500 an hour), so that each window is reached. Counts
 * only, never timings (the `fanout` benchmark measures the time: docs/performance.md).
 */
import { describe, expect, it, jest } from "@jest/globals";
import { runPolicyPush } from "../support/policy-push.js";
import { startGitHubStandIn } from "../support/github-stand-in.js";

jest.setTimeout(120_000);

describe("the stand-in's secondary limits", () => {
  it("answer 403 with GitHub's message past the limit, per installation, and count it", async () => {
    const standIn = await startGitHubStandIn({ secondaryLimits: { perMinute: 5, perHour: 8 } });
    try {
      const post = async (installation: number, path = "/api/v3/repos/acme/none/issues/1/comments") => {
        const response = await fetch(`${standIn.baseUrl.replace(/\/api\/v3$/, "")}${path}`, {
          method: "POST",
          headers: { authorization: `token ghs_test_token_${installation}`, "content-type": "application/json" },
          body: "{}",
        });
        return {
          status: response.status,
          body: await response.text(),
          retryAfter: response.headers.get("retry-after"),
        };
      };
      const first = [];
      for (let i = 0; i < 6; i++) first.push((await post(1)).status);
      // Five let through (the fake answers 404: no such repository), the sixth refused.
      expect(first).toEqual([404, 404, 404, 404, 404, 403]);
      const refused = await post(1);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatch(/secondary rate limit/);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      // Reads, GraphQL queries and token requests are not content-creating; another installation has its own limits.
      expect(
        (await fetch(`${standIn.baseUrl}/repos/acme/none`, { headers: { authorization: "token ghs_test_token_1" } }))
          .status,
      ).toBe(404);
      expect((await post(1, "/api/graphql")).status).not.toBe(403);
      expect((await post(1, "/api/v3/app/installations/1/access_tokens")).status).toBe(201);
      expect((await post(2)).status).toBe(404);
      expect(standIn.secondaryLimitErrors).toBe(2);
      expect(standIn.contentWrites.map((w) => w.installation)).toEqual(["1", "1", "1", "1", "1", "2"]);
    } finally {
      await standIn.stop();
    }
  });
});

describe("a policy push over 60 open PRs, GitHub's secondary limits enforced", () => {
  it("within the minute (app 6, GitHub 8 a minute; a minute is 1 s): no 403, every PR correct", async () => {
    const result = await runPolicyPush({
      pullRequests: 60,
      timeScale: 60,
      appWritesPerMinute: 6,
      githubLimits: { perMinute: 8, perHour: 500 },
      timeoutMs: 90_000,
    });
    expect(result).toMatchObject({
      pullRequests: 60,
      writes: 60,
      secondaryLimitErrors: 0,
      correct: 60,
      expectedFailures: 30,
      evaluated: 60,
      failed: 0,
      errorLines: 0,
    });
    expect(result.maxPerMinute).toBeLessThanOrEqual(8);
    // The minute's budget was spent and waited for: the limit was reached, not avoided by chance.
    expect(result.budgetWaits).toBeGreaterThan(0);
  });

  it("within the hour (app 40, GitHub 50 an hour; an hour is 6 s): no 403, every PR correct", async () => {
    const result = await runPolicyPush({
      pullRequests: 60,
      timeScale: 600,
      appWritesPerHour: 40,
      githubLimits: { perMinute: 80, perHour: 50 },
      timeoutMs: 90_000,
    });
    expect(result).toMatchObject({
      pullRequests: 60,
      writes: 60,
      secondaryLimitErrors: 0,
      correct: 60,
      evaluated: 60,
      failed: 0,
      errorLines: 0,
    });
    expect(result.maxPerHour).toBeLessThanOrEqual(50);
    expect(result.budgetWaits).toBeGreaterThan(0);
  });

  it("defers while the installation's primary rate limit is low, until its reset, and drops nothing", async () => {
    // 300 requests a window of 3 s (GitHub: 5000 an hour; real time, the app reads the reset from
    // the headers; the time scale only shortens the write spacing). The app waits below 200 left,
    // so about 100 requests go through a window; the push needs more than 300 in all, which
    // without the waits would end in 403s.
    const result = await runPolicyPush({
      pullRequests: 90,
      timeScale: 600,
      primaryRateLimit: { limit: 300, windowMs: 3000 },
      timeoutMs: 90_000,
    });
    expect(result).toMatchObject({
      pullRequests: 90,
      writes: 90,
      primaryLimitErrors: 0,
      secondaryLimitErrors: 0,
      correct: 90,
      evaluated: 90,
      failed: 0,
      errorLines: 0,
    });
    expect(result.requests).toBeGreaterThan(300);
    expect(result.rateLimitWaits).toBeGreaterThan(0);
  });
});
