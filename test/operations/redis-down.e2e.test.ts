/**
 * Redis going away under a running replica (a real redis-server, stopped and started again on the
 * same port; the built server). Before: /healthz kept answering 200, nothing told a load balancer
 * to stop sending work, and the log filled with ioredis's "Unhandled error event" and errors under
 * Octokit's logger name (441 lines in 6 s). Now: GET /readyz answers 503 with the reason while
 * Redis is unreachable and 200 again once it is back; /healthz (liveness) stays 200; each Redis
 * client's errors are logged under the name "redis" and repeated lines are counted, not repeated.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { ServerProcess } from "../support/server-process.js";

jest.setTimeout(90_000);

/** How long the test watches the log while Redis is down. */
const WATCH_MS = 6000;
/**
 * The lines that may be written in that time: the first of each Redis client's errors, the
 * readiness change; repeats are summed up every 10 s (not within the watch).
 */
const MAX_LINES = 12;

describe("a replica whose Redis goes down and comes back", () => {
  let redis: RedisServer;
  let server: ServerProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    server = await ServerProcess.start({ appId: 4346, githubHost: "127.0.0.1:9", env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await server?.stop().catch(() => undefined);
    await redis?.stop();
  });

  const readyz = async () => {
    const answer = await server.request("GET", "/readyz");
    return { status: answer.status, body: JSON.parse(answer.body) as Record<string, unknown> };
  };

  it("is ready while Redis answers", async () => {
    expect(await readyz()).toEqual({ status: 200, body: { status: "ready" } });
    expect((await server.request("GET", "/healthz")).status).toBe(200);
  });

  it("answers /readyz 503 with the reason while Redis is down, stays live, and logs a bounded number of lines", async () => {
    const before = server.lines.length;
    await redis.stop();
    const stoppedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, WATCH_MS - (Date.now() - stoppedAt)));
    const written = server.logs().slice(before);

    const down = await readyz();
    expect(down.status).toBe(503);
    expect(down.body).toEqual({
      status: "not ready",
      reason: expect.stringMatching(/^Redis \(REDIS_URL\) is unreachable/),
    });
    expect((await server.request("GET", "/healthz")).status).toBe(200);

    expect(written.map((line) => line.msg ?? "")).not.toContainEqual(expect.stringContaining("Unhandled error event"));
    const errors = written.filter((line) => typeof line.level === "number" && line.level >= 50);
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors.map((line) => line.name))).toEqual(new Set(["redis"]));
    expect(written.length).toBeLessThanOrEqual(MAX_LINES);
  });

  it("is ready again once Redis is back on its address", async () => {
    redis = await startRedisServer({ port: Number(new URL(redis.url).port) });
    let answer = await readyz();
    for (let i = 0; i < 200 && answer.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await readyz();
    }
    expect(answer).toEqual({ status: 200, body: { status: "ready" } });
    await server.waitForLog((line) => line.name === "redis" && line.msg === "Redis connection is back", 10_000);
  });
});

describe("a Redis that requires a password, as docker-compose.yml runs it", () => {
  let redis: RedisServer;
  const servers: ServerProcess[] = [];
  const start = async (redisUrl: string) => {
    const server = await ServerProcess.start({ appId: 4347, githubHost: "127.0.0.1:9", env: { REDIS_URL: redisUrl } });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    redis = await startRedisServer({ password: "compose-password-1234" });
  });
  afterAll(async () => {
    for (const server of servers) await server.stop().catch(() => undefined);
    await redis?.stop();
  });

  it("is used with the password REDIS_URL carries, and a replica without it is not ready and says why", async () => {
    expect(new URL(redis.url).password).toBe("compose-password-1234");
    const withPassword = await start(redis.url);
    const ready = await withPassword.request("GET", "/readyz");
    expect({ status: ready.status, body: JSON.parse(ready.body) as unknown }).toEqual({
      status: 200,
      body: { status: "ready" },
    });

    const url = new URL(redis.url);
    url.password = "";
    const without = await start(url.toString());
    const refused = await without.waitForLog((line) => line.name === "redis" && line.level === 50, 10_000);
    expect(JSON.stringify(refused.err)).toMatch(/NOAUTH/);
    const answer = await without.request("GET", "/readyz");
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toEqual({
      status: "not ready",
      reason: expect.stringMatching(/^Redis \(REDIS_URL\) is unreachable/),
    });
  });
});
