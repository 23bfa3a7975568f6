/**
 * A FakeGitHub served over real HTTP the way GitHub Enterprise Server serves its API: REST under
 * `/api/v3`, GraphQL at `/api/graphql`. Point Probot at it with GHE_HOST=127.0.0.1:PORT and
 * GHE_PROTOCOL=http. For benchmarks it can add a fixed latency to every request; for fault tests
 * it answers matching requests with an injected fault (an error status, a delay past the client's
 * timeout, malformed JSON, a dropped connection) before the fake sees them. It counts requests
 * and the most that were in flight at once. With `secondaryLimits` it enforces GitHub's secondary
 * rate limits on content-creating requests per installation, in sliding windows (and counts every
 * 403 it answered for them).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { FakeGitHub } from "./fake-github.js";

/** What a fault rule sees of a request. `path` has no `/api/v3` prefix; GraphQL is `/graphql`. */
export interface StandInRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** For GraphQL: the operation name (`GuardrailsPullRequest`, ...). */
  operation?: string;
}

export interface Fault {
  /** Answer with this status instead of the fake's answer. */
  status?: number;
  headers?: Record<string, string>;
  /** A JSON value, or a string sent as it is. */
  body?: unknown;
  /**
   * Wait this long first (past the client's timeout, say). Without `status`, the fake then answers
   * if the client is still waiting (a client that gave up leaves the fake untouched).
   */
  delayMs?: number;
  /** Answer 200 with a body that is not valid JSON. */
  malformedJson?: boolean;
  /** Drop the connection without an answer. */
  dropConnection?: boolean;
}

export interface FaultRule extends Fault {
  method?: string;
  /** Matched against the path without query string, e.g. /^\/repos\/[^/]+\/[^/]+\/check-runs/. */
  path?: RegExp;
  /** GraphQL operation name. */
  operation?: string;
  /** Any further condition. */
  when?: (request: StandInRequest) => boolean;
  /** How many matching requests get the fault (default: all of them). */
  times?: number;
  /** How many requests got it so far (kept up to date by the stand-in). */
  hits?: number;
}

/** Ready-made faults, as GitHub sends them. */
export const faults = {
  status: (status: number, message = `injected ${status}`): Fault => ({ status, body: { message } }),
  /** GitHub's secondary rate limit: 403 with retry-after. */
  secondaryRateLimit: (retryAfterSeconds: number): Fault => ({
    status: 403,
    headers: { "retry-after": String(retryAfterSeconds) },
    body: {
      message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
      documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
    },
  }),
  tooManyRequests: (retryAfterSeconds: number): Fault => ({
    status: 429,
    headers: { "retry-after": String(retryAfterSeconds) },
    body: { message: "Too Many Requests" },
  }),
  /** An expired or revoked installation token. */
  badCredentials: (): Fault => ({ status: 401, body: { message: "Bad credentials" } }),
  notFound: (): Fault => ({ status: 404, body: { message: "Not Found" } }),
  slow: (delayMs: number): Fault => ({ delayMs }),
  malformedJson: (): Fault => ({ malformedJson: true }),
  dropConnection: (): Fault => ({ dropConnection: true }),
};

/**
 * GitHub's secondary limits on content-creating requests, per installation: "no more than 80 a
 * minute and no more than 500 an hour" (its docs). Whether GitHub's windows slide or are fixed is
 * not documented; the stand-in slides them, the stricter reading: no minute and no hour, wherever
 * it starts, may hold more.
 */
export interface SecondaryLimits {
  perMinute: number;
  perHour: number;
  /** Time runs this many times faster (a benchmark's scaled clock): a minute is 60 000 / timeScale ms. */
  timeScale?: number;
}

export const GITHUB_SECONDARY_LIMITS: SecondaryLimits = { perMinute: 80, perHour: 500 };

/**
 * GitHub's primary rate limit of an installation token: `limit` requests a window (an hour on
 * GitHub; any length here), told on every response (x-ratelimit-limit, -remaining, -used, -reset
 * in epoch seconds); past it, 403 "API rate limit exceeded" until the reset.
 */
export interface PrimaryRateLimit {
  limit: number;
  windowMs: number;
}

export interface StandInOptions {
  fake?: FakeGitHub;
  /** Added to every request before it is answered. */
  latencyMs?: number;
  faults?: FaultRule[];
  secondaryLimits?: SecondaryLimits;
  primaryRateLimit?: PrimaryRateLimit;
}

/** A content-creating request the stand-in accepted under its secondary limits. */
export interface ContentWrite {
  installation: string;
  /** performance.now() when it arrived. */
  at: number;
  method: string;
  path: string;
}

export interface ServedRequest extends StandInRequest {
  status: number;
  /** True when a fault rule answered instead of the fake. */
  faulted: boolean;
}

export class GitHubStandIn {
  readonly fake: FakeGitHub;
  /** Mutable: benchmarks may change it between runs. */
  latencyMs: number;
  readonly faultRules: FaultRule[];
  /** Every request in arrival order, with how it was answered. */
  readonly served: ServedRequest[] = [];
  requestCount = 0;
  inFlight = 0;
  maxInFlight = 0;
  readonly secondaryLimits: SecondaryLimits | undefined;
  /** Content-creating requests let through (with secondaryLimits), in arrival order. */
  readonly contentWrites: ContentWrite[] = [];
  /** Content-creating requests answered 403 for the secondary limit. */
  secondaryLimitErrors = 0;
  readonly primaryRateLimit: PrimaryRateLimit | undefined;
  /** Requests answered 403 for the primary rate limit. */
  primaryLimitErrors = 0;
  /** Each installation's current primary window: when it resets (Date.now() ms) and requests used. */
  readonly primaryWindows = new Map<string, { resetAt: number; used: number }>();

  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private port = 0;

  constructor(options: StandInOptions = {}) {
    this.fake = options.fake ?? new FakeGitHub();
    this.latencyMs = options.latencyMs ?? 0;
    this.faultRules = options.faults ?? [];
    this.secondaryLimits = options.secondaryLimits;
    this.primaryRateLimit = options.primaryRateLimit;
  }

  /** `127.0.0.1:PORT`, the value of GHE_HOST. */
  get host(): string {
    if (!this.server) throw new Error("the GitHub stand-in is not started");
    return `127.0.0.1:${this.port}`;
  }

  /** The REST base URL, as Octokit's baseUrl. */
  get baseUrl(): string {
    return `http://${this.host}/api/v3`;
  }

  /** Environment variables that point Probot at this stand-in. */
  get env(): { GHE_HOST: string; GHE_PROTOCOL: string } {
    return { GHE_HOST: this.host, GHE_PROTOCOL: "http" };
  }

  addFault(rule: FaultRule): FaultRule {
    this.faultRules.push(rule);
    return rule;
  }

  clearFaults(): void {
    this.faultRules.length = 0;
  }

  /** Zeroes the counters (the fake's request log is the fake's own). */
  resetStats(): void {
    this.served.length = 0;
    this.requestCount = 0;
    this.maxInFlight = this.inFlight;
  }

  async start(): Promise<this> {
    if (this.server) return this;
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ message: `stand-in error: ${(error as Error).message}` }));
        } else res.destroy();
      });
    });
    server.keepAliveTimeout = 30_000;
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = performance.now();
    this.requestCount++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let gone = false;
    res.once("close", () => {
      gone = true;
      this.inFlight--;
    });

    const raw = await readBody(req);
    const request = parseRequest(req, raw);
    const primary =
      this.primaryRateLimit && installationOf(req) !== "unknown" ? this.primaryWindow(installationOf(req)) : undefined;
    if (primary) {
      const headers = {
        "x-ratelimit-limit": String(this.primaryRateLimit!.limit),
        "x-ratelimit-remaining": String(Math.max(0, this.primaryRateLimit!.limit - primary.used - 1)),
        "x-ratelimit-used": String(Math.min(this.primaryRateLimit!.limit, primary.used + 1)),
        "x-ratelimit-reset": String(Math.ceil(primary.resetAt / 1000)),
        "x-ratelimit-resource": "core",
      };
      if (primary.used >= this.primaryRateLimit!.limit) {
        this.primaryLimitErrors++;
        this.served.push({ ...request, status: 403, faulted: true });
        res.writeHead(403, {
          "content-type": "application/json; charset=utf-8",
          ...headers,
          "x-ratelimit-remaining": "0",
        });
        res.end(
          JSON.stringify({
            message: "API rate limit exceeded for installation.",
            documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
          }),
        );
        return;
      }
      primary.used++;
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    }
    if (this.secondaryLimits && isContentCreating(request)) {
      const installation = installationOf(req);
      if (!this.withinSecondaryLimits(installation, arrived)) {
        this.secondaryLimitErrors++;
        this.served.push({ ...request, status: 403, faulted: true });
        const fault = faults.secondaryRateLimit(Math.max(1, Math.ceil(60 / (this.secondaryLimits.timeScale ?? 1))));
        res.writeHead(403, { "content-type": "application/json; charset=utf-8", ...fault.headers });
        res.end(JSON.stringify(fault.body));
        return;
      }
      this.contentWrites.push({ installation, at: arrived, method: request.method, path: request.path });
    }
    const rule = this.matchFault(request);
    const delay = this.latencyMs + (rule?.delayMs ?? 0);
    if (delay > 0) await this.sleep(delay);
    if (gone || !this.server) return;

    if (rule?.dropConnection) {
      this.served.push({ ...request, status: 0, faulted: true });
      res.destroy();
      return;
    }
    if (rule?.malformedJson) {
      this.served.push({ ...request, status: 200, faulted: true });
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      res.end('{"message": "this is not the end of the JSON');
      return;
    }
    if (rule?.status !== undefined) {
      this.served.push({ ...request, status: rule.status, faulted: true });
      const text =
        typeof rule.body === "string" ? rule.body : JSON.stringify(rule.body ?? { message: `injected ${rule.status}` });
      res.writeHead(rule.status, { "content-type": "application/json; charset=utf-8", ...rule.headers });
      res.end(text);
      return;
    }

    const answer = this.fake.handle(request.method, `${req.url ?? "/"}`, request.body);
    this.served.push({ ...request, status: answer.status, faulted: rule !== undefined });
    const headers = { ...answer.headers };
    // The fake writes github.com links; GitHub Enterprise links to itself.
    if (headers.link) headers.link = headers.link.replaceAll("https://api.github.com/", `${this.baseUrl}/`);
    res.writeHead(answer.status, headers);
    res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
  }

  /** The installation's primary window now (a new one once the last has reset). */
  private primaryWindow(installation: string): { resetAt: number; used: number } {
    let window = this.primaryWindows.get(installation);
    // The reset is told in whole seconds: the window ends on one.
    if (!window || Date.now() >= window.resetAt)
      this.primaryWindows.set(
        installation,
        (window = { resetAt: Math.ceil((Date.now() + this.primaryRateLimit!.windowMs) / 1000) * 1000, used: 0 }),
      );
    return window;
  }

  /** Whether one more content-creating request of `installation` at `at` keeps both windows within the limits. */
  private withinSecondaryLimits(installation: string, at: number): boolean {
    const limits = this.secondaryLimits!;
    const minute = 60_000 / (limits.timeScale ?? 1);
    let inMinute = 0;
    let inHour = 0;
    for (let i = this.contentWrites.length - 1; i >= 0; i--) {
      const write = this.contentWrites[i]!;
      if (write.at <= at - minute * 60) break;
      if (write.installation !== installation) continue;
      inHour++;
      if (write.at > at - minute) inMinute++;
    }
    return inMinute < limits.perMinute && inHour < limits.perHour;
  }

  /** The most content-creating requests of one installation in any window of `windowMs` (wall-clock ms). */
  maxContentWritesIn(windowMs: number): number {
    const byInstallation = new Map<string, number[]>();
    for (const write of this.contentWrites) {
      let list = byInstallation.get(write.installation);
      if (!list) byInstallation.set(write.installation, (list = []));
      list.push(write.at);
    }
    let most = 0;
    for (const times of byInstallation.values()) {
      let first = 0;
      for (let last = 0; last < times.length; last++) {
        while (times[first]! <= times[last]! - windowMs) first++;
        most = Math.max(most, last - first + 1);
      }
    }
    return most;
  }

  private matchFault(request: StandInRequest): FaultRule | undefined {
    for (const rule of this.faultRules) {
      if (rule.times !== undefined && (rule.hits ?? 0) >= rule.times) continue;
      if (rule.method && rule.method.toUpperCase() !== request.method) continue;
      if (rule.path && !rule.path.test(request.path)) continue;
      if (rule.operation && rule.operation !== request.operation) continue;
      if (rule.when && !rule.when(request)) continue;
      rule.hits = (rule.hits ?? 0) + 1;
      return rule;
    }
    return undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

/** Starts a stand-in (a shorthand for `new GitHubStandIn(options).start()`). */
export function startGitHubStandIn(options: StandInOptions = {}): Promise<GitHubStandIn> {
  return new GitHubStandIn(options).start();
}

/**
 * Content-creating, as the secondary limits count it: any REST request but GET and HEAD (the token
 * request excepted: the app's JWT asks for it, not the installation), and a GraphQL mutation.
 */
export function isContentCreating(request: StandInRequest): boolean {
  if (request.method === "GET" || request.method === "HEAD") return false;
  if (/^\/app\/installations\/[^/]+\/access_tokens$/.test(request.path)) return false;
  if (request.path === "/graphql") {
    const query = (request.body as { query?: unknown } | undefined)?.query;
    return typeof query === "string" && /\bmutation\b/.test(query);
  }
  return true;
}

/** The installation of a request: the fake's tokens are `ghs_test_token_<installation id>`. */
function installationOf(req: IncomingMessage): string {
  return /ghs_test_token_(\w+)/.exec(String(req.headers.authorization ?? ""))?.[1] ?? "unknown";
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseRequest(req: IncomingMessage, raw: string): StandInRequest {
  const url = new URL(req.url ?? "/", "http://stand-in.invalid");
  const path = url.pathname.replace(/^\/api\/v3(?=\/)/, "").replace(/^\/api(?=\/graphql$)/, "");
  let body: unknown;
  if (raw !== "") {
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
  }
  const request: StandInRequest = {
    method: (req.method ?? "GET").toUpperCase(),
    path,
    query: Object.fromEntries(url.searchParams),
    body,
  };
  if (path === "/graphql") {
    const operation = /query\s+(\w+)/.exec((body as { query?: unknown } | undefined)?.query?.toString() ?? "")?.[1];
    if (operation) request.operation = operation;
  }
  return request;
}
