/**
 * Runs the built server (`node dist/server.js`) as a child process, the way it runs in production:
 * a generated private key in a temporary file, a webhook secret, GitHub Enterprise variables that
 * point at a stand-in, JSON logs. Sends signed webhooks to it over HTTP and keeps every log line
 * for assertions. Used by the end-to-end tests and the benchmarks.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { Socket, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the nearest folder above this file with a package.json (also when compiled to dist-bench/). */
function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
export const SERVER_SCRIPT = join(repositoryRoot(), "dist", "server.js");

let generatedKey: string | undefined;
/** An RSA key generated once per process (GitHub App keys are PKCS#1 PEM). */
export function generatedPrivateKey(): string {
  generatedKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  return generatedKey;
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The `x-hub-signature-256` header GitHub sends for a body. */
export function signature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export interface ServerProcessOptions {
  appId: number;
  /** GHE_HOST, e.g. the stand-in's `127.0.0.1:PORT`. */
  githubHost: string;
  githubProtocol?: "http" | "https";
  /** Undefined: a random secret. null: no WEBHOOK_SECRET at all. */
  webhookSecret?: string | null;
  privateKey?: string;
  logLevel?: string;
  /** More variables (they win over the ones above; undefined removes one). */
  env?: Record<string, string | undefined>;
  /** How long to wait for /healthz (default 15 s). */
  startTimeoutMs?: number;
}

export interface WebhookOptions {
  /** Sign with this secret instead of the server's. */
  secret?: string;
  /** Send this signature header as it is; null sends none. */
  signature?: string | null;
  delivery?: string;
  /** Send these bytes instead of the JSON of the payload (signed unless `signature` says otherwise). */
  rawBody?: string | Buffer;
  /** Send the body chunked, without content-length. */
  chunked?: boolean;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A log line: pino JSON when it parses, else `{ msg: line }`. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

export class ServerProcess {
  /** Every line written to stdout and stderr, in order. */
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly webhookSecret: string | undefined,
    readonly privateKey: string,
    readonly webhookPath: string,
    private readonly workDir: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        this.notify();
        resolve({ code, signal });
      });
    });
    const collect = (stream: NodeJS.ReadableStream | null) => {
      let pending = "";
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => {
        pending += chunk;
        const parts = pending.split("\n");
        pending = parts.pop()!;
        for (const line of parts) if (line.trim()) this.lines.push(line);
        this.notify();
      });
      stream?.on("end", () => {
        if (pending.trim()) this.lines.push(pending);
        pending = "";
        this.notify();
      });
    };
    collect(child.stdout);
    collect(child.stderr);
  }

  /** Starts the server and waits until /healthz answers 200. */
  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    const server = ServerProcess.spawn(options, await freePort());
    try {
      await server.waitUntilHealthy(options.startTimeoutMs ?? 15_000);
    } catch (error) {
      await server.stop().catch(() => undefined);
      throw error;
    }
    return server;
  }

  /**
   * Spawns the server without waiting for it (for start-up failures: await `exited`). The child
   * gets only the variables given here, so nothing of the test runner's environment leaks in, and
   * runs in an empty directory, so no `.env` file is read.
   */
  static spawn(options: ServerProcessOptions, port: number): ServerProcess {
    const workDir = mkdtempSync(join(tmpdir(), "guardrails-server-"));
    const privateKey = options.privateKey ?? generatedPrivateKey();
    const keyPath = join(workDir, "app.private-key.pem");
    writeFileSync(keyPath, privateKey, { mode: 0o600 });
    const secret = options.webhookSecret === null ? undefined : (options.webhookSecret ?? `whsec-${randomUUID()}`);
    const webhookPath = options.env?.WEBHOOK_PATH ?? "/api/github/webhooks";
    const env: Record<string, string> = {};
    const given: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      APP_ID: String(options.appId),
      PRIVATE_KEY_PATH: keyPath,
      WEBHOOK_SECRET: secret,
      GHE_HOST: options.githubHost,
      GHE_PROTOCOL: options.githubProtocol ?? "http",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: options.logLevel ?? "info",
      // The redelivery scan asks GitHub for the app's delivery log; tests that want it set it.
      REDELIVERY_INTERVAL_S: "0",
      PENDING_EVALUATIONS_FILE: join(workDir, "pending-evaluations.json"),
      ...options.env,
    };
    for (const [name, value] of Object.entries(given)) if (value !== undefined) env[name] = value;
    const child = spawn(process.execPath, [SERVER_SCRIPT], { cwd: workDir, env, stdio: ["ignore", "pipe", "pipe"] });
    return new ServerProcess(child, port, secret, privateKey, webhookPath, workDir);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The log lines parsed (pino JSON), non-JSON lines as `{ msg }`. */
  logs(): LogLine[] {
    return this.lines.map((line) => {
      try {
        const parsed = JSON.parse(line) as unknown;
        if (parsed && typeof parsed === "object") return parsed as LogLine;
      } catch {
        // not JSON
      }
      return { msg: line };
    });
  }

  /** Everything the process printed, as one text. */
  output(): string {
    return this.lines.join("\n");
  }

  /** Waits for a log line that satisfies `predicate`. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    return this.waitFor(() => this.logs().find(predicate), timeoutMs, "a matching log line");
  }

  /** Polls `probe` (on every log line and every 50 ms) until it returns something, or fails at the deadline. */
  async waitFor<T>(probe: () => T | undefined | false | null, timeoutMs = 20_000, what = "the condition"): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined && value !== false && value !== null) return value;
      if (Date.now() > deadline)
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what}; last log lines:\n${this.lines.slice(-15).join("\n")}`,
        );
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, 50);
        this.waiters.add(wake);
      });
    }
  }

  async waitUntilHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exitInfo)
        throw new Error(
          `the server exited (${JSON.stringify(this.exitInfo)}) before it was healthy:\n${this.output()}`,
        );
      const answer = await this.request("GET", "/healthz").catch(() => undefined);
      if (answer?.status === 200) return;
      if (Date.now() > deadline)
        throw new Error(`the server did not answer /healthz within ${timeoutMs} ms:\n${this.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Delivers a webhook as GitHub does: JSON body, event name, delivery id, HMAC-SHA256 signature. */
  sendWebhook(event: string, payload: unknown, options: WebhookOptions = {}): Promise<HttpAnswer> {
    const body = options.rawBody ?? JSON.stringify(payload);
    const secret = options.secret ?? this.webhookSecret ?? "development";
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/e2e",
      "x-github-event": event,
      "x-github-delivery": options.delivery ?? randomUUID(),
    };
    const signed = options.signature === undefined ? signature(secret, body) : options.signature;
    if (signed !== null) headers["x-hub-signature-256"] = signed;
    return this.request("POST", this.webhookPath, { headers, body, chunked: options.chunked === true });
  }

  /**
   * One HTTP request to the server. The answer counts as soon as its headers and body arrive, even
   * when the server closes the connection before the whole request body was sent (as with 413).
   * The body goes out in 1 MB pieces and, as HTTP lets a client do, stops once the answer has
   * come. An error before any answer is reported with what had been sent.
   */
  request(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean } = {},
  ): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...options.headers };
      if (options.body !== undefined && !options.chunked) headers["content-length"] = Buffer.byteLength(options.body);
      let answered = false;
      let sent = 0;
      const req = httpRequest({ host: "127.0.0.1", port: this.port, method, path, headers, agent: false }, (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        const done = () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.on("end", done);
        res.on("error", done);
        res.on("aborted", done);
      });
      // Writing may fail once the server has answered and closed; the answer is what counts, and
      // it may still be on its way through a busy machine.
      // Real sockets only: an interceptor left in node's `http` (nock, by an earlier test file of
      // the same Jest worker) would make these requests something the server never sees as sent.
      req.on("socket", (socket) => {
        if (Object.getPrototypeOf(socket) !== Socket.prototype) {
          req.destroy(
            new Error(
              `${method} ${path}: node's http is intercepted (${socket.constructor.name}); an earlier test file left nock active`,
            ),
          );
        }
      });
      req.on("error", (error) => {
        const what = `${method} ${path}: ${error.message} after sending ${sent} bytes of the body, ${answered ? "answer started" : "no answer yet"}`;
        setTimeout(() => reject(new Error(what, { cause: error })), 2000);
      });
      if (options.body === undefined) {
        req.end();
        return;
      }
      const data = Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body);
      const size = 1024 * 1024;
      const pump = () => {
        while (sent < data.length) {
          if (answered || req.destroyed) return;
          const chunk = data.subarray(sent, sent + size);
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once("drain", pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
  }

  /** Sends SIGTERM (or `signal`) and waits for the exit; kills it after `timeoutMs`. */
  async stop(
    signal: NodeJS.Signals = "SIGTERM",
    timeoutMs = 10_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.exitInfo) this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const result = await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    if (result === "timeout") {
      this.child.kill("SIGKILL");
      await this.exited;
      this.cleanUp();
      throw new Error(`the server did not exit within ${timeoutMs} ms of ${signal}`);
    }
    this.cleanUp();
    return result;
  }

  private cleanUp(): void {
    rmSync(this.workDir, { recursive: true, force: true });
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
