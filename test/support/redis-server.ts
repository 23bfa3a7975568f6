/**
 * A real redis-server for a test: Debian's binary, started on 127.0.0.1 and a free port, without
 * persistence, stopped by the test. Without the binary it fails with a clear message (CI installs
 * it: .ci/run); nothing is skipped.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { freePort } from "./server-process.js";

const START_TIMEOUT_MS = 10_000;

export interface RedisServer {
  url: string;
  /** A new connection (closed by stop()). */
  connect(): Redis;
  stop(): Promise<void>;
}

/** The redis-server binary on PATH (or Debian's place), if installed. */
export function redisServerBinary(): string | undefined {
  for (const candidate of ["redis-server", "/usr/bin/redis-server", "/usr/local/bin/redis-server"]) {
    if (spawnSync(candidate, ["--version"], { encoding: "utf8" }).status === 0) return candidate;
  }
  return undefined;
}

/**
 * Starts redis-server on a free port, or on `port` (to start it again where a stopped one was);
 * with `password`, clients must give it (`requirepass`; the URL carries it).
 */
export async function startRedisServer(options: { port?: number; password?: string } = {}): Promise<RedisServer> {
  const binary = redisServerBinary();
  if (!binary)
    throw new Error(
      "redis-server is not installed: these tests need a real Redis (Debian/Ubuntu: apt-get install -y redis-server; .ci/run installs it)",
    );
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn(
    binary,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      ...(options.password === undefined ? [] : ["--requirepass", options.password]),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const credentials = options.password === undefined ? "" : `:${encodeURIComponent(options.password)}@`;
  const url = `redis://${credentials}127.0.0.1:${port}`;
  const clients: Redis[] = [];
  const connect = () => {
    const client = new Redis(url, { maxRetriesPerRequest: 1 });
    clients.push(client);
    return client;
  };
  const stop = async () => {
    for (const client of clients) client.disconnect();
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  // Refused connections while redis-server starts are expected; connect() reports them.
  probe.on("error", () => undefined);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      await probe.connect();
      if ((await probe.ping()) === "PONG") {
        probe.disconnect();
        return { url, connect, stop };
      }
    } catch {
      probe.disconnect();
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not start on port ${port}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
