/**
 * The Redis variants of the operations stores, against a real redis-server started by this test
 * (test/support/redis-server.ts; it fails, never skips, when redis-server is not installed):
 * - RedisWriteBudget (the policy-push fan-out's budget shared by replicas) answers exactly as the
 *   in-memory budget on the same sequence, keeps its sliding windows across clock hours, and lets
 *   no more than the budget through when replicas take at the same moment;
 * - RedisPendingEvaluations (accepted, unfinished evaluations) hands a dead process's entries to
 *   exactly one live replica and never takes a live one's;
 * - RedisRedeliveryStore (the redelivery scan's lock, cursor and claims): one replica scans at a
 *   time, a failed delivery is redelivered once across replicas and scans, the cursor is shared,
 *   and a lock is released only by its holder.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { pino } from "pino";
import type { Redis } from "ioredis";
import { MemoryWriteBudget, paceFanOut, RedisWriteBudget, type FanOutClock } from "../../src/operations/fan-out.js";
import { RedisPendingEvaluations, type PendingEvaluation } from "../../src/operations/pending-evaluations.js";
import {
  DELIVERY_RETENTION_MS,
  RedisRedeliveryStore,
  scanAndRedeliver,
  type DeliveriesClient,
  type HookDelivery,
} from "../../src/operations/redelivery.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";

const silent = pino({ level: "silent" });
let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = server.connect();
});

afterAll(async () => {
  await server?.stop();
});

/** A deterministic pseudo-random sequence (xorshift). */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) % 1_000_000) / 1_000_000;
  };
}

describe("RedisWriteBudget", () => {
  it("answers every take exactly as the in-memory budget, through takes, give-backs and writes beyond a reservation", async () => {
    const limits = { writesPerMinute: 12, writesPerHour: 40, minuteMs: 60_000, hourMs: 3_600_000 };
    const memory = new MemoryWriteBudget(limits);
    const shared = new RedisWriteBudget(redis, limits, "test:budget:same:");
    const next = random(42);
    let now = Date.UTC(2026, 11, 4, 9, 58, 0);
    const taken: number[] = [];
    const answers: [number, number][] = [];
    for (let step = 0; step < 600; step++) {
      // Steps of whole 5 s: entries often sit exactly on a window's edge.
      now += 5_000 * Math.floor(next() * 4);
      const installation = next() < 0.8 ? "1" : "2";
      const roll = next();
      if (roll < 0.7) {
        const writes = 1 + Math.floor(next() * 3);
        const pair: [number, number] = [
          await memory.tryTake(installation, writes, now),
          await shared.tryTake(installation, writes, now),
        ];
        answers.push(pair);
        if (pair[0] === 0 && installation === "1") taken.push(now);
      } else if (roll < 0.9 && taken.length) {
        const at = taken[Math.floor(next() * taken.length)]!;
        await memory.giveBack("1", 1, at);
        await shared.giveBack("1", 1, at);
      } else {
        await memory.add(installation, 1, now);
        await shared.add(installation, 1, now);
      }
    }
    expect(answers.map(([, fromRedis]) => fromRedis)).toEqual(answers.map(([fromMemory]) => fromMemory));
    // The sequence did both: takes let through and takes told to wait.
    expect(answers.filter(([a]) => a === 0).length).toBeGreaterThan(50);
    expect(answers.filter(([a]) => a > 0).length).toBeGreaterThan(50);
    // Its keys expire with the hour.
    const ttl = await redis.pttl("test:budget:same:1");
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it("keeps sliding windows across a clock hour and a clock minute", async () => {
    const takenOver2s = async (budget: RedisWriteBudget) => {
      const lastSecond = Date.UTC(2026, 11, 4, 10, 59, 59);
      let taken = 0;
      for (let t = lastSecond; t < lastSecond + 2000; t += 10) if ((await budget.tryTake("1", 4, t)) === 0) taken += 4;
      return taken;
    };
    expect(
      await takenOver2s(
        new RedisWriteBudget(redis, { writesPerMinute: 1000, writesPerHour: 400 }, "test:budget:hour:"),
      ),
    ).toBe(400);
    expect(
      await takenOver2s(
        new RedisWriteBudget(redis, { writesPerMinute: 60, writesPerHour: 10_000 }, "test:budget:minute:"),
      ),
    ).toBe(60);
  });

  it("lets exactly the budget through when two replicas take at the same moment", async () => {
    const limits = { writesPerMinute: 60, writesPerHour: 400 };
    const replicas = [
      new RedisWriteBudget(server.connect(), limits, "test:budget:race:"),
      new RedisWriteBudget(server.connect(), limits, "test:budget:race:"),
    ];
    const now = Date.UTC(2026, 11, 4, 11, 0, 0);
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => replicas[i % 2]!.tryTake("7", 3, now)));
    expect(answers.filter((wait) => wait === 0)).toHaveLength(20);
    expect(answers.filter((wait) => wait === 60_000)).toHaveLength(80);
  });

  it("paces two replicas' fan-outs of one installation within one budget", async () => {
    let now = Date.UTC(2026, 11, 4, 12, 0, 0);
    // One clock for both: a sleep moves time for both, as real time would.
    const clock: FanOutClock = { now: () => now, sleep: (ms) => Promise.resolve(void (now += ms)) };
    const limits = { writesPerMinute: 9, writesPerHour: 1000, writesPerEvaluation: 3, concurrency: 2 };
    /** What each replica's budget let through (at the reservation's time), less what was given back. */
    const held: { at: number; writes: number }[] = [];
    const replicaBudget = (client: Redis) => {
      const budget = new RedisWriteBudget(client, limits, "test:budget:fanout:");
      const tryTake = budget.tryTake.bind(budget);
      const giveBack = budget.giveBack.bind(budget);
      budget.tryTake = async (installation, writes, at) => {
        const wait = await tryTake(installation, writes, at);
        if (wait === 0) held.push({ at, writes });
        return wait;
      };
      budget.giveBack = async (installation, writes, takenAt) => {
        held.push({ at: takenAt, writes: -writes });
        return giveBack(installation, writes, takenAt);
      };
      return budget;
    };
    const run = (client: Redis) =>
      paceFanOut(
        Array.from({ length: 12 }, (_, i) => ({ target: i })),
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          return { writes: 3 };
        },
        { installation: "9", budget: replicaBudget(client), log: silent, limits, clock },
      );
    const results = await Promise.all([run(server.connect()), run(server.connect())]);
    expect(results.map((r) => r.evaluated)).toEqual([12, 12]);
    expect(held.reduce((sum, h) => sum + h.writes, 0)).toBe(72);
    // 72 writes from two replicas: no minute, wherever it starts, holds more than 9.
    for (const { at } of held)
      expect(
        held.filter((h) => h.at > at - 60_000 && h.at <= at).reduce((sum, h) => sum + h.writes, 0),
      ).toBeLessThanOrEqual(9);
  });
});

const entry = (number: number): PendingEvaluation => ({
  installationId: 5,
  target: { owner: "acme", repo: "api", number, headSha: "a".repeat(40) },
  trigger: { event: "pull_request.synchronize" },
  joinable: true,
  deliveryId: `delivery-${number}`,
  at: Date.UTC(2026, 11, 4, 12, 0, 0),
});

describe("RedisPendingEvaluations", () => {
  it("keeps an entry while its evaluation runs and drops it when it settles", async () => {
    const store = new RedisPendingEvaluations(server.connect(), { prefix: "test:pending:one" });
    try {
      const id = await store.add(entry(1));
      expect(JSON.parse((await redis.hget("test:pending:one", id))!)).toEqual(entry(1));
      await store.remove(id);
      expect(await redis.hlen("test:pending:one")).toBe(0);
    } finally {
      store.close();
    }
  });

  it("hands the entries of a dead process to exactly one live replica, and never takes a live one's", async () => {
    const prefix = "test:pending:orphans";
    const dying = new RedisPendingEvaluations(server.connect(), { prefix });
    const alive = new RedisPendingEvaluations(server.connect(), { prefix });
    const replicas = [
      new RedisPendingEvaluations(server.connect(), { prefix }),
      new RedisPendingEvaluations(server.connect(), { prefix }),
    ];
    try {
      const ids = [await dying.add(entry(1)), await dying.add(entry(2))];
      const liveId = await alive.add(entry(3));
      // Let the heartbeats land.
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Nobody's process died yet: nothing to take.
      expect(await replicas[0]!.takeOrphans()).toEqual([]);
      // The process dies: its heartbeat stops and expires (30 s; expired at once here).
      dying.close();
      await redis.del(`${prefix}:alive:${ids[0]!.split(":")[0]}`);
      const [first, second] = await Promise.all(replicas.map((replica) => replica.takeOrphans()));
      const taken = [...first!, ...second!].map((e) => e.target.number).sort();
      expect(taken).toEqual([1, 2]);
      // Taken means removed: a later sweep finds nothing; the live process's entry stays.
      expect(await replicas[1]!.takeOrphans()).toEqual([]);
      expect(await redis.hkeys(prefix)).toEqual([liveId]);
    } finally {
      for (const store of [dying, alive, ...replicas]) store.close();
    }
  });

  it("drops an unreadable entry of a dead process instead of failing the sweep", async () => {
    const prefix = "test:pending:unreadable";
    await redis.hset(prefix, "dead-process:1", "{not json", "dead-process:2", JSON.stringify(entry(4)));
    const store = new RedisPendingEvaluations(server.connect(), { prefix });
    try {
      expect((await store.takeOrphans()).map((e) => e.target.number)).toEqual([4]);
      expect(await redis.hlen(prefix)).toBe(0);
    } finally {
      store.close();
    }
  });
});

/** GitHub's delivery log of the app, newest first in one page; redelivery requests are counted. */
function deliveryLog(attempts: HookDelivery[]): DeliveriesClient & { redelivered: number[]; lists: number } {
  const client = {
    redelivered: [] as number[],
    lists: 0,
    async request(route: string, parameters: Record<string, unknown> = {}) {
      // A little latency, so that two replicas' scans overlap.
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (route === "GET /app/hook/deliveries") {
        client.lists++;
        return {
          data: [...attempts].sort((a, b) => Date.parse(b.delivered_at) - Date.parse(a.delivered_at)),
          headers: {},
        };
      }
      if (route === "POST /app/hook/deliveries/{delivery_id}/attempts") {
        client.redelivered.push(Number(parameters.delivery_id));
        return { data: {}, headers: {} };
      }
      throw new Error(`unexpected ${route}`);
    },
  };
  return client;
}

describe("RedisRedeliveryStore", () => {
  const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
  const attempt = (id: number, guid: string, minutesAgo: number, status: number): HookDelivery => ({
    id,
    guid,
    delivered_at: new Date(NOW - minutesAgo * 60_000).toISOString(),
    redelivery: false,
    status_code: status,
    event: "pull_request",
    action: "opened",
  });

  it("lets one replica scan at a time, redelivers a failed delivery once across replicas and scans, and shares the cursor", async () => {
    const prefix = "test:redelivery:scan:";
    const client = deliveryLog([attempt(1, "failed", 2, 500), attempt(2, "succeeded", 1, 202)]);
    const stores = [
      new RedisRedeliveryStore(server.connect(), prefix),
      new RedisRedeliveryStore(server.connect(), prefix),
    ];
    const results = await Promise.all(
      stores.map((store) => scanAndRedeliver({ client, store, log: silent, now: () => NOW })),
    );
    expect(results.map((r) => r.ran).sort()).toEqual([false, true]);
    expect(client.redelivered).toEqual([1]);
    // The cursor is in Redis: the other replica (or a restarted process) sees the scanned point.
    expect(await stores[1]!.lastScan()).toBe(NOW);
    expect(await new RedisRedeliveryStore(server.connect(), prefix).lastScan()).toBe(NOW);
    // A later scan on the other replica lists the failed delivery again (within the scans' overlap,
    // and it has no new attempt yet) and does not redeliver it twice.
    const later = await scanAndRedeliver({ client, store: stores[1]!, log: silent, now: () => NOW + 60_000 });
    expect(later).toMatchObject({ ran: true, failed: 1, redelivered: 0 });
    expect(client.redelivered).toEqual([1]);
    // A claim lasts as long as GitHub keeps the delivery, plus the scans' overlap.
    const ttl = await redis.pttl(`${prefix}guid:failed`);
    expect(ttl).toBeGreaterThan(DELIVERY_RETENTION_MS - 60_000);
  });

  it("releases the scan lock only for its holder", async () => {
    const prefix = "test:redelivery:lock:";
    const [a, b, c] = [
      new RedisRedeliveryStore(server.connect(), prefix),
      new RedisRedeliveryStore(server.connect(), prefix),
      new RedisRedeliveryStore(server.connect(), prefix),
    ];
    const releaseA = await a.tryLock(100);
    expect(releaseA).toBeDefined();
    expect(await b.tryLock(100)).toBeUndefined();
    // A's scan outlives its lock (it died or hung): B takes it; A's late release leaves B's lock.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const releaseB = await b.tryLock(10_000);
    expect(releaseB).toBeDefined();
    await releaseA!();
    expect(await c.tryLock(10_000)).toBeUndefined();
    await releaseB!();
    const releaseC = await c.tryLock(10_000);
    expect(releaseC).toBeDefined();
    await releaseC!();
  });
});
