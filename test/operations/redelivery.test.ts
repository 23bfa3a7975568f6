/**
 * Redelivery of failed webhook deliveries, against GitHub's delivery endpoints served by nock
 * (newest first, cursor pagination by Link header), through the app-authenticated Octokit the
 * server uses (`probot.auth()` without an installation: an app JWT).
 */
import { beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { Probot } from "probot";
import { pino } from "pino";
import { guardrailsOctokit } from "../../src/github/github-client.js";
import {
  DELIVERY_RETENTION_MS,
  MemoryRedeliveryStore,
  nextCursor,
  redeliveryEvents,
  redeliveryIntervalS,
  scanAndRedeliver,
  type DeliveriesClient,
  type HookDelivery,
} from "../../src/operations/redelivery.js";
import { useNock } from "../support/nock-github.js";
import { TEST_APP_ID, TEST_PRIVATE_KEY, type OctokitOptions } from "../support/test-probot.js";

useNock();

const NOW = Date.parse("2026-12-04T12:00:00Z");
const silent = pino({ level: "silent" });

/** GitHub's delivery log of the app: attempts, newest first; a redelivery request adds an attempt. */
class DeliveryLog {
  attempts: HookDelivery[] = [];
  redeliveryRequests: number[] = [];
  listRequests = 0;
  authorizations = new Set<string>();
  private nextId = 1;

  add(guid: string, minutesAgo: number, status: number, redelivery = false): HookDelivery {
    const attempt: HookDelivery = {
      id: this.nextId++,
      guid,
      delivered_at: new Date(NOW - minutesAgo * 60_000).toISOString(),
      redelivery,
      status_code: status,
      event: "pull_request",
      action: "opened",
    };
    this.attempts.push(attempt);
    return attempt;
  }

  header(value: string | string[] | undefined): string | undefined {
    return Array.isArray(value) ? value[0] : value;
  }

  mount(pageSize = 2, redeliveryStatus = 202): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const log = this;
    nock("https://api.github.com")
      .persist()
      .get("/app/hook/deliveries")
      .query(true)
      .reply(function (this: { req: { headers: Record<string, string> } }, uri) {
        log.listRequests++;
        log.authorizations.add(String(log.header(this.req.headers.authorization)).split(" ")[0]!.toLowerCase());
        const url = new URL(uri, "https://api.github.com");
        const sorted = [...log.attempts].sort(
          (a, b) => Date.parse(b.delivered_at) - Date.parse(a.delivered_at) || b.id - a.id,
        );
        const start = Number(url.searchParams.get("cursor") ?? 0);
        const perPage = Math.min(Number(url.searchParams.get("per_page")), pageSize);
        const page = sorted.slice(start, start + perPage);
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (start + perPage < sorted.length)
          headers.link = `<https://api.github.com/app/hook/deliveries?per_page=${perPage}&cursor=${start + perPage}>; rel="next"`;
        return [200, page, headers];
      })
      .post(/^\/app\/hook\/deliveries\/\d+\/attempts$/)
      .reply((uri) => {
        const id = Number(/deliveries\/(\d+)\//.exec(uri)![1]);
        log.redeliveryRequests.push(id);
        return [redeliveryStatus, redeliveryStatus < 300 ? {} : { message: "Validation Failed" }];
      });
  }
}

async function appClient(): Promise<DeliveriesClient> {
  const Octokit = guardrailsOctokit().defaults((options: OctokitOptions) => ({
    ...options,
    throttle: { ...options.throttle, enabled: false },
    retry: { enabled: false },
  }));
  const probot = new Probot({
    appId: TEST_APP_ID,
    privateKey: TEST_PRIVATE_KEY,
    log: silent,
    Octokit,
  });
  return await probot.auth();
}

describe("redelivery of failed deliveries", () => {
  let log: DeliveryLog;
  beforeEach(() => {
    log = new DeliveryLog();
  });

  it("redelivers a failed delivery once, never one that succeeded, judging a guid on all its attempts", async () => {
    const failed = log.add("failed-once", 30, 500);
    log.add("succeeded", 25, 202);
    // Failed first, then succeeded on a redelivery: done.
    log.add("retried-ok", 20, 502);
    log.add("retried-ok", 10, 200, true);
    // Failed on every attempt (a timeout is status 0 in GitHub's log).
    const allFailed = log.add("all-failed", 15, 0);
    log.add("all-failed", 12, 503, true);
    log.mount(2);
    const store = new MemoryRedeliveryStore();
    const counted: string[] = [];
    const count = (delivery: HookDelivery) => counted.push(delivery.guid);
    redeliveryEvents.on("redelivered", count);
    try {
      const first = await scanAndRedeliver({ client: await appClient(), store, log: silent, now: () => NOW });
      expect(first).toEqual({ ran: true, deliveries: 6, failed: 2, redelivered: 2, errors: 0 });
      // The first attempt of each failed guid, asked for once each; pages followed by cursor.
      expect(log.redeliveryRequests.sort()).toEqual([failed.id, allFailed.id].sort());
      expect(log.listRequests).toBe(3);
      expect(counted.sort()).toEqual(["all-failed", "failed-once"]);
      // The app's JWT, not an installation token.
      expect([...log.authorizations]).toEqual(["bearer"]);

      // GitHub's redelivery of "failed-once" failed again: the next scan does not ask a second time.
      log.add("failed-once", 1, 500, true);
      const second = await scanAndRedeliver({ client: await appClient(), store, log: silent, now: () => NOW + 60_000 });
      expect(second.redelivered).toBe(0);
      expect(log.redeliveryRequests).toHaveLength(2);
    } finally {
      redeliveryEvents.off("redelivered", count);
    }
  });

  it("scans back only to the last scanned point, at most GitHub's retention, and lists no older page", async () => {
    log.add("too-old", (DELIVERY_RETENTION_MS + 3_600_000) / 60_000, 500);
    const recent = log.add("recent", 10, 500);
    log.mount(1);
    const store = new MemoryRedeliveryStore();
    const result = await scanAndRedeliver({ client: await appClient(), store, log: silent, now: () => NOW });
    expect(result.redelivered).toBe(1);
    expect(log.redeliveryRequests).toEqual([recent.id]);
    expect(await store.lastScan()).toBe(NOW);

    // A day later: five new deliveries, one failed; the scan stops at the first page older than its point.
    for (let i = 0; i < 4; i++) log.add(`new-${i}`, -24 * 60 + i, 200);
    const newFailed = log.add("new-failed", -24 * 60 + 10, 500);
    log.listRequests = 0;
    const later = await scanAndRedeliver({
      client: await appClient(),
      store,
      log: silent,
      now: () => NOW + 24 * 3_600_000,
    });
    expect(later.deliveries).toBe(5);
    expect(log.redeliveryRequests).toEqual([recent.id, newFailed.id]);
    expect(log.listRequests).toBe(6);
  });

  it("a later attempt whose first attempt is past the scanned range is not judged on it alone", async () => {
    // Delivered fine long ago; a person redelivered it by hand since, and that attempt failed.
    log.add("manual", 2 * 24 * 60, 200);
    log.add("manual", 2, 500, true);
    log.mount(10);
    const store = new MemoryRedeliveryStore();
    await store.setLastScan(NOW - 60 * 60_000);
    const result = await scanAndRedeliver({ client: await appClient(), store, log: silent, now: () => NOW });
    expect(result).toMatchObject({ deliveries: 1, failed: 0, redelivered: 0 });
    expect(log.redeliveryRequests).toEqual([]);
  });

  it("a refused redelivery keeps the scanned point, so the next scan tries it again", async () => {
    log.add("refused", 5, 500);
    log.mount(10, 422);
    const store = new MemoryRedeliveryStore();
    const result = await scanAndRedeliver({ client: await appClient(), store, log: silent, now: () => NOW });
    expect(result).toMatchObject({ redelivered: 0, errors: 1 });
    expect(await store.lastScan()).toBeUndefined();
  });

  it("only one scan at a time: a second one while the lock is held does nothing", async () => {
    log.add("failed", 5, 500);
    log.mount(10);
    const store = new MemoryRedeliveryStore();
    const release = await store.tryLock();
    const skipped = await scanAndRedeliver({ client: await appClient(), store, log: silent, now: () => NOW });
    expect(skipped.ran).toBe(false);
    expect(log.listRequests).toBe(0);
    await release!();
    expect(
      (await scanAndRedeliver({ client: await appClient(), store, log: silent, now: () => NOW })).redelivered,
    ).toBe(1);
  });

  it("reads REDELIVERY_INTERVAL_S and the Link header's cursor", () => {
    expect(redeliveryIntervalS({})).toBe(300);
    expect(redeliveryIntervalS({ REDELIVERY_INTERVAL_S: "0" })).toBe(0);
    expect(() => redeliveryIntervalS({ REDELIVERY_INTERVAL_S: "soon" })).toThrow(/REDELIVERY_INTERVAL_S/);
    expect(
      nextCursor('<https://api.github.com/app/hook/deliveries?per_page=100&cursor=v1_12077215967>; rel="next"'),
    ).toBe("v1_12077215967");
    expect(nextCursor(undefined)).toBeUndefined();
  });
});
