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
  return { now: () => now, sleep: (ms) => Promise.resolve(void (slept.push(ms), (now += ms))), slept };
}

const silent = pino({ level: "silent" });

describe("paceFanOut", () => {
  it("keeps every minute within the write budget, most recently updated first, and drops nothing", async () => {
    const clock = fakeClock();
    const limits = { writesPerMinute: 6, writesPerHour: 1000, writesPerEvaluation: 2, concurrency: 1 };
    const items = Array.from({ length: 12 }, (_, i) => ({
      target: i,
      updatedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
    }));
    const order: number[] = [];
    const writesPerMinute = new Map<number, number>();
    const result = await paceFanOut(
      items,
      (target) => {
        order.push(target);
        const minute = Math.floor(clock.now() / 60_000);
        writesPerMinute.set(minute, (writesPerMinute.get(minute) ?? 0) + 2);
        return Promise.resolve({ writes: 2 });
      },
      { installation: "1", budget: new MemoryWriteBudget(limits), log: silent, limits, clock },
    );
    expect(order).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(result).toMatchObject({ evaluated: 12, failed: [], writes: 24 });
    expect(Math.max(...writesPerMinute.values())).toBeLessThanOrEqual(6);
    expect(writesPerMinute.size).toBe(4);
    expect(clock.slept.length).toBe(3);
  });

  it("starts the PRs in order with several at a time, also while they wait for the budget", async () => {
    const clock = fakeClock();
    const limits = { writesPerMinute: 6, writesPerHour: 1000, writesPerEvaluation: 3, concurrency: 4 };
    const items = Array.from({ length: 20 }, (_, i) => ({
      target: i,
      updatedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    }));
    const order: number[] = [];
    const result = await paceFanOut(
      items,
      async (target) => {
        order.push(target);
        await clock.sleep(target % 3 === 0 ? 5000 : 10);
        return { writes: 3 };
      },
      { installation: "1", budget: new MemoryWriteBudget(limits), log: silent, limits, clock },
    );
    expect(order).toEqual(items.map((_, i) => 19 - i));
    expect(result).toMatchObject({ evaluated: 20, writes: 60 });
  });

  it("counts only the writes made: an evaluation that changed nothing leaves its reservation to the next", async () => {
    const clock = fakeClock();
    const limits = { writesPerMinute: 6, writesPerHour: 1000, writesPerEvaluation: 3, concurrency: 1 };
    const result = await paceFanOut(
      Array.from({ length: 20 }, (_, i) => ({ target: i })),
      () => Promise.resolve({ writes: 0 }),
      { installation: "1", budget: new MemoryWriteBudget(limits), log: silent, limits, clock },
    );
    expect(result).toMatchObject({ evaluated: 20, writes: 0, waitedMs: 0 });
  });

  it("waits for the hour when the hourly budget is spent", async () => {
    const clock = fakeClock();
    const limits = { writesPerMinute: 100, writesPerHour: 4, writesPerEvaluation: 2, concurrency: 1 };
    const result = await paceFanOut(
      Array.from({ length: 3 }, (_, i) => ({ target: i })),
      () => Promise.resolve({ writes: 2 }),
      { installation: "1", budget: new MemoryWriteBudget(limits), log: silent, limits, clock },
    );
    expect(result.evaluated).toBe(3);
    // The hour of the first reservation has to pass (a sliding window, not the clock's hour).
    expect(clock.slept).toEqual([3_600_000]);
  });

  it("uses sliding windows: a full budget at the end of a clock hour or minute leaves nothing for the start of the next", async () => {
    // Fixed windows let 400 through at 10:59:59 and 400 more at 11:00:00 (800 within a minute);
    // and 60 in the last second of a minute and 60 in the first of the next.
    const takenOver2s = async (budget: MemoryWriteBudget) => {
      const lastSecond = Date.UTC(2026, 11, 4, 10, 59, 59);
      let taken = 0;
      for (let t = lastSecond; t < lastSecond + 2000; t += 10) if ((await budget.tryTake("1", 4, t)) === 0) taken += 4;
      return taken;
    };
    expect(await takenOver2s(new MemoryWriteBudget({ writesPerMinute: 1000, writesPerHour: 400 }))).toBe(400);
    expect(await takenOver2s(new MemoryWriteBudget({ writesPerMinute: 60, writesPerHour: 10_000 }))).toBe(60);
  });

  it("says how long until the oldest reservations leave the window, and counts what is given back and added", async () => {
    const budget = new MemoryWriteBudget({ writesPerMinute: 10, writesPerHour: 1000, minuteMs: 1000, hourMs: 60_000 });
    expect(await budget.tryTake("1", 6, 0)).toBe(0);
    expect(await budget.tryTake("1", 3, 400)).toBe(0);
    // 9 in the last "minute" (1 s here): 3 more fit only once the first 6 leave it, at 1000.
    expect(await budget.tryTake("1", 3, 500)).toBe(500);
    // The first evaluation wrote 2 of its 6: 4 go back, and 3 fit now.
    await budget.giveBack("1", 4, 0);
    expect(await budget.tryTake("1", 3, 500)).toBe(0);
    // Writes beyond a reservation count: with 5 made at 600 the window holds 2 + 3 + 3 + 5; one
    // more fits once the entries of 0 and 400 have left it, at 1400.
    await budget.add("1", 5, 600);
    expect(await budget.tryTake("1", 1, 700)).toBe(700);
    // Another installation has its own budget.
    expect(await budget.tryTake("2", 10, 700)).toBe(0);
  });

  it("counts the writes an evaluation made beyond its reservation", async () => {
    const clock = fakeClock();
    const limits = { writesPerMinute: 6, writesPerHour: 1000, writesPerEvaluation: 2, concurrency: 1 };
    const result = await paceFanOut(
      Array.from({ length: 4 }, (_, i) => ({ target: i })),
      () => Promise.resolve({ writes: 5 }),
      { installation: "1", budget: new MemoryWriteBudget(limits), log: silent, limits, clock },
    );
    expect(result).toMatchObject({ evaluated: 4, writes: 20 });
    // 2 reserved + 3 more counted: each next evaluation waits for the minute of the one before.
    expect(clock.slept).toEqual([60_000, 60_000, 60_000]);
  });

  it("defers while the installation's rate limit is low, until its reset, then goes on", async () => {
    const clock = fakeClock();
    let remaining = 50;
    const resetAt = clock.now() + 600_000;
    const result = await paceFanOut([{ target: 1 }, { target: 2 }], () => Promise.resolve({ writes: 1 }), {
      installation: "1",
      budget: new MemoryWriteBudget({ writesPerMinute: 60, writesPerHour: 400 }),
      log: silent,
      clock,
      rateLimit: () =>
        clock.now() >= resetAt
          ? ((remaining = 5000), { remaining, resetAt: resetAt + 3_600_000 })
          : { remaining, resetAt },
    });
    expect(result.evaluated).toBe(2);
    expect(clock.slept).toEqual([601_000]);
  });

  it("a failed evaluation is reported and the others still run", async () => {
    const clock = fakeClock();
    const result = await paceFanOut(
      [{ target: 1 }, { target: 2 }, { target: 3 }],
      (target) => (target === 2 ? Promise.reject(new Error("boom")) : Promise.resolve({ writes: 1 })),
      {
        installation: "1",
        budget: new MemoryWriteBudget({ writesPerMinute: 60, writesPerHour: 400 }),
        log: silent,
        clock,
      },
    );
    expect(result.evaluated).toBe(3);
    expect(result.failed).toEqual([new Error("boom")]);
  });
});
