/**
 * How the app talks to GitHub: Probot's own Octokit, with its retry and throttling plugins, set up
 * so that every wait is bounded and none is shorter than GitHub asks for.
 *
 * - Server errors (5xx), timeouts and responses that are not valid JSON: the retry plugin tries
 *   again 3 times, 1, 4 and 9 seconds apart.
 * - Rate limits (403 or 429 saying "secondary rate limit", or x-ratelimit-remaining: 0): the
 *   throttling plugin waits `retry-after` (or until the reset) and tries again, at most
 *   RATE_LIMIT_RETRIES times and only when the wait is at most MAX_RETRY_AFTER_SECONDS; then the
 *   evaluation fails closed and says so. Probot's defaults never retried a secondary rate limit,
 *   and left a 429 to the retry plugin, which ignores `retry-after`: 429 is taken out of it.
 * - Writes are throttled per installation (GitHub's limits are per installation token). Probot
 *   gives the event clients no throttling id, so every installation shared one queue that let one
 *   write a second through for the whole process.
 * - Only requests that change something wait for the installation's write slot (one a second,
 *   GitHub's advice against secondary rate limits). The throttling plugin also counts every
 *   GraphQL request as a write, so the read-only snapshot query took the slot and the check
 *   write that must follow it waited a second. The plugin cannot tell a query from a mutation, so
 *   its write queue is replaced by one that lets everything through, and the spacing is done
 *   here, where the request is known: REST writes and GraphQL mutations wait, queries do not.
 *   The queue is the plugin's own kind (one Bottleneck group "octokit-write", 1 s apart, shared
 *   through Redis when Probot clusters its throttling), so replicas still share it.
 * - Both plugins keep their retry count in `options.request`, an object Octokit shares between
 *   all requests of a client: each retried request raised the next one's backoff (25, 36, 49 s
 *   after a few). Each request now gets its own copy.
 * - The installation token is requested through the same plugins, from inside the request that
 *   needs it: both were retried (4 x 4 attempts after a 500, 3 x 3 after a rate limit). The token
 *   request is now tried once per attempt of the request that needs it.
 * - A 401 (after @octokit/auth-app's own retries) drops the installation's cached token, so the
 *   next evaluation asks for a new one: Probot kept a refused token until it expired, and every
 *   evaluation of the installation failed for up to an hour.
 */
import Bottleneck from "bottleneck";
import { ProbotOctokit } from "probot";

import { recordGitHubRequest } from "../metrics/metrics.js";

/** Retries of one request after a rate limit, each after the wait GitHub asked for. */
export const RATE_LIMIT_RETRIES = 2;
/** A longer wait than this is not waited for: the check fails and says when to try again. */
export const MAX_RETRY_AFTER_SECONDS = 60;
/** The retry plugin's defaults, plus 429 (a rate limit: the throttling plugin's business). */
export const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

export interface RateLimitPolicy {
  retries?: number;
  maxRetryAfterSeconds?: number;
  /** Between two writes of an installation (WRITE_SPACING_MS; shorter only in a benchmark's scaled time). */
  writeSpacingMs?: number;
  /** REDIS_URL's connection for clustered throttling, made by the server (which watches its errors). */
  connection?: Bottleneck.IORedisConnection;
}

const TOKEN_ROUTE = /^POST \/app\/installations\/[^/]+\/access_tokens$/;

type LimitHandler = (
  retryAfter: number,
  request: { method?: string; url?: string },
  octokit: { log: { warn: (message: string) => unknown } },
  retryCount: number,
) => boolean;

function boundedRetry(
  kind: string,
  policy: Required<Pick<RateLimitPolicy, "retries" | "maxRetryAfterSeconds">>,
): LimitHandler {
  return (retryAfter, request, octokit, retryCount) => {
    // The token request is retried by retrying the request that needs it (see requestHooks).
    const token = TOKEN_ROUTE.test(`${request.method} ${request.url}`);
    const retry = !token && retryCount < policy.retries && retryAfter <= policy.maxRetryAfterSeconds;
    octokit.log.warn(
      `GitHub ${kind} on ${request.method} ${request.url}: ${retry ? `retry ${retryCount + 1} of ${policy.retries} in ${retryAfter} s` : `giving up (retry after ${retryAfter} s, ${retryCount} retries so far)`}`,
    );
    return retry;
  };
}

/** GitHub's advice: at least a second between requests that change something, per token. */
export const WRITE_SPACING_MS = 1000;

/** What the app's write gate needs of a Bottleneck group (a test may count the calls). */
export interface WriteGroup {
  key(id: string): { schedule<T>(options: Bottleneck.JobOptions, task: () => Promise<T>): Promise<T> };
}

/** The throttling options Probot hands each client (`connection` and `Bottleneck` when clustered). */
interface ThrottleOptions {
  enabled?: boolean;
  id?: string;
  timeout?: number;
  connection?: object;
  Bottleneck?: typeof Bottleneck;
  write?: unknown;
}

/**
 * Replaces the throttling plugin's write queue: lets every request through at once. The spacing of
 * writes is done by `requestHooks` before the plugin sees the request.
 */
export const PLUGIN_WRITE_QUEUE_OFF: WriteGroup = {
  key: () => ({ schedule: (_options, task) => task() }),
};

const noop = () => Promise.resolve();

/** What the clients of one app instance share: the write queues and each installation's rate limit left. */
export class ClientState {
  localWriteGroup: WriteGroup | undefined;
  readonly clusteredWriteGroups = new WeakMap<object, WriteGroup>();
  /** The primary rate limit each installation had left on its last response (bounded: oldest out). */
  private readonly rateLimits = new Map<string, { remaining: number; resetAt: number }>();

  noteRateLimit(
    installationId: number | string | undefined,
    headers: Record<string, string | number | undefined> | undefined,
  ): void {
    if (installationId === undefined || !headers) return;
    const remaining = Number(headers["x-ratelimit-remaining"]);
    const reset = Number(headers["x-ratelimit-reset"]);
    if (!Number.isFinite(remaining) || !Number.isFinite(reset) || headers["x-ratelimit-remaining"] === undefined)
      return;
    const key = String(installationId);
    this.rateLimits.delete(key);
    this.rateLimits.set(key, { remaining, resetAt: reset * 1000 });
    if (this.rateLimits.size > 10_000) this.rateLimits.delete(this.rateLimits.keys().next().value as string);
  }

  /** What an installation had left of its rate limit on its last response, if known. */
  rateLimitOf(installationId: number | string): { remaining: number; resetAt: number } | undefined {
    return this.rateLimits.get(String(installationId));
  }
}

/** One write queue per app instance, or per Redis connection when Probot clusters its throttling. */
function sharedWriteGroup(state: ClientState, throttle: ThrottleOptions, spacingMs = WRITE_SPACING_MS): WriteGroup {
  const settings = {
    id: "octokit-write",
    maxConcurrent: 1,
    minTime: spacingMs,
    timeout: throttle.timeout ?? 2 * 60 * 1000,
  };
  const connection = throttle.connection;
  if (connection === undefined) return (state.localWriteGroup ??= new Bottleneck.Group(settings));
  let group = state.clusteredWriteGroups.get(connection);
  if (!group) {
    const Clustered = throttle.Bottleneck ?? Bottleneck;
    group = new Clustered.Group({ ...settings, connection: connection as Bottleneck.IORedisConnection });
    state.clusteredWriteGroups.set(connection, group);
  }
  return group;
}

/**
 * Whether a request changes something at GitHub: any method but GET and HEAD, except the token
 * request (the plugin's own exception) and a GraphQL document without a mutation. The GraphQL
 * test is deliberately conservative: a document counts as a query only when it starts with
 * `query` or `{` and the word "mutation" or "subscription" appears nowhere in it.
 */
export function isWriteRequest(options: { method?: string; url?: string; query?: unknown }): boolean {
  const method = (options.method ?? "GET").toUpperCase();
  if (method === "GET" || method === "HEAD") return false;
  const path = new URL(options.url ?? "/", "http://github.test").pathname;
  if (TOKEN_ROUTE.test(`${method} ${path}`)) return false;
  if (path.endsWith("/graphql") && typeof options.query === "string") {
    const text = options.query.replace(/#[^\n\r]*/g, "");
    return !/^\s*(query\b|\{)/.test(text) || /\b(mutation|subscription)\b/.test(text);
  }
  return true;
}

/** The kind of a request, for the requests metric. */
export function requestKind(options: {
  method?: string;
  url?: string;
  query?: unknown;
}): "graphql" | "rest_read" | "rest_write" {
  if (new URL(options.url ?? "/", "http://github.test").pathname.endsWith("/graphql")) return "graphql";
  return isWriteRequest(options) ? "rest_write" : "rest_read";
}

/** Probot's token cache (an LRU), as @octokit/auth-app uses it. */
interface TokenCache {
  delete?: (key: string) => unknown;
}

/**
 * Drops an installation's token from the cache. @octokit/auth-app files a token requested without
 * narrower permissions or repositories (Probot's) under the installation id alone.
 */
export function forgetToken(cache: TokenCache | undefined, installationId: number | string): boolean {
  if (typeof cache?.delete !== "function") return false;
  cache.delete(String(installationId));
  return true;
}

/**
 * The app's plugin, added after Probot's (so its hook runs before theirs):
 * - gives each request its own `options.request` before the retry and throttling plugins see it,
 *   and the token request no retries of its own;
 * - makes each write wait for the installation's write slot (see the note at the top);
 * - drops the installation's cached token after a 401 (see the note at the top).
 */
export function requestHooks(
  octokit: { hook: InstanceType<typeof ProbotOctokit>["hook"] },
  octokitOptions: Record<string, unknown> = {},
): void {
  const throttle = octokitOptions.throttle as ThrottleOptions | undefined;
  const spaced = throttle !== undefined && throttle.enabled !== false && throttle.write === PLUGIN_WRITE_QUEUE_OFF;
  const state = (octokitOptions.clientState as ClientState | undefined) ?? new ClientState();
  const group = spaced
    ? ((octokitOptions.writeGroup as WriteGroup | undefined) ??
      sharedWriteGroup(state, throttle, octokitOptions.writeSpacingMs as number | undefined))
    : undefined;
  const id = throttle?.id ?? "no-id";
  const auth = octokitOptions.auth as { installationId?: number | string; cache?: TokenCache } | undefined;
  octokit.hook.wrap("request", async (request, options) => {
    const token = TOKEN_ROUTE.test(`${options.method} ${options.url}`);
    options.request = { ...options.request, ...(token ? { retries: 0 } : {}) };
    if (group && isWriteRequest(options)) {
      await group.key(id).schedule(throttle?.connection ? { expiration: 60_000 } : {}, noop);
    }
    const kind = requestKind(options);
    try {
      const response = await request(options);
      recordGitHubRequest(kind, response.status, response.headers, auth?.installationId);
      state.noteRateLimit(auth?.installationId, response.headers);
      return response;
    } catch (error) {
      const failed = error as { status?: number; response?: { headers?: Record<string, string | undefined> } };
      // No response: GitHub never answered (DNS, connection, timeout), though Octokit says 500.
      const status = failed.response ? failed.status : undefined;
      recordGitHubRequest(kind, status, failed.response?.headers, auth?.installationId);
      if (failed.status === 401 && auth?.installationId !== undefined) forgetToken(auth.cache, auth.installationId);
      throw error;
    }
  });
}

/**
 * Probot's Octokit with the retry and throttling settings above. `writeGroup` replaces the shared
 * write queue (tests count what waits in it).
 */
/** The options Probot hands to the client's defaults function, as far as they are read here. */
interface ClientOptions {
  auth?: { installationId?: number | string };
  throttle?: { enabled?: boolean } & Record<string, unknown>;
  retry?: Record<string, unknown>;
  [option: string]: unknown;
}

export function guardrailsOctokit(
  policy: RateLimitPolicy = {},
  writeGroup?: WriteGroup,
  clientState: ClientState = new ClientState(),
): typeof ProbotOctokit {
  const limits = {
    retries: policy.retries ?? RATE_LIMIT_RETRIES,
    maxRetryAfterSeconds: policy.maxRetryAfterSeconds ?? MAX_RETRY_AFTER_SECONDS,
  };
  // A function runs after Probot's own merges of these options, so what it sets stays set.
  return ProbotOctokit.plugin(requestHooks).defaults<typeof ProbotOctokit>((options: ClientOptions) => {
    const installationId = options.auth?.installationId;
    const throttle =
      options.throttle?.enabled === false
        ? options.throttle
        : {
            ...options.throttle,
            ...(policy.connection ? { Bottleneck, connection: policy.connection } : {}),
            ...(installationId !== undefined ? { id: `installation-${installationId}` } : {}),
            onSecondaryRateLimit: boundedRetry("secondary rate limit", limits),
            onRateLimit: boundedRetry("rate limit", limits),
            write: PLUGIN_WRITE_QUEUE_OFF,
          };
    return {
      ...options,
      retry: { ...options.retry, doNotRetry: DO_NOT_RETRY },
      throttle,
      ...(writeGroup ? { writeGroup } : {}),
      clientState,
      ...(policy.writeSpacingMs !== undefined ? { writeSpacingMs: policy.writeSpacingMs } : {}),
    };
  });
}
