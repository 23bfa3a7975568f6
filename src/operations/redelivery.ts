/**
 * GitHub does not redeliver a failed webhook delivery by itself (its docs say so and suggest a
 * scheduled script). A delivery fails while the app restarts, deploys or is down, and a missed
 * event (a dismissed approval, a removed label, a new push) would leave an old `success` standing.
 *
 * On start and every REDELIVERY_INTERVAL_S seconds (default 300, 0 turns it off) the app lists its
 * own deliveries (`GET /app/hook/deliveries`, app JWT, newest first, cursor pagination, 100 a page)
 * back to the last scanned point (at most GitHub's retention: 3 days on github.com), groups their
 * attempts by `guid`, and asks GitHub to deliver again (`POST /app/hook/deliveries/{id}/attempts`)
 * each delivery whose attempts all failed (no 2xx), once per guid: the guids it asked for are
 * remembered (in Redis with REDIS_URL, else in memory), and one that succeeded on any attempt is
 * never redelivered. A guid is only considered when its first attempt (`redelivery: false`) is in
 * the scanned range, so a later attempt of an older delivery (one a person redelivered by hand, or
 * ours) never makes the scan judge it on part of its attempts. With several replicas only one
 * scans at a time (a Redis lock); the last scanned point is kept in Redis.
 */
import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { asPromise } from "./as-promise.js";
import { ConfigError } from "../config.js";

/** GitHub keeps deliveries this long on github.com (GitHub Enterprise Server keeps 7 days). */
export const DELIVERY_RETENTION_MS = 3 * 24 * 3_600_000;
/** Each scan goes back this far before the last one started: a delivery may be recorded late. */
export const SCAN_OVERLAP_MS = 5 * 60_000;
export const DEFAULT_REDELIVERY_INTERVAL_S = 300;

export interface HookDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  status_code: number;
  event?: string;
  action?: string | null;
  installation_id?: number | null;
  repository_id?: number | null;
}

/** What the scan needs of an app-authenticated Octokit (Probot's `probot.auth()`). */
export interface DeliveriesClient {
  request(
    route: string,
    parameters?: Record<string, unknown>,
  ): Promise<{ data: unknown; headers: Record<string, string | number | undefined> }>;
}

export interface RedeliveryStore {
  /** Takes the scan lock if free; resolves to its release, or undefined when another replica scans. */
  tryLock(ttlMs: number): Promise<(() => Promise<void>) | undefined>;
  /** When the last complete scan started (ms since the epoch). */
  lastScan(): Promise<number | undefined>;
  setLastScan(at: number): Promise<void>;
  /** Records that `guid` was redelivered; false when it already was (by this or another replica). */
  claim(guid: string, now: number): Promise<boolean>;
}

export class MemoryRedeliveryStore implements RedeliveryStore {
  private locked = false;
  private scanned: number | undefined;
  private readonly claimed = new Map<string, number>();

  tryLock(): Promise<(() => Promise<void>) | undefined> {
    return asPromise(() => {
      if (this.locked) return undefined;
      this.locked = true;
      return () => {
        this.locked = false;
        return Promise.resolve();
      };
    });
  }
  lastScan(): Promise<number | undefined> {
    return asPromise(() => {
      return this.scanned;
    });
  }
  setLastScan(at: number): Promise<void> {
    return asPromise(() => {
      this.scanned = at;
    });
  }
  claim(guid: string, now: number): Promise<boolean> {
    return asPromise(() => {
      // Bounded: a guid older than GitHub's retention cannot come back.
      for (const [key, at] of this.claimed)
        if (now - at > DELIVERY_RETENTION_MS + SCAN_OVERLAP_MS) this.claimed.delete(key);
      if (this.claimed.has(guid)) return false;
      this.claimed.set(guid, now);
      return true;
    });
  }
}

const RELEASE_SCRIPT = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export class RedisRedeliveryStore implements RedeliveryStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = "guardrails:redelivery:",
  ) {}

  async tryLock(ttlMs: number): Promise<(() => Promise<void>) | undefined> {
    const name = `${this.prefix}lock`;
    const token = `${process.pid}:${Math.random().toString(36).slice(2)}`;
    if ((await this.redis.set(name, token, "PX", ttlMs, "NX")) !== "OK") return undefined;
    return async () => {
      await this.redis.eval(RELEASE_SCRIPT, 1, name, token);
    };
  }
  async lastScan(): Promise<number | undefined> {
    const value = await this.redis.get(`${this.prefix}last-scan`);
    return value ? Number(value) : undefined;
  }
  async setLastScan(at: number): Promise<void> {
    await this.redis.set(`${this.prefix}last-scan`, String(at));
  }
  async claim(guid: string): Promise<boolean> {
    const set = await this.redis.set(
      `${this.prefix}guid:${guid}`,
      "1",
      "PX",
      DELIVERY_RETENTION_MS + SCAN_OVERLAP_MS,
      "NX",
    );
    return set === "OK";
  }
}

/** Counts for the metrics (guardrails_webhook_redeliveries_total) and the tests. */
export interface RedeliveryEvents {
  redelivered: [delivery: HookDelivery];
  failed: [delivery: HookDelivery, error: unknown];
  scanned: [result: ScanResult];
}
export const redeliveryEvents = new EventEmitter<RedeliveryEvents>();

export interface ScanResult {
  /** False when another replica held the lock. */
  ran: boolean;
  /** Attempts listed. */
  deliveries: number;
  /** Guids whose every attempt in range failed. */
  failed: number;
  redelivered: number;
  /** Redeliveries GitHub refused (they are tried again at the next scan). */
  errors: number;
}

export interface ScanOptions {
  client: DeliveriesClient;
  store: RedeliveryStore;
  log: Pick<Logger, "info" | "warn" | "error" | "debug">;
  now?: () => number;
  /** Lock expiry: a scan that dies frees it after this. */
  lockTtlMs?: number;
}

const success = (status: number) => status >= 200 && status < 300;

/** One scan: lists the deliveries back to the last scanned point and redelivers the failed ones. */
export async function scanAndRedeliver(options: ScanOptions): Promise<ScanResult> {
  const now = options.now ?? Date.now;
  const result: ScanResult = { ran: false, deliveries: 0, failed: 0, redelivered: 0, errors: 0 };
  const release = await options.store.tryLock(options.lockTtlMs ?? 10 * 60_000);
  if (!release) {
    options.log.debug("redelivery scan skipped: another replica is scanning");
    return result;
  }
  try {
    result.ran = true;
    const startedAt = now();
    const last = await options.store.lastScan();
    const since = Math.max(startedAt - DELIVERY_RETENTION_MS, last === undefined ? 0 : last - SCAN_OVERLAP_MS);
    const attempts = await listSince(options.client, since);
    result.deliveries = attempts.length;
    const byGuid = new Map<string, HookDelivery[]>();
    for (const attempt of attempts) {
      const list = byGuid.get(attempt.guid);
      if (list) list.push(attempt);
      else byGuid.set(attempt.guid, [attempt]);
    }
    // Oldest first: the order in which the events happened.
    const groups = [...byGuid.values()].sort((a, b) => first(a) - first(b));
    for (const group of groups) {
      if (group.some((attempt) => success(attempt.status_code))) continue;
      // The first attempt must be in range, or the scan would judge the guid on part of its attempts.
      const original = group.find((attempt) => !attempt.redelivery);
      if (!original) continue;
      result.failed++;
      if (!(await options.store.claim(original.guid, now()))) continue;
      try {
        await options.client.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: original.id });
        result.redelivered++;
        redeliveryEvents.emit("redelivered", original);
        options.log.info(
          {
            guid: original.guid,
            deliveryId: original.id,
            event: original.event,
            action: original.action,
            statusCodes: group.map((attempt) => attempt.status_code),
            deliveredAt: original.delivered_at,
          },
          "redelivery requested for a failed webhook delivery",
        );
      } catch (error) {
        result.errors++;
        redeliveryEvents.emit("failed", original, error);
        options.log.warn({ guid: original.guid, deliveryId: original.id, err: error }, "redelivery request failed");
      }
    }
    // A redelivery GitHub refused must be tried again: keep the scanned point where it was.
    if (result.errors === 0) await options.store.setLastScan(startedAt);
    options.log.info(
      {
        since: new Date(since).toISOString(),
        deliveries: result.deliveries,
        failed: result.failed,
        redelivered: result.redelivered,
        errors: result.errors,
      },
      "redelivery scan done",
    );
    redeliveryEvents.emit("scanned", result);
    return result;
  } finally {
    await release();
  }
}

function first(group: HookDelivery[]): number {
  return Math.min(...group.map((attempt) => Date.parse(attempt.delivered_at)));
}

/** The attempts delivered at or after `since`, newest first, page by page (GitHub lists newest first). */
async function listSince(client: DeliveriesClient, since: number): Promise<HookDelivery[]> {
  const found: HookDelivery[] = [];
  let cursor: string | undefined;
  for (;;) {
    const response = await client.request("GET /app/hook/deliveries", { per_page: 100, ...(cursor ? { cursor } : {}) });
    const page = response.data as HookDelivery[];
    let older = false;
    for (const delivery of page) {
      if (Date.parse(delivery.delivered_at) < since) older = true;
      else found.push(delivery);
    }
    cursor = nextCursor(response.headers.link);
    if (older || !cursor || page.length === 0) return found;
  }
}

/** The `cursor` of the Link header's rel="next" URL. */
export function nextCursor(link: string | number | undefined): string | undefined {
  if (typeof link !== "string") return undefined;
  for (const part of link.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="next"/.exec(part);
    if (match) return new URL(match[1]!).searchParams.get("cursor") ?? undefined;
  }
  return undefined;
}

/** REDELIVERY_INTERVAL_S: seconds between scans, 0 turns them off. */
export function redeliveryIntervalS(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.REDELIVERY_INTERVAL_S;
  if (raw === undefined || raw === "") return DEFAULT_REDELIVERY_INTERVAL_S;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigError(`REDELIVERY_INTERVAL_S must be a number of seconds (0 turns redelivery off), got "${raw}"`);
  return value;
}

/** Scans on start and every `intervalS` seconds; resolves to a stop function. */
export function startRedeliveryScans(
  options: Omit<ScanOptions, "client"> & { client: () => Promise<DeliveriesClient>; intervalS: number },
): () => void {
  if (options.intervalS === 0) {
    options.log.info("redelivery of failed webhook deliveries is off (REDELIVERY_INTERVAL_S=0)");
    return () => undefined;
  }
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await scanAndRedeliver({ ...options, client: await options.client() });
    } catch (error) {
      // The next scan starts from the same point: nothing is lost.
      options.log.error({ err: error }, "redelivery scan failed");
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), options.intervalS * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
