/** BurstCoalescer: the events of one burst share one job; a key's next burst runs it again; keys are apart. */
import { describe, expect, it } from "@jest/globals";
import { BurstCoalescer } from "../../src/webhooks/burst.js";

describe("BurstCoalescer", () => {
  it("runs a job once per burst and key, and gives every event of the burst its outcome", async () => {
    const bursts = new BurstCoalescer(20, 200);
    const runs: string[] = [];
    const job = (key: string) => () => {
      runs.push(key);
      return Promise.resolve(runs.length);
    };
    const first = await Promise.all(Array.from({ length: 10 }, () => bursts.run("pr#1", job("pr#1"))));
    expect(new Set(first)).toEqual(new Set([1]));
    const [a, b] = await Promise.all([bursts.run("pr#1", job("pr#1")), bursts.run("pr#2", job("pr#2"))]);
    expect(runs).toEqual(["pr#1", "pr#1", "pr#2"]);
    expect([a, b].sort()).toEqual([2, 3]);
  });

  it("starts the job at the burst's deadline even while events keep coming", async () => {
    const bursts = new BurstCoalescer(30, 60);
    let runs = 0;
    const outcomes: Promise<number>[] = [];
    for (let i = 0; i < 12; i++) {
      outcomes.push(bursts.run("pr#1", () => Promise.resolve(++runs)));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Promise.all(outcomes);
    // 12 events 10 ms apart never leave 30 ms of quiet: only the 60 ms deadline starts a job.
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(runs).toBeLessThan(12);
  });
});
