/**
 * The HTTP front of the app, on Fastify: the webhook endpoint (src/http/ingress.ts), /healthz,
 * /readyz, /ping, and whatever routes other modules add as Fastify plugins (`plugins`, or `register` on
 * the returned instance before `listen`). The server is returned not yet listening. Without
 * `probot` it has no webhook endpoint: `guardrails playground` serves its routes so, with no App.
 *
 * Every request body the server holds before it knows the sender is bounded: the webhook's by
 * its 25 MB cap and a shared byte budget (src/http/body-budget.ts), other routes' by Fastify's
 * `bodyLimit` (1 MiB unless a route says otherwise) and the same budget. A request must arrive
 * whole, headers and body, within `bodyTimeoutMs` (the webhook route enforces it itself; Node's
 * `requestTimeout` cuts any other request at twice that).
 */
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyPluginCallback,
  type FastifyRequest,
} from "fastify";
import type { Logger } from "pino";
import type { Probot } from "probot";
import { BodyBudget, budgetBodies, DEFAULT_BODY_BUDGET_BYTES } from "./body-budget.js";
import { DEFAULT_BODY_TIMEOUT_MS, webhookIngress } from "./ingress.js";
import type { ReadinessCheck } from "./readiness.js";

/** A route plugin: a Fastify plugin, or one with its options (e.g. `{ plugin, options: { prefix: "/api" } }`). */
export type HttpPlugin =
  | FastifyPluginAsync
  | FastifyPluginCallback
  | { plugin: FastifyPluginAsync<never> | FastifyPluginCallback<never>; options?: Record<string, unknown> };

/** The webhook endpoint's part of the options: all of it, or none (a server without the App). */
type WebhookOptions =
  | {
      probot: Probot;
      webhookPath: string;
      /** The webhook secret Probot was given; the ingress checks signatures itself, while reading. */
      webhookSecret: string;
    }
  | { probot?: undefined; webhookPath?: undefined; webhookSecret?: undefined };

export type HttpServerOptions = WebhookOptions & {
  log: Logger;
  /** Work in flight, reported by /healthz. */
  inFlight: () => number;
  /** What GET /readyz checks (503 with the first problem; 200 when there is none, or nothing to check). */
  readiness?: readonly ReadinessCheck[];
  maxBodyBytes?: number;
  processingTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Bytes of request bodies held at once before they are verified (a number, or a shared budget). */
  bodyBudget?: number | BodyBudget;
  /**
   * Reverse proxies (addresses, CIDR ranges) whose X-Forwarded-For names the client (`request.ip`);
   * empty or absent: none, the peer is the client.
   */
  trustProxy?: readonly string[];
  /** Routes added by other modules, registered after the app's own. */
  plugins?: readonly HttpPlugin[];
};

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const budget =
    options.bodyBudget instanceof BodyBudget
      ? options.bodyBudget
      : new BodyBudget(options.bodyBudget ?? DEFAULT_BODY_BUDGET_BYTES);
  const requestTimeout = 2 * bodyTimeoutMs;
  const app = Fastify({
    loggerInstance: options.log,
    // One log line per decision is the app's; a line per request would drown them.
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout,
    // Node checks the request deadline every `connectionsCheckingInterval` (30 s by default).
    http: {
      requestTimeout,
      headersTimeout: Math.min(60_000, requestTimeout),
      connectionsCheckingInterval: Math.min(1000, requestTimeout),
    },
    // Never `true`: a client that reaches the server directly could name any address.
    trustProxy: options.trustProxy?.length ? [...options.trustProxy] : false,
    return503OnClosing: true,
    forceCloseConnections: "idle",
  }) as unknown as FastifyInstance;

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status =
      typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 600
        ? error.statusCode
        : 500;
    if (status === 500) options.log.error({ err: error, method: request.method, url: request.url }, "request failed");
    if (status === 503) reply.header("retry-after", "1");
    return reply.code(status).send({ error: status === 500 ? "internal error" : error.message });
  });
  // As every error of the API (docs/api.md): what is wrong, and which part of the request it is.
  const notFound = (request: FastifyRequest) => ({
    error: `url: no route ${request.method} ${request.url.split("?")[0]!.slice(0, 200)}`,
    field: "url",
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(notFound(request)));
  // An unknown path is answered before its body is read (Node then discards the body unread).
  app.addHook("onRequest", async (request, reply) => {
    if (request.is404) return reply.code(404).send(notFound(request));
    return undefined;
  });
  app.addHook("preParsing", budgetBodies(budget));

  // After SIGTERM the server accepts no new connection, so a health check fails by not connecting.
  // Liveness: the process answers. Readiness: it can do its work now (src/http/readiness.ts).
  app.get("/healthz", () => ({ status: "ok", inFlight: options.inFlight() }));
  app.get("/readyz", async (_request, reply) => {
    for (const check of options.readiness ?? []) {
      const reason = await check.problem();
      if (reason !== undefined) return reply.code(503).send({ status: "not ready", reason });
    }
    return { status: "ready" };
  });
  app.get("/ping", async (_request, reply) => reply.type("text/plain").send("PONG"));

  if (options.probot)
    app.register(
      webhookIngress({
        probot: options.probot,
        log: options.log,
        webhookPath: options.webhookPath,
        webhookSecret: options.webhookSecret,
        budget,
        maxBodyBytes: options.maxBodyBytes,
        processingTimeoutMs: options.processingTimeoutMs,
        bodyTimeoutMs,
      }),
    );
  for (const plugin of options.plugins ?? []) {
    if (typeof plugin === "function") app.register(plugin);
    // Any plugin's options type takes `never`; the options given are the plugin's own business.
    else app.register(plugin.plugin, (plugin.options ?? {}) as never);
  }
  return app;
}

/** The port the server listens on (after `listen`; PORT=0 picks a free one). */
export function boundPort(app: FastifyInstance): number {
  const address = app.server.address();
  return typeof address === "object" && address ? address.port : 0;
}
