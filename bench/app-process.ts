/**
 * A Probot process under benchmark: the built Guardrails server (`dist/server.js`) or the floor
 * (`dist-bench/bench/floor-server.js`), spawned with the same environment (production, JSON logs
 * at info, a GitHub Enterprise stand-in on 127.0.0.1), fed signed webhooks over keep-alive HTTP,
 * and measured from outside: resident memory from /proc/<pid>/status (Linux).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, generatedPrivateKey, signature } from "../test/support/server-process.js";

export interface AppProcessOptions {
  /** Shown in errors. */
  label: string;
  /** The JavaScript file node runs. */
  script: string;
  appId: number;
  /** GHE_HOST: the stand-in's `127.0.0.1:PORT`. */
  githubHost: string;
  /** More variables (REDIS_URL, ...). */
  env?: Record<string, string>;
  /** Options for node itself, e.g. ["--cpu-prof"] to profile the process. */
  nodeArgs?: string[];
}

/** How long one webhook may take before the benchmark gives up on it (the app answers 202 after 9 s). */
const SEND_TIMEOUT_MS = 30_000;
const START_TIMEOUT_MS = 20_000;
/** Linux's USER_HZ, the unit of /proc/<pid>/stat times (100 on every mainstream architecture). */
const CLOCK_TICKS_PER_SECOND = 100;
/** Log lines kept for error messages. */
const TAIL_LINES = 40;

export class AppProcess {
  /** The last lines the process printed. */
  readonly tail: string[] = [];
  /** Lines printed at pino level error (50) or above. */
  errorLines = 0;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly label: string,
    readonly child: ChildProcess,
    readonly port: number,
    private readonly secret: string,
    private readonly workDir: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve();
      }),
    );
    for (const stream of [child.stdout, child.stderr]) {
      let pending = "";
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => {
        pending += chunk;
        const lines = pending.split("\n");
        pending = lines.pop()!;
        for (const line of lines) {
          if (!line.trim()) continue;
          if (/"level":(5\d|60)/.test(line)) this.errorLines++;
          this.tail.push(line);
          if (this.tail.length > TAIL_LINES) this.tail.shift();
        }
      });
    }
  }

  static async start(options: AppProcessOptions): Promise<AppProcess> {
    const port = await freePort();
    const workDir = mkdtempSync(join(tmpdir(), "guardrails-bench-"));
    const keyPath = join(workDir, "app.private-key.pem");
    writeFileSync(keyPath, generatedPrivateKey(), { mode: 0o600 });
    const secret = `whsec-${randomUUID()}`;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      NODE_ENV: "production",
      APP_ID: String(options.appId),
      PRIVATE_KEY_PATH: keyPath,
      WEBHOOK_SECRET: secret,
      GHE_HOST: options.githubHost,
      GHE_PROTOCOL: "http",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "info",
      LOG_FORMAT: "json",
      // The redelivery scan asks GitHub for the app's delivery log; tests that want it set it.
      REDELIVERY_INTERVAL_S: "0",
      PENDING_EVALUATIONS_FILE: join(workDir, "pending-evaluations.json"),
      ...options.env,
    };
    // An empty working directory: no .env file is read.
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
      cwd: workDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const app = new AppProcess(options.label, child, port, secret, workDir);
    try {
      await app.waitUntilUp();
    } catch (error) {
      await app.stop();
      throw error;
    }
    return app;
  }

  get pid(): number {
    return this.child.pid!;
  }

  private async waitUntilUp(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (this.exit)
        throw new Error(
          `${this.label} exited (${JSON.stringify(this.exit)}) before it answered /ping:\n${this.tail.join("\n")}`,
        );
      const status = await this.request("GET", "/ping").catch(() => 0);
      if (status === 200) return;
      if (Date.now() > deadline)
        throw new Error(`${this.label} did not answer /ping within ${START_TIMEOUT_MS} ms:\n${this.tail.join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Delivers a webhook as GitHub does; resolves to the HTTP status. */
  sendWebhook(event: string, payload: unknown, delivery: string): Promise<number> {
    const body = JSON.stringify(payload);
    return this.request("POST", "/api/github/webhooks", body, {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/bench",
      "x-github-event": event,
      "x-github-delivery": delivery,
      "x-hub-signature-256": signature(this.secret, body),
    });
  }

  /**
   * Waits until the server reports no evaluation in flight on /healthz (the Guardrails server
   * answers `{ inFlight }`; deliveries answered 202 go on in the background).
   */
  async waitUntilIdle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await this.exchange("GET", "/healthz");
      if ((JSON.parse(body) as { inFlight?: number }).inFlight === 0) return;
      if (Date.now() > deadline)
        throw new Error(`${this.label} still had evaluations in flight after ${timeoutMs} ms: ${body}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async request(
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<number> {
    return (await this.exchange(method, path, body, headers)).status;
  }

  /**
   * One request. A kept-alive connection that the server closed while idle fails the next request
   * sent on it before the server reads it (ECONNRESET on a reused socket): that one is sent again,
   * once, on a new connection.
   */
  private async exchange(
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    try {
      return await this.exchangeOnce(method, path, body, headers);
    } catch (error) {
      if (
        (error as { reusedSocket?: boolean }).reusedSocket &&
        (error as NodeJS.ErrnoException).code === "ECONNRESET"
      ) {
        return this.exchangeOnce(method, path, body, headers);
      }
      throw error;
    }
  }

  private exchangeOnce(
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const allHeaders: Record<string, string | number> = { ...headers };
      if (body !== undefined) allHeaders["content-length"] = Buffer.byteLength(body);
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port: this.port,
          method,
          path,
          headers: allHeaders,
          agent: this.agent,
          timeout: SEND_TIMEOUT_MS,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () =>
        req.destroy(new Error(`${this.label}: no answer to ${method} ${path} within ${SEND_TIMEOUT_MS} ms`)),
      );
      req.on("error", (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
      req.end(body);
    });
  }

  private status(): string | undefined {
    try {
      return readFileSync(`/proc/${this.pid}/status`, "utf8");
    } catch {
      return undefined;
    }
  }

  /** Peak resident memory (VmHWM) in bytes since start or the last resetPeak(); undefined off Linux. */
  peakRssBytes(): number | undefined {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(this.status() ?? "");
    return match ? Number(match[1]) * 1024 : undefined;
  }

  /** CPU time (user + system) the process has used so far, in milliseconds; undefined off Linux. */
  cpuMs(): number | undefined {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, "utf8");
      // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    } catch {
      return undefined;
    }
  }

  /** Resident memory now (VmRSS) in bytes. */
  rssBytes(): number | undefined {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(this.status() ?? "");
    return match ? Number(match[1]) * 1024 : undefined;
  }

  /** Resets the peak to the current resident size (Linux: writing 5 to clear_refs). */
  resetPeak(): boolean {
    try {
      writeFileSync(`/proc/${this.pid}/clear_refs`, "5");
      return true;
    } catch {
      return false;
    }
  }

  /** SIGTERM, then SIGKILL after 10 s. */
  async stop(): Promise<void> {
    this.agent.destroy();
    if (!this.exit) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
