/**
 * Peak memory of the server under unsigned webhook bodies: the built server (`node
 * dist/server.js`, production settings) on loopback receives ROUNDS rounds of CONCURRENCY
 * concurrent POSTs of 25 MB each (GitHub's limit, declared with content-length) with a signature
 * made with the wrong secret, and its resident set size is read from /proc every 20 ms; VmHWM
 * (the kernel's high-water mark) is read at the end. Not part of `npm run bench` (a separate
 * figure for docs/reliability.md):
 *
 *   npm run build && npx tsc -p tsconfig.bench.json && node dist-bench/bench/unsigned-bodies.js
 */
import { readFileSync } from "node:fs";
import { ServerProcess, type HttpAnswer } from "../test/support/server-process.js";

const CONCURRENCY = Number(process.env.CONCURRENCY ?? 40);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BODY_BYTES = 25 * 1024 * 1024;

function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") * 1024, hwm: kb("VmHWM") * 1024 };
}

const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

async function main(): Promise<void> {
  const server = await ServerProcess.start({
    appId: 1,
    githubHost: "127.0.0.1:9",
    logLevel: "warn",
    env: process.env.SERVER_ENV ? (JSON.parse(process.env.SERVER_ENV) as Record<string, string>) : undefined,
  });
  const pid = server.child.pid!;
  try {
    const atStart = memoryOf(pid).rss;
    let peak = atStart;
    const sampler = setInterval(() => {
      peak = Math.max(peak, memoryOf(pid).rss);
    }, 20);
    const body = Buffer.alloc(BODY_BYTES, 0x20);
    const statuses = new Map<number, number>();
    const started = Date.now();
    for (let round = 0; round < ROUNDS; round++) {
      const answers = await Promise.all(
        Array.from({ length: CONCURRENCY }, (_, i) =>
          server
            .sendWebhook("pull_request", undefined, {
              rawBody: body,
              secret: "not-the-secret",
              delivery: `r${round}-${i}`,
            })
            .catch((error: Error): HttpAnswer => ({ status: 0, headers: {}, body: error.message })),
        ),
      );
      for (const answer of answers) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    }
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    const after = memoryOf(pid);
    const health = await server.request("GET", "/healthz");
    console.log(
      `${ROUNDS} rounds of ${CONCURRENCY} concurrent unsigned ${mb(BODY_BYTES)} POSTs in ${seconds.toFixed(1)} s`,
    );
    console.log(
      `answers: ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([status, count]) => `${count} × ${status}`)
        .join(", ")}`,
    );
    console.log(
      `server RSS: at start ${mb(atStart)}, peak sampled ${mb(peak)}, VmHWM ${mb(after.hwm)}, after ${mb(after.rss)}; /healthz ${health.status}`,
    );
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
