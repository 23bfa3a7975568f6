/**
 * Nothing accepted is lost: a delivery may be answered (202 after WEBHOOK_RESPONSE_TIMEOUT_MS, or
 * 200) and its evaluation then die with the process (a deploy, a crash, OOM). GitHub counts that
 * delivery as a success and never sends it again, so the app keeps its own list of evaluations
 * scheduled and not finished, written before the evaluation starts and removed when it settles:
 *
 * - with REDIS_URL, in a Redis hash (`guardrails:pending`), each entry naming the process that owns
 *   it; every process keeps a heartbeat key alive (`guardrails:pending:alive:<process>`, 30 s) and
 *   sweeps the hash on start and every 15 s: an entry whose owner's heartbeat is gone is claimed
 *   (HDEL: exactly one replica wins) and evaluated again, by a live replica or the restarted one;
 * - without Redis, in a JSON file (PENDING_EVALUATIONS_FILE, by default
 *   `<tmpdir>/guardrails-pending-<APP_ID>-<PORT>.json`), rewritten atomically on each change; on
 *   start the process evaluates again every entry the previous process left there.
 *
 * A resumed evaluation is a fresh evaluation of the PR with the same trigger: it reads GitHub anew,
 * completes a run left `in_progress`, and writes nothing when the decision stands.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { PullRequestTarget, Trigger } from "../trigger.js";
import { asPromise } from "./as-promise.js";

export interface PendingEvaluation {
  installationId: number;
  target: PullRequestTarget;
  trigger: Trigger;
  joinable: boolean;
  /** The delivery that scheduled it (for the log). */
  deliveryId?: string;
  /** When it was scheduled (ms since the epoch). */
  at: number;
  /**
   * Part of a policy push's re-evaluation of many PRs, recorded before any of them started: a
   * resumed one goes through the paced fan-out again (src/operations/fan-out.ts), never all at once.
   */
  paced?: boolean;
  /** The PR's last update, for the fan-out's order (most recently updated first). */
  updatedAt?: string;
  /** HMAC over installation, target and trigger (src/operations/pending-signature.ts). */
  signature?: string;
}

export interface PendingEvaluations {
  /** Records an evaluation about to be scheduled; resolves to its id. */
  add(entry: PendingEvaluation): Promise<string>;
  /** Records many at once (a fan-out: one write, not one per entry); resolves to their ids in order. */
  addMany(entries: PendingEvaluation[]): Promise<string[]>;
  /** The evaluation settled (done, or failed and shown as failed). */
  remove(id: string): Promise<void>;
  /** Entries whose process died, each handed to one caller only, and removed. */
  takeOrphans(): Promise<PendingEvaluation[]>;
  /** How often to look for orphans after the start (0: only on start). */
  readonly sweepIntervalMs: number;
  close(): void;
}

/** One process without Redis: a file that outlives the process. */
export class FilePendingEvaluations implements PendingEvaluations {
  readonly sweepIntervalMs = 0;
  private readonly entries = new Map<string, PendingEvaluation>();
  private orphans: PendingEvaluation[];

  constructor(private readonly path: string) {
    this.orphans = existsSync(path) ? readEntries(path) : [];
  }

  add(entry: PendingEvaluation): Promise<string> {
    return asPromise(() => {
      const id = randomUUID();
      this.entries.set(id, entry);
      this.write();
      return id;
    });
  }
  addMany(entries: PendingEvaluation[]): Promise<string[]> {
    return asPromise(() => {
      const ids = entries.map((entry) => {
        const id = randomUUID();
        this.entries.set(id, entry);
        return id;
      });
      if (ids.length) this.write();
      return ids;
    });
  }
  remove(id: string): Promise<void> {
    return asPromise(() => {
      if (this.entries.delete(id)) this.write();
    });
  }
  takeOrphans(): Promise<PendingEvaluation[]> {
    return asPromise(() => {
      const taken = this.orphans;
      this.orphans = [];
      this.write();
      return taken;
    });
  }
  close(): void {}

  private write(): void {
    // The orphans not yet taken stay in the file: a crash before they are resumed keeps them.
    const all = [...this.orphans, ...this.entries.values()];
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(all), { mode: 0o600 });
    renameSync(temporary, this.path);
  }
}

function readEntries(path: string): PendingEvaluation[] {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
  } catch {
    return [];
  }
}

function isEntry(value: unknown): value is PendingEvaluation {
  const entry = value as PendingEvaluation;
  return (
    typeof entry === "object" &&
    entry !== null &&
    typeof entry.installationId === "number" &&
    typeof entry.target?.owner === "string" &&
    typeof entry.target?.repo === "string" &&
    typeof entry.target?.number === "number" &&
    typeof entry.trigger?.event === "string"
  );
}

/** PENDING_EVALUATIONS_FILE, or one per app and port in the temporary directory. */
export function pendingFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.PENDING_EVALUATIONS_FILE || join(tmpdir(), `guardrails-pending-${env.APP_ID || "0"}-${env.PORT || "3000"}.json`)
  );
}

const HEARTBEAT_TTL_MS = 30_000;

/** Replicas sharing REDIS_URL: entries in a hash, each owned by a process with a heartbeat. */
export class RedisPendingEvaluations implements PendingEvaluations {
  readonly sweepIntervalMs: number;
  private readonly process = randomUUID();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    options: { prefix?: string; sweepIntervalMs?: number } = {},
  ) {
    this.prefix = options.prefix ?? "guardrails:pending";
    this.sweepIntervalMs = options.sweepIntervalMs ?? 15_000;
    const beat = () =>
      void this.redis.set(this.alive(this.process), "1", "PX", HEARTBEAT_TTL_MS).catch(() => undefined);
    beat();
    this.heartbeat = setInterval(beat, HEARTBEAT_TTL_MS / 3);
    this.heartbeat.unref();
  }
  private readonly prefix: string;

  private alive(owner: string): string {
    return `${this.prefix}:alive:${owner}`;
  }

  async add(entry: PendingEvaluation): Promise<string> {
    const id = `${this.process}:${randomUUID()}`;
    await this.redis.hset(this.prefix, id, JSON.stringify(entry));
    return id;
  }
  async addMany(entries: PendingEvaluation[]): Promise<string[]> {
    const ids = entries.map(() => `${this.process}:${randomUUID()}`);
    // One HSET per 500 fields: one round trip for a usual fan-out, bounded commands for a huge one.
    for (let i = 0; i < ids.length; i += 500) {
      const fields: Record<string, string> = {};
      for (let j = i; j < Math.min(i + 500, ids.length); j++) fields[ids[j]!] = JSON.stringify(entries[j]);
      await this.redis.hset(this.prefix, fields);
    }
    return ids;
  }
  async remove(id: string): Promise<void> {
    await this.redis.hdel(this.prefix, id);
  }
  async takeOrphans(): Promise<PendingEvaluation[]> {
    const all = await this.redis.hgetall(this.prefix);
    const owners = [...new Set(Object.keys(all).map((id) => id.split(":")[0]!))].filter(
      (owner) => owner !== this.process,
    );
    const dead = new Set<string>();
    for (const owner of owners) if (!(await this.redis.exists(this.alive(owner)))) dead.add(owner);
    const taken: PendingEvaluation[] = [];
    for (const [id, raw] of Object.entries(all)) {
      if (!dead.has(id.split(":")[0]!)) continue;
      // HDEL answers 1 to one replica only: that one resumes it.
      if ((await this.redis.hdel(this.prefix, id)) !== 1) continue;
      try {
        const entry: unknown = JSON.parse(raw);
        if (isEntry(entry)) taken.push(entry);
      } catch {
        // An unreadable entry cannot be resumed; it is gone.
      }
    }
    return taken;
  }
  close(): void {
    clearInterval(this.heartbeat);
  }
}

/** Resumes orphaned evaluations on start and, with Redis, every sweep interval. Returns a stop function. */
export function startResuming(options: {
  pending: PendingEvaluations;
  resume: (entry: PendingEvaluation) => Promise<unknown>;
  log: Pick<Logger, "info" | "warn" | "error">;
}): () => void {
  const { pending, log } = options;
  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      const orphans = await pending.takeOrphans();
      if (orphans.length)
        log.info({ count: orphans.length }, "resuming evaluations a stopped process accepted and did not finish");
      for (const entry of orphans) {
        const { owner, repo, number } = entry.target;
        log.info(
          {
            repository: `${owner}/${repo}`,
            pullRequest: number,
            event: entry.trigger.event,
            deliveryId: entry.deliveryId,
            scheduledAt: new Date(entry.at).toISOString(),
          },
          "resuming an unfinished evaluation",
        );
        // Each is recorded again when scheduled; a failure is logged and the delivery log shows none.
        void options
          .resume(entry)
          .catch((error: unknown) =>
            log.error({ err: error, repository: `${owner}/${repo}`, pullRequest: number }, "resumed evaluation failed"),
          );
      }
    } catch (error) {
      log.error({ err: error }, "could not read the unfinished evaluations");
    } finally {
      sweeping = false;
    }
  };
  void sweep();
  if (pending.sweepIntervalMs <= 0) return () => pending.close();
  const timer = setInterval(() => void sweep(), pending.sweepIntervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    pending.close();
  };
}
