#!/usr/bin/env node
/**
 * `npm start`: runs the Guardrails app. With credentials it serves webhooks through the HTTP server
 * (src/http/http-server.ts, Fastify); without them, outside production, it starts Probot's setup wizard, which
 * registers a GitHub App from app.yml and writes .env.
 */
import { existsSync } from "node:fs";
import Bottleneck from "bottleneck";
import type { Logger } from "pino";
import { createProbot, run, type Probot } from "probot";
import { SmeeClient } from "smee-client";
import { readConfig, ConfigError, type AppConfig } from "./config.js";
import { guardrailsApp } from "./webhooks/app.js";
import { ClientState, guardrailsOctokit } from "./github/github-client.js";
import { githubFetch } from "./github/fetch.js";
import { Redis } from "ioredis";
import { noLock, RedisPullRequestLock } from "./operations/pr-lock.js";
import { PullRequestQueue } from "./webhooks/pr-queue.js";
import { DEFAULT_FAN_OUT_LIMITS, HOUR_MS, MINUTE_MS, RedisWriteBudget } from "./operations/fan-out.js";
import { WRITE_SPACING_MS } from "./github/github-client.js";
import { boundPort, createHttpServer } from "./http/http-server.js";
import { redisReadiness, type ReadinessCheck } from "./http/readiness.js";
import { metricsRoute } from "./metrics/http.js";
import { collectProcessMetrics, observeQueue, setInstallationLabel } from "./metrics/metrics.js";
import { createLogger } from "./logger.js";
import { playgroundRoutes } from "./web/routes.js";
import {
  MemoryRedeliveryStore,
  RedisRedeliveryStore,
  redeliveryEvents,
  redeliveryIntervalS,
  startRedeliveryScans,
} from "./operations/redelivery.js";
import { redeliveries } from "./metrics/metrics.js";
import { FilePendingEvaluations, pendingFilePath, RedisPendingEvaluations } from "./operations/pending-evaluations.js";

async function main(): Promise<void> {
  // Probot's convention: variables may come from a .env file (the setup wizard writes one).
  if (existsSync(".env")) process.loadEnvFile(".env");
  const config = readConfig();
  if (!config.appId || !config.privateKey) {
    if (config.production)
      throw new ConfigError("APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) are required when NODE_ENV=production");
    console.log("No APP_ID or private key: starting Probot's setup wizard to register the app from app.yml.");
    // The smee client is a dependency (Probot's convention), so the setup page can create a
    // webhook channel without downloading it (Probot would try `npx smee-client`).
    await run(guardrailsApp({ appId: 0, stateSecret: config.checklistSecret }), { SmeeClient });
    return;
  }

  // Probot's own defaults are `warn` and pretty text; production wants every decision as a JSON line.
  const rootLog = await createLogger({
    level: config.logLevel,
    format: config.logFormat,
    levelInString: process.env.LOG_LEVEL_IN_STRING === "true",
    sentryDsn: process.env.SENTRY_DSN || undefined,
    messageKey: process.env.LOG_MESSAGE_KEY || undefined,
  });
  // Replicas sharing REDIS_URL share a per-PR lock, the stores below and GitHub's rate limit.
  const shared = process.env.REDIS_URL ? connectRedis(process.env.REDIS_URL, rootLog) : undefined;
  const redis = shared?.redis;
  const clientState = new ClientState();
  const probot = createGuardrailsProbot(config, rootLog, shared?.throttling, clientState);
  const queue = new PullRequestQueue();
  const lock = redis ? new RedisPullRequestLock(redis) : noLock;
  const fanOutLimits = scaledFanOutLimits(config, rootLog);
  const fanOutBudget = redis ? new RedisWriteBudget(redis, { ...DEFAULT_FAN_OUT_LIMITS, ...fanOutLimits }) : undefined;
  // Evaluations accepted and not finished survive the process: in Redis, else in a local file.
  const pending = redis ? new RedisPendingEvaluations(redis) : new FilePendingEvaluations(pendingFilePath());
  await probot.load(
    guardrailsApp({
      appId: config.appId,
      stateSecret: config.checklistSecret,
      appSlug: config.appSlug,
      queue,
      lock,
      pending,
      clientState,
      fanOutLimits,
      ...(fanOutBudget ? { fanOutBudget } : {}),
      playgroundUrl: config.playground ? config.playgroundUrl : undefined,
    }),
  );
  const log = probot.log.child({ name: "guardrails" });
  const server = createHttpServer({
    probot,
    log,
    webhookPath: config.webhookPath,
    webhookSecret: config.webhookSecret,
    processingTimeoutMs: config.processingTimeoutMs,
    bodyTimeoutMs: config.bodyTimeoutMs,
    bodyBudget: config.bodyBudgetBytes,
    inFlight: () => queue.size,
    readiness: shared ? [shared.readiness] : [],
    trustProxy: config.trustProxy,
    plugins: [metricsRoute({ token: config.metricsToken }), ...(config.playground ? [playgroundRoutes()] : [])],
  });
  collectProcessMetrics();
  setInstallationLabel(config.metricsInstallationLabel);
  observeQueue({ queued: () => queue.waiting, inFlight: () => queue.inFlight });
  await server.listen({ port: config.port, host: config.host });
  // On a laptop, webhooks come through the smee.io channel the setup page registered: forward them
  // here (never in production, where GitHub calls the server itself).
  if (!config.production && process.env.WEBHOOK_PROXY_URL) {
    const host = config.host === "0.0.0.0" ? "127.0.0.1" : config.host;
    await forwardFromSmee(
      process.env.WEBHOOK_PROXY_URL,
      `http://${host}:${boundPort(server)}${config.webhookPath}`,
      log,
    );
  }
  // The bound port (PORT=0 picks a free one).
  log.info(
    {
      host: config.host,
      port: boundPort(server),
      webhookPath: config.webhookPath,
      githubUrl: process.env.GHE_HOST ?? "api.github.com",
    },
    "Guardrails is listening",
  );

  // Failed deliveries asked again of GitHub, on start and every REDELIVERY_INTERVAL_S (src/operations/redelivery.ts).
  redeliveryEvents.on("redelivered", () => redeliveries.inc());
  const stopRedelivery = startRedeliveryScans({
    intervalS: redeliveryIntervalS(),
    client: async () => await probot.auth(),
    store: redis ? new RedisRedeliveryStore(redis) : new MemoryRedeliveryStore(),
    log: log.child({ name: "redelivery" }),
  });

  stopOnSignals({ log, queue, close: () => void server.close(), stopRedelivery, graceMs: config.shutdownGraceMs });
}

/** Probot with the app's GitHub client: bounded retries that honour retry-after, throttling per installation. */
function createGuardrailsProbot(
  config: AppConfig,
  log: Logger,
  throttling: Bottleneck.IORedisConnection | undefined,
  clientState: ClientState,
): Probot {
  return createProbot({
    overrides: {
      log,
      secret: config.webhookSecret,
      Octokit: guardrailsOctokit(
        {
          writeSpacingMs: Math.max(1, Math.round(WRITE_SPACING_MS / config.timeScale)),
          ...(throttling ? { connection: throttling } : {}),
        },
        undefined,
        clientState,
      ),
      // The throttling's Redis connection is the server's (connectRedis), never one Probot makes.
      redisConfig: undefined,
      request: { fetch: githubFetch(config.requestTimeoutMs) },
    },
  });
}

/**
 * Policy-push re-evaluations share one write budget per installation across replicas.
 * FANOUT_TIME_SCALE (benchmarks and tests) shortens the minute and the hour alike.
 * Whole milliseconds: Redis (the budget's expiry, Bottleneck's clustered write queue) takes integers.
 */
function scaledFanOutLimits(config: AppConfig, log: Logger) {
  const limits = {
    ...config.fanOut,
    minuteMs: Math.max(1, Math.round(MINUTE_MS / config.timeScale)),
    hourMs: Math.max(1, Math.round(HOUR_MS / config.timeScale)),
  };
  if (config.timeScale !== 1)
    log.warn(
      { timeScale: config.timeScale, fanOutLimits: limits },
      "FANOUT_TIME_SCALE is set: the fan-out's minute and hour and the spacing of writes run scaled (benchmarks and tests only)",
    );
  return limits;
}

/** Forwards the webhooks of the smee.io channel the setup page registered to the server (`target`). */
async function forwardFromSmee(source: string, target: string, log: Logger): Promise<void> {
  const logger = {
    info: (...parts: unknown[]) => log.info(parts.join(" ")),
    error: (...parts: unknown[]) => log.error(parts.join(" ")),
  };
  const smee = new SmeeClient({ source, target, logger });
  await smee
    .start()
    .catch((error: unknown) => log.error({ err: error }, "could not connect to the webhook proxy (WEBHOOK_PROXY_URL)"));
  log.info({ source, target }, "forwarding webhooks from the smee.io channel (WEBHOOK_PROXY_URL)");
}

/** On SIGTERM or SIGINT: no new deliveries, the evaluations in flight finished within the grace period. */
function stopOnSignals(options: {
  log: Logger;
  queue: PullRequestQueue;
  close: () => void;
  stopRedelivery: () => void;
  graceMs: number;
}): void {
  const { log, queue } = options;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    options.stopRedelivery();
    log.info({ signal, inFlight: queue.size }, "stopping: no new deliveries, finishing evaluations in flight");
    options.close();
    const deadline = setTimeout(() => {
      log.warn({ inFlight: queue.size }, "shutdown grace period over: exiting with evaluations still in flight");
      process.exit(1);
    }, options.graceMs);
    deadline.unref();
    void queue.idle().then(() => process.exit(0));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

/**
 * The Redis clients of a replica (REDIS_URL): one for the per-PR lock, the stores and the fan-out
 * budget, and one (with the subscriber Bottleneck makes from it) for the clustered throttling of
 * GitHub requests, made here rather than by Probot so that every client's errors are handled and
 * logged under the name "redis" (ioredis printed "Unhandled error event" for the first, Probot
 * logged the other's under "octokit"; hundreds of lines a minute while Redis was down), and so that
 * GET /readyz can say when Redis is unreachable.
 */
function connectRedis(
  url: string,
  rootLog: Logger,
): { redis: Redis; throttling: Bottleneck.IORedisConnection; readiness: ReadinessCheck } {
  const log = rootLog.child({ name: "redis" });
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  const app = connectionLog(log, "app");
  redis.on("error", app.failed).on("ready", app.ready);
  // As Probot made it (ioredis's defaults); Bottleneck passes both its clients' errors on.
  const throttlingClient = new Redis(url);
  const throttling = new Bottleneck.IORedisConnection({ client: throttlingClient, Redis });
  const throttlingLog = connectionLog(log, "throttling");
  throttling.on("error", throttlingLog.failed);
  throttlingClient.on("ready", throttlingLog.ready);
  return { redis, throttling, readiness: redisReadiness([redis, throttlingClient]) };
}

/** A Redis client's failures and its return, in the log (repeats are counted by the logger). */
function connectionLog(log: Logger, client: string): { failed: (error: Error) => void; ready: () => void } {
  let failing = false;
  return {
    failed: (error) => {
      failing = true;
      log.error({ err: error, client }, "Redis connection failed");
    },
    ready: () => {
      if (failing) log.info({ client }, "Redis connection is back");
      failing = false;
    },
  };
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `guardrails: ${error.message}` : error);
  process.exit(1);
});
