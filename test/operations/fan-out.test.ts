/**
 * The policy-push fan-out: most recently updated PRs first, writes within the per-installation
 * budget (counted, on a fake clock), waiting instead of failing when it is spent or the rate limit
 * is low, never dropping a PR.
 */
import { describe, expect, it } from "@jest/globals";
import { pino } from "pino";
import { MemoryWriteBudget, paceFanOut, type FanOutClock } from "../../src/operations/fan-out.js";

function fakeClock(start = Date.UTC(2026, 11, 4, 10, 0, 30)): FanOutClock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return { now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)), slept };
}

const silent = pino({ level: "silent" });

describe("paceFanOut", () => {
  it("keeps every minute within the write budget, most recently updated first, and drops nothing", async () => {
    const clock = fakeClock();
    const limits = { writesPerMinute: 6, writesPerHour: 1000, writesPerEvaluation: 2, concurrency: 1 };
    const items = Array.from({ length: 12 }, (_, i) => ({ target: i, updatedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString() }));
    const order: number[] = [];
    const writesPerMinute = new Map<number, number>();
    const result = await paceFanOut(
      items,
      async (target) => {
        order.push(target);
        const minute = Math.floor(clock.now() / 60_000);
        writesPerMinute.set(minute, (writesPerMinute.get(minute) ?? 0) + 2);
        return { writes: 2 };
      },
      { installation: "1", budget: new MemoryWriteBudget(limits), log: silent, limits, clock },
    );
    expect(order).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(result).toMatchObject({ evaluated: 12, failed: [], writes: 24 });
    expect(Math.max(...writesPerMinute.values())).toBeLessThanOrEqual(6);
    expect(writesPerMinute.size).toBe(4);
    expect(clock.slept.length).toBe(3);
  });

  it("counts only the writes made: an evaluation that changed nothing leaves its reservation to the next", async () => {
    const clock = fakeClock();
    const limits = { writesPerMinute: 6, writesPerHour: 1000, writesPerEvaluation: 3, concurrency: 1 };
    const result = await paceFanOut(
      Array.from({ length: 20 }, (_, i) => ({ target: i })),
      async () => ({ writes: 0 }),
      { installation: "1", budget: new MemoryWriteBudget(limits), log: silent, limits, clock },
    );
    expect(result).toMatchObject({ evaluated: 20, writes: 0, waitedMs: 0 });
  });

  it("waits for the hour when the hourly budget is spent", async () => {
    const clock = fakeClock();
    const limits = { writesPerMinute: 100, writesPerHour: 4, writesPerEvaluation: 2, concurrency: 1 };
    const result = await paceFanOut(
      Array.from({ length: 3 }, (_, i) => ({ target: i })),
      async () => ({ writes: 2 }),
      { installation: "1", budget: new MemoryWriteBudget(limits), log: silent, limits, clock },
    );
    expect(result.evaluated).toBe(3);
    expect(clock.slept).toEqual([3_600_000 - 30_000]);
  });

  it("defers while the installation's rate limit is low, until its reset, then goes on", async () => {
    const clock = fakeClock();
    let remaining = 50;
    const resetAt = clock.now() + 600_000;
    const result = await paceFanOut(
      [{ target: 1 }, { target: 2 }],
      async () => ({ writes: 1 }),
      {
        installation: "1",
        budget: new MemoryWriteBudget({ writesPerMinute: 60, writesPerHour: 400 }),
        log: silent,
        clock,
        rateLimit: () => (clock.now() >= resetAt ? ((remaining = 5000), { remaining, resetAt: resetAt + 3_600_000 }) : { remaining, resetAt }),
      },
    );
    expect(result.evaluated).toBe(2);
    expect(clock.slept).toEqual([601_000]);
  });

  it("a failed evaluation is reported and the others still run", async () => {
    const clock = fakeClock();
    const result = await paceFanOut(
      [{ target: 1 }, { target: 2 }, { target: 3 }],
      async (target) => {
        if (target === 2) throw new Error("boom");
        return { writes: 1 };
      },
      { installation: "1", budget: new MemoryWriteBudget({ writesPerMinute: 60, writesPerHour: 400 }), log: silent, clock },
    );
    expect(result.evaluated).toBe(3);
    expect(result.failed).toEqual([new Error("boom")]);
  });
});
