/**
 * Two replicas share an installation's fan-out budget through Redis (issue 9.3: "pace writes
 * within those limits across replicas"): two policy pushes of one installation, to two of its
 * repositories (30 open PRs each), reach two replicas of the built server at the same time,
 * against a stand-in that enforces the secondary limits. Limits scaled down in production's ratio
 * (the app's 40 an hour against GitHub's 50; an hour is 6 s). With one REDIS_URL: no 403 and
 * every PR right. The control, each replica with a budget of its own, goes past GitHub's limit
 * (80 writes allowed an hour against 50): what the shared budget prevents. Counts only.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { runPolicyPush } from "../support/policy-push.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";

jest.setTimeout(150_000);

const run = (redisUrl?: string) =>
  runPolicyPush({
    pullRequests: 60,
    repositories: 2,
    replicas: 2,
    ...(redisUrl ? { redisUrl } : {}),
    timeScale: 600,
    appWritesPerHour: 40,
    githubLimits: { perMinute: 80, perHour: 50 },
    timeoutMs: 90_000,
  });

describe("two replicas' policy pushes in one installation", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("share the installation's write budget through Redis: no 403, every PR right", async () => {
    const result = await run(redis.url);
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

  it("control: with a budget each, the replicas go past GitHub's limit", async () => {
    const result = await run(undefined);
    expect(result.secondaryLimitErrors).toBeGreaterThan(0);
  });
});
