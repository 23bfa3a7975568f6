/**
 * A push to a policy re-evaluates every open PR it governs: for an organisation, thousands. Each
 * evaluation may write (check, comment, label), and GitHub's secondary limits on content-creating
 * requests (about 80 a minute and 500 an hour per installation, as its docs state) answer 403 long
 * before thousands of writes are through. The fan-out therefore:
 *   - takes the most recently updated PRs first (those people are looking at);
 *   - runs the evaluations a few at a time and counts their writes against a per-installation
 *     budget below GitHub's limits (by default 60 a minute, 400 an hour: the rest is left to the
 *     events of people at work), in sliding windows (no minute and no hour, wherever it starts,
 *     holds more), waiting for the window to move when it is spent; with Redis the budget is
 *     shared by every replica;
 *   - waits for the reset when the installation's primary rate limit is low;
 *   - never drops a PR and never fails for waiting; it logs its progress.
 */
import type { Logger } from "pino";
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { asPromise } from "./as-promise.js";

export interface FanOutLimits {
  writesPerMinute: number;
  writesPerHour: number;
  /** Below this many primary-limit requests left, wait for the reset. */
  lowRateLimit: number;
  /** Evaluations at a time. */
  concurrency: number;
  /** Writes one evaluation may make, reserved before it starts (the unused part is given back). */
  writesPerEvaluation: number;
  /**
   * The lengths of the budget's two windows: a minute and an hour. Only a benchmark or a test
   * shortens them (FANOUT_TIME_SCALE), to run hours of GitHub's limits in seconds.
   */
  minuteMs: number;
  hourMs: number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

export const DEFAULT_FAN_OUT_LIMITS: FanOutLimits = {
  writesPerMinute: 60,
  writesPerHour: 400,
  lowRateLimit: 200,
  concurrency: 4,
  writesPerEvaluation: 3,
  minuteMs: MINUTE_MS,
  hourMs: HOUR_MS,
};

export type BudgetLimits = Pick<FanOutLimits, "writesPerMinute" | "writesPerHour"> &
  Partial<Pick<FanOutLimits, "minuteMs" | "hourMs">>;

/**
 * Counts an installation's writes in two sliding windows (the last minute, the last hour), so
 * that no minute and no hour, wherever it starts, holds more than the budget. (Fixed windows let
 * a full budget at the end of one window and another at the start of the next through: twice the
 * budget within a minute, or an hour, which GitHub's limits would refuse.)
 */
export interface WriteBudget {
  /** Reserves `writes` at `now` if they fit in both windows; otherwise says how long to wait (ms). */
  tryTake(installation: string, writes: number, now: number): Promise<number>;
  /** Gives back writes reserved at `takenAt` but not made. */
  giveBack(installation: string, writes: number, takenAt: number): Promise<void>;
  /** Counts writes made beyond the reservation (at `now`, when they were made), without waiting. */
  add(installation: string, writes: number, now: number): Promise<void>;
}

interface Entry {
  at: number;
  writes: number;
}

function windows(limits: BudgetLimits): { minuteMs: number; hourMs: number } {
  return { minuteMs: limits.minuteMs ?? MINUTE_MS, hourMs: limits.hourMs ?? HOUR_MS };
}

/**
 * How long until `writes` more fit: in each window, the oldest entries must leave it (an entry at
 * `at` counts while `at > now - window`) until the rest plus `writes` is within the limit.
 */
function waitFor(entries: Entry[], writes: number, now: number, limit: number, windowMs: number): number {
  const inWindow = entries.filter((e) => e.at > now - windowMs);
  let total = inWindow.reduce((sum, e) => sum + e.writes, 0) + writes;
  if (total <= limit) return 0;
  for (const entry of inWindow) {
    total -= entry.writes;
    if (total <= limit) return Math.max(1, entry.at + windowMs - now);
  }
  return windowMs;
}

/** One process's budget: a log of reservations per installation (at most an hour of them). */
export class MemoryWriteBudget implements WriteBudget {
  private readonly logs = new Map<string, Entry[]>();
  private readonly windows: { minuteMs: number; hourMs: number };
  constructor(private readonly limits: BudgetLimits) {
    this.windows = windows(limits);
  }

  private entries(installation: string, now: number): Entry[] {
    const kept = (this.logs.get(installation) ?? []).filter((e) => e.at > now - this.windows.hourMs && e.writes > 0);
    if (kept.length) this.logs.set(installation, kept);
    else this.logs.delete(installation);
    return kept;
  }

  tryTake(installation: string, writes: number, now: number): Promise<number> {
    return asPromise(() => {
      const entries = this.entries(installation, now);
      const wait = Math.max(
        waitFor(entries, writes, now, this.limits.writesPerHour, this.windows.hourMs),
        waitFor(entries, writes, now, this.limits.writesPerMinute, this.windows.minuteMs),
      );
      if (wait > 0) return wait;
      this.logs.set(installation, [...entries, { at: now, writes }]);
      return 0;
    });
  }

  giveBack(installation: string, writes: number, takenAt: number): Promise<void> {
    return asPromise(() => {
      const entry = this.logs.get(installation)?.find((e) => e.at === takenAt && e.writes >= writes);
      if (entry) entry.writes -= writes;
    });
  }

  add(installation: string, writes: number, now: number): Promise<void> {
    return asPromise(() => {
      const entries = this.logs.get(installation) ?? [];
      entries.push({ at: now, writes });
      entries.sort((a, b) => a.at - b.at);
      this.logs.set(installation, entries);
    });
  }
}

/*
 * The Redis budget: one sorted set per installation, a member per reservation (`at:id:writes`,
 * scored by `at`), trimmed to the last hour. KEYS[1] the set; ARGV: now, writes, per minute, per
 * hour, minute ms, hour ms, a unique id. Returns 0 when taken, else the wait in ms.
 */
const TAKE_SCRIPT = `
local now = tonumber(ARGV[1])
local writes = tonumber(ARGV[2])
local hourMs = tonumber(ARGV[6])
redis.call("zremrangebyscore", KEYS[1], "-inf", now - hourMs)
local members = redis.call("zrangebyscore", KEYS[1], "(" .. (now - hourMs), "+inf", "withscores")
local function wait(limit, windowMs)
  local from = now - windowMs
  local total = writes
  for i = 1, #members, 2 do
    if tonumber(members[i + 1]) > from then total = total + tonumber(string.match(members[i], ":(%d+)$")) end
  end
  if total <= limit then return 0 end
  for i = 1, #members, 2 do
    local at = tonumber(members[i + 1])
    if at > from then
      total = total - tonumber(string.match(members[i], ":(%d+)$"))
      if total <= limit then return math.max(1, at + windowMs - now) end
    end
  end
  return windowMs
end
local w = math.max(wait(tonumber(ARGV[4]), hourMs), wait(tonumber(ARGV[3]), tonumber(ARGV[5])))
if w > 0 then return w end
redis.call("zadd", KEYS[1], ARGV[1], ARGV[1] .. ":" .. ARGV[7] .. ":" .. ARGV[2])
redis.call("pexpire", KEYS[1], hourMs)
return 0`;

/* Lowers one reservation made at ARGV[1] by ARGV[2] writes (removes it at 0). ARGV[3]: a unique id. */
const GIVE_BACK_SCRIPT = `
local members = redis.call("zrangebyscore", KEYS[1], ARGV[1], ARGV[1])
local back = tonumber(ARGV[2])
for _, member in ipairs(members) do
  local writes = tonumber(string.match(member, ":(%d+)$"))
  if writes >= back then
    redis.call("zrem", KEYS[1], member)
    if writes > back then redis.call("zadd", KEYS[1], ARGV[1], ARGV[1] .. ":" .. ARGV[3] .. ":" .. (writes - back)) end
    return 1
  end
end
return 0`;

/** The budget shared by every replica through Redis (sliding windows, one atomic script). */
export class RedisWriteBudget implements WriteBudget {
  private readonly windows: { minuteMs: number; hourMs: number };
  /** Windows in whole milliseconds (PEXPIRE takes integers). */
  constructor(
    private readonly redis: Redis,
    private readonly limits: BudgetLimits,
    private readonly prefix = "guardrails:fanout:",
  ) {
    const given = windows(limits);
    this.windows = { minuteMs: Math.max(1, Math.round(given.minuteMs)), hourMs: Math.max(1, Math.round(given.hourMs)) };
  }

  private key(installation: string): string {
    return `${this.prefix}${installation}`;
  }

  async tryTake(installation: string, writes: number, now: number): Promise<number> {
    const { minuteMs, hourMs } = this.windows;
    const args = [
      Math.round(now),
      writes,
      this.limits.writesPerMinute,
      this.limits.writesPerHour,
      minuteMs,
      hourMs,
      randomUUID(),
    ].map(String);
    return Number(await this.redis.eval(TAKE_SCRIPT, 1, this.key(installation), ...args));
  }

  async giveBack(installation: string, writes: number, takenAt: number): Promise<void> {
    await this.redis.eval(GIVE_BACK_SCRIPT, 1, this.key(installation), String(takenAt), String(writes), randomUUID());
  }

  async add(installation: string, writes: number, now: number): Promise<void> {
    await this.redis.zadd(this.key(installation), now, `${now}:${randomUUID()}:${writes}`);
    await this.redis.pexpire(this.key(installation), this.windows.hourMs);
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

const realClock: FanOutClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

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
  options: {
    installation: string;
    budget: WriteBudget;
    log: Logger;
    limits?: Partial<FanOutLimits>;
    rateLimit?: RateLimitView;
    clock?: FanOutClock;
    what?: string;
  },
): Promise<FanOutResult> {
  const limits = { ...DEFAULT_FAN_OUT_LIMITS, ...options.limits };
  const clock = options.clock ?? realClock;
  const ordered = [...items].sort((a, b) => Date.parse(b.updatedAt ?? "") - Date.parse(a.updatedAt ?? "") || 0);
  const result: FanOutResult = { evaluated: 0, failed: [], waitedMs: 0, writes: 0 };
  const started = clock.now();
  let next = 0;
  let lastProgress = started;

  if (limits.writesPerEvaluation > Math.min(limits.writesPerMinute, limits.writesPerHour)) {
    throw new Error(
      `the fan-out reserves ${limits.writesPerEvaluation} writes an evaluation, more than its budget allows at once (${limits.writesPerMinute} a minute, ${limits.writesPerHour} an hour)`,
    );
  }

  /** Waits until an evaluation's writes fit; returns when they were reserved. */
  const reserve = async (): Promise<number> => {
    for (;;) {
      const low = options.rateLimit?.();
      if (low && low.remaining < limits.lowRateLimit && low.resetAt > clock.now()) {
        const wait = low.resetAt - clock.now() + 1000;
        options.log.warn(
          { installation: options.installation, remaining: low.remaining, waitMs: wait },
          "policy re-evaluation: the rate limit is low, waiting for its reset",
        );
        result.waitedMs += wait;
        await clock.sleep(wait);
        continue;
      }
      const now = clock.now();
      const wait = await options.budget.tryTake(options.installation, limits.writesPerEvaluation, now);
      if (wait === 0) return now;
      options.log.info(
        { installation: options.installation, done: result.evaluated, total: ordered.length, waitMs: wait },
        "policy re-evaluation: write budget spent, waiting for the window to move",
      );
      result.waitedMs += wait;
      await clock.sleep(wait);
    }
  };

  const worker = async () => {
    while (next < ordered.length) {
      // The budget first, then the next PR: the PRs start in order (a worker that took a PR and
      // then lost the race for the budget to the others could keep it waiting for long).
      const takenAt = await reserve();
      if (next >= ordered.length) {
        await options.budget.giveBack(options.installation, limits.writesPerEvaluation, takenAt);
        break;
      }
      const item = ordered[next++]!;
      let writes = limits.writesPerEvaluation;
      try {
        writes = (await evaluate(item.target)).writes;
      } catch (error) {
        result.failed.push(error);
      }
      result.evaluated++;
      result.writes += writes;
      // The budget holds what was written: the unused part of the reservation goes back, writes
      // beyond it are counted (they were made; the next reservations wait for them).
      const unused = limits.writesPerEvaluation - writes;
      if (unused > 0) await options.budget.giveBack(options.installation, unused, takenAt);
      if (unused < 0) await options.budget.add(options.installation, -unused, clock.now());
      if (result.evaluated === ordered.length || clock.now() - lastProgress >= 30_000 || result.evaluated % 100 === 0) {
        lastProgress = clock.now();
        options.log.info(
          {
            installation: options.installation,
            done: result.evaluated,
            total: ordered.length,
            writes: result.writes,
            failed: result.failed.length,
            elapsedMs: clock.now() - started,
          },
          `${options.what ?? "policy re-evaluation"}: progress`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limits.concurrency, ordered.length)) }, worker));
  return result;
}
