/**
 * A push to a policy re-evaluates every open PR it governs: for an organisation, thousands. Each
 * evaluation may write (check, comment, label), and GitHub's secondary limits on content-creating
 * requests (about 80 a minute and 500 an hour per installation, as its docs state) answer 403 long
 * before thousands of writes are through. The fan-out therefore:
 *   - takes the most recently updated PRs first (those people are looking at);
 *   - runs the evaluations a few at a time and counts their writes against a per-installation
 *     budget below GitHub's limits (by default 60 a minute, 400 an hour: the rest is left to the
 *     events of people at work), waiting for the window to move when it is spent; with Redis the
 *     budget is shared by every replica;
 *   - waits for the reset when the installation's primary rate limit is low;
 *   - never drops a PR and never fails for waiting; it logs its progress.
 */
import type { Logger } from "pino";
import type { Redis } from "ioredis";

export interface FanOutLimits {
  writesPerMinute: number;
  writesPerHour: number;
  /** Below this many primary-limit requests left, wait for the reset. */
  lowRateLimit: number;
  /** Evaluations at a time. */
  concurrency: number;
  /** Writes one evaluation may make, reserved before it starts (the unused part is given back). */
  writesPerEvaluation: number;
}

export const DEFAULT_FAN_OUT_LIMITS: FanOutLimits = { writesPerMinute: 60, writesPerHour: 400, lowRateLimit: 200, concurrency: 4, writesPerEvaluation: 3 };

/** Counts an installation's writes in fixed windows; `take` waits until they fit. */
export interface WriteBudget {
  /** Counts `writes` now if they fit in both windows; otherwise says how long to wait (ms). */
  tryTake(installation: string, writes: number, now: number): Promise<number>;
  /** Gives back writes reserved but not made. */
  giveBack(installation: string, writes: number, now: number): Promise<void>;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** One process's budget. */
export class MemoryWriteBudget implements WriteBudget {
  private readonly windows = new Map<string, number>();
  constructor(private readonly limits: Pick<FanOutLimits, "writesPerMinute" | "writesPerHour">) {}

  async tryTake(installation: string, writes: number, now: number): Promise<number> {
    const minuteKey = `${installation}:m:${Math.floor(now / MINUTE)}`;
    const hourKey = `${installation}:h:${Math.floor(now / HOUR)}`;
    const minute = this.windows.get(minuteKey) ?? 0;
    const hour = this.windows.get(hourKey) ?? 0;
    if (hour + writes > this.limits.writesPerHour) return HOUR - (now % HOUR);
    if (minute + writes > this.limits.writesPerMinute) return MINUTE - (now % MINUTE);
    this.windows.set(minuteKey, minute + writes);
    this.windows.set(hourKey, hour + writes);
    // Only the current windows matter: forget the others (bounded memory).
    for (const key of this.windows.keys()) if (key.startsWith(`${installation}:`) && key !== minuteKey && key !== hourKey) this.windows.delete(key);
    return 0;
  }

  async giveBack(installation: string, writes: number, now: number): Promise<void> {
    for (const key of [`${installation}:m:${Math.floor(now / MINUTE)}`, `${installation}:h:${Math.floor(now / HOUR)}`]) {
      const count = this.windows.get(key);
      if (count !== undefined) this.windows.set(key, Math.max(0, count - writes));
    }
  }
}

const TAKE_SCRIPT = `
local minute = tonumber(redis.call("get", KEYS[1]) or "0")
local hour = tonumber(redis.call("get", KEYS[2]) or "0")
local writes = tonumber(ARGV[1])
if hour + writes > tonumber(ARGV[3]) then return 2 end
if minute + writes > tonumber(ARGV[2]) then return 1 end
redis.call("incrby", KEYS[1], writes)
redis.call("pexpire", KEYS[1], 120000)
redis.call("incrby", KEYS[2], writes)
redis.call("pexpire", KEYS[2], 7200000)
return 0`;

/** The budget shared by every replica through Redis (fixed windows, one atomic script). */
export class RedisWriteBudget implements WriteBudget {
  constructor(
    private readonly redis: Redis,
    private readonly limits: Pick<FanOutLimits, "writesPerMinute" | "writesPerHour">,
    private readonly prefix = "guardrails:fanout:",
  ) {}

  async tryTake(installation: string, writes: number, now: number): Promise<number> {
    const keys = [`${this.prefix}${installation}:m:${Math.floor(now / MINUTE)}`, `${this.prefix}${installation}:h:${Math.floor(now / HOUR)}`];
    const result = Number(await this.redis.eval(TAKE_SCRIPT, 2, ...keys, String(writes), String(this.limits.writesPerMinute), String(this.limits.writesPerHour)));
    return result === 0 ? 0 : result === 2 ? HOUR - (now % HOUR) : MINUTE - (now % MINUTE);
  }

  async giveBack(installation: string, writes: number, now: number): Promise<void> {
    for (const key of [`${this.prefix}${installation}:m:${Math.floor(now / MINUTE)}`, `${this.prefix}${installation}:h:${Math.floor(now / HOUR)}`]) {
      await this.redis.eval(`local v = tonumber(redis.call("get", KEYS[1]) or "0") if v > 0 then redis.call("decrby", KEYS[1], math.min(v, tonumber(ARGV[1]))) end return 0`, 1, key, String(writes));
    }
  }
}

/** What the fan-out knows of the installation's primary rate limit (the last response's headers). */
export type RateLimitView = () => { remaining: number; resetAt: number } | undefined;

export interface FanOutItem<T> {
  target: T;
  /** When the PR was last updated (ISO): the most recent go first. */
  updatedAt?: string;
}

export interface FanOutClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: FanOutClock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

export interface FanOutResult {
  evaluated: number;
  failed: unknown[];
  waitedMs: number;
  writes: number;
}

/**
 * Re-evaluates every item, most recently updated first, within the installation's write budget.
 * `evaluate` returns the writes it made. A failed evaluation is counted and the others go on.
 */
export async function paceFanOut<T>(
  items: FanOutItem<T>[],
  evaluate: (target: T) => Promise<{ writes: number }>,
  options: { installation: string; budget: WriteBudget; log: Logger; limits?: Partial<FanOutLimits>; rateLimit?: RateLimitView; clock?: FanOutClock; what?: string },
): Promise<FanOutResult> {
  const limits = { ...DEFAULT_FAN_OUT_LIMITS, ...options.limits };
  const clock = options.clock ?? realClock;
  const ordered = [...items].sort((a, b) => Date.parse(b.updatedAt ?? "") - Date.parse(a.updatedAt ?? "") || 0);
  const result: FanOutResult = { evaluated: 0, failed: [], waitedMs: 0, writes: 0 };
  const started = clock.now();
  let next = 0;
  let lastProgress = started;

  const reserve = async () => {
    for (;;) {
      const low = options.rateLimit?.();
      if (low && low.remaining < limits.lowRateLimit && low.resetAt > clock.now()) {
        const wait = low.resetAt - clock.now() + 1000;
        options.log.warn({ installation: options.installation, remaining: low.remaining, waitMs: wait }, "policy re-evaluation: the rate limit is low, waiting for its reset");
        result.waitedMs += wait;
        await clock.sleep(wait);
        continue;
      }
      const wait = await options.budget.tryTake(options.installation, limits.writesPerEvaluation, clock.now());
      if (wait === 0) return;
      options.log.info({ installation: options.installation, done: result.evaluated, total: ordered.length, waitMs: wait }, "policy re-evaluation: write budget spent, waiting for the window to move");
      result.waitedMs += wait;
      await clock.sleep(wait);
    }
  };

  const worker = async () => {
    while (next < ordered.length) {
      const item = ordered[next++]!;
      await reserve();
      let writes = limits.writesPerEvaluation;
      try {
        writes = (await evaluate(item.target)).writes;
      } catch (error) {
        result.failed.push(error);
      }
      result.evaluated++;
      result.writes += writes;
      const unused = limits.writesPerEvaluation - writes;
      if (unused > 0) await options.budget.giveBack(options.installation, unused, clock.now());
      if (result.evaluated === ordered.length || clock.now() - lastProgress >= 30_000 || result.evaluated % 100 === 0) {
        lastProgress = clock.now();
        options.log.info({ installation: options.installation, done: result.evaluated, total: ordered.length, writes: result.writes, failed: result.failed.length, elapsedMs: clock.now() - started }, `${options.what ?? "policy re-evaluation"}: progress`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limits.concurrency, ordered.length)) }, worker));
  return result;
}
