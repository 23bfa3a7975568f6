/**
 * Replicas behind a load balancer may receive events of the same PR at the same time. With
 * REDIS_URL set, an evaluation holds a per-PR lock in Redis (SET NX with an expiry, refreshed
 * while held, released only by its owner), so two replicas never both create a check run or a
 * comment. One process alone needs no lock: the PullRequestQueue already serialises.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

export interface PullRequestLock {
  /** Waits for the lock of `key`; resolves to its release. */
  acquire(key: string): Promise<() => Promise<void>>;
}

export const noLock: PullRequestLock = {
  acquire: () => Promise.resolve(() => Promise.resolve()),
};

export class LockTimeoutError extends Error {}

const RELEASE_SCRIPT = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const REFRESH_SCRIPT = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

export class RedisPullRequestLock implements PullRequestLock {
  constructor(
    private readonly redis: Redis,
    private readonly options: { ttlMs?: number; waitMs?: number; prefix?: string } = {},
  ) {}

  async acquire(key: string): Promise<() => Promise<void>> {
    const ttl = this.options.ttlMs ?? 30_000;
    const deadline = Date.now() + (this.options.waitMs ?? 120_000);
    const name = `${this.options.prefix ?? "guardrails:lock:"}${key}`;
    const token = randomUUID();
    for (let attempt = 0; ; attempt++) {
      if ((await this.redis.set(name, token, "PX", ttl, "NX")) === "OK") break;
      if (Date.now() > deadline) throw new LockTimeoutError(`another replica held the lock of ${key} for too long`);
      await sleep(Math.min(250, 10 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
    }
    // Keep the lock while the evaluation runs, however long GitHub takes.
    const refresh = setInterval(() => {
      this.redis.eval(REFRESH_SCRIPT, 1, name, token, String(ttl)).catch(() => undefined);
    }, ttl / 3);
    refresh.unref();
    return async () => {
      clearInterval(refresh);
      await this.redis.eval(RELEASE_SCRIPT, 1, name, token);
    };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
