/**
 * What an outsider can make the HTTP server hold before it knows who they are: the bodies of
 * unsigned webhooks. The server (createHttpServer, in-process, over real sockets) is given a
 * small body budget and a short body deadline so that the limits are reached with little data.
 * The assertions are counts and bytes (the budget's own ledger and the answers), not timings.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { connect, type Socket } from "node:net";
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { pino } from "pino";
import { BodyBudget } from "../../src/http/body-budget.js";
import { boundPort, createHttpServer, type HttpServerOptions } from "../../src/http/http-server.js";
import { signature } from "../support/server-process.js";
import { createTestProbot, examplePayload } from "../support/test-probot.js";

const SECRET = "the-webhook-secret";
const MB = 1024 * 1024;
const PATH = "/api/github/webhooks";

let server: FastifyInstance | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
  server = undefined;
});

async function start(options: Partial<HttpServerOptions> & { bodyBudget: BodyBudget }): Promise<number> {
  server = createHttpServer({
    probot: createTestProbot(),
    log: pino({ level: "silent" }),
    webhookPath: PATH,
    webhookSecret: SECRET,
    inFlight: () => 0,
    ...options,
  });
  await server.listen({ port: 0, host: "127.0.0.1" });
  return boundPort(server);
}

/** A raw HTTP/1.1 request whose body is sent only as far as the test says. */
class RawRequest {
  readonly socket: Socket;
  private received = "";
  readonly answered: Promise<{ status: number; text: string }>;
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>;

  constructor(port: number, head: Record<string, string | number>, path = PATH, method = "POST") {
    this.socket = connect(port, "127.0.0.1");
    sockets.push(this.socket);
    this.socket.on("error", () => undefined); // a reset after the answer is the server cutting us off
    this.closed = new Promise((resolve) => this.socket.once("close", () => resolve()));
    this.answered = new Promise((resolve) => {
      const settle = () => {
        const match = /^HTTP\/1\.1 (\d{3})/.exec(this.received);
        if (match && this.received.includes("\r\n\r\n")) resolve({ status: Number(match[1]), text: this.received });
      };
      this.socket.on("data", (chunk: Buffer) => {
        this.received += chunk.toString("latin1");
        settle();
      });
      this.socket.once("close", () =>
        resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(this.received)?.[1] ?? 0), text: this.received }),
      );
    });
    const lines = [
      `${method} ${path} HTTP/1.1`,
      "Host: 127.0.0.1",
      ...Object.entries(head).map(([name, value]) => `${name}: ${value}`),
    ];
    this.socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  }

  send(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }
}

const webhookHead = (extra: Record<string, string | number>) => ({
  "content-type": "application/json",
  "x-github-event": "ping",
  "x-github-delivery": "d-1",
  "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
  ...extra,
});

/** Waits (in steps of the event loop) until `probe` holds; fails after `tries` steps of 10 ms. */
async function until(probe: () => boolean, what: string, tries = 500): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never came true: ${what}`);
}

/** A chunked body's framing of one chunk. */
const chunk = (data: Buffer) =>
  Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")]);

async function signedDelivery(port: number): Promise<number> {
  const body = JSON.stringify(examplePayload("ping"));
  const request = new RawRequest(
    port,
    webhookHead({
      "content-length": Buffer.byteLength(body),
      "x-hub-signature-256": signature(SECRET, body),
      connection: "close",
    }),
  );
  request.send(body);
  return (await request.answered).status;
}

describe("unsigned request bodies are bounded", () => {
  it("bodies in flight never hold more than the budget: later unsigned bodies are refused with 503 unread, and the bytes come back", async () => {
    const budget = new BodyBudget(3 * MB);
    const port = await start({ bodyBudget: budget });
    const body = Buffer.alloc(MB, 0x20);

    // Three unsigned 1 MB bodies, each sent but for its last byte: they hold the whole budget.
    const holders = [0, 1, 2].map(() => new RawRequest(port, webhookHead({ "content-length": MB })));
    for (const holder of holders) holder.send(body.subarray(0, MB - 1));
    await until(() => budget.used === 3 * MB, "the three bodies reserved");

    // Ten more, declared: refused before a byte of them is read.
    const refused = Array.from({ length: 10 }, () => new RawRequest(port, webhookHead({ "content-length": MB })));
    const answers = await Promise.all(refused.map((request) => request.answered));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(503));
    expect(answers[0]!.text).toMatch(/retry-after: 1/i);
    expect(budget.used).toBe(3 * MB);
    // One without a length (chunked): refused at its first chunk.
    const chunked = new RawRequest(port, webhookHead({ "transfer-encoding": "chunked" }));
    chunked.send(chunk(Buffer.alloc(64 * 1024, 0x20)));
    expect((await chunked.answered).status).toBe(503);

    // The three finish: wrong signature, 401 each, and their bytes go back to the budget.
    for (const holder of holders) holder.send(body.subarray(MB - 1));
    expect((await Promise.all(holders.map((holder) => holder.answered))).map((answer) => answer.status)).toEqual([
      401, 401, 401,
    ]);
    await until(() => budget.used === 0, "the budget given back");
    expect(budget.peak).toBe(3 * MB);
    expect(budget.refused).toBe(11);

    // With the budget free again, a signed delivery is received.
    expect(await signedDelivery(port)).toBe(200);
    expect(budget.used).toBe(0);
  });

  it("a chunked body is counted as it arrives: past the budget it is refused with 503 and nothing of it stays held", async () => {
    const budget = new BodyBudget(2 * MB);
    const port = await start({ bodyBudget: budget });
    const request = new RawRequest(port, webhookHead({ "transfer-encoding": "chunked" }));
    const piece = Buffer.alloc(256 * 1024, 0x20);
    for (let sent = 0; sent < 3 * MB; sent += piece.length) request.send(chunk(piece));
    expect((await request.answered).status).toBe(503);
    await until(() => budget.used === 0, "the budget given back");
    expect(budget.peak).toBeLessThanOrEqual(2 * MB);
    expect(budget.refused).toBe(1);
  });

  it("a body over the size limit is refused with 413, declared or chunked, without taking from the budget", async () => {
    const budget = new BodyBudget(64 * MB);
    const port = await start({ bodyBudget: budget, maxBodyBytes: MB });
    const declared = new RawRequest(port, webhookHead({ "content-length": MB + 1 }));
    expect((await declared.answered).status).toBe(413);
    const chunked = new RawRequest(port, webhookHead({ "transfer-encoding": "chunked" }));
    chunked.send(chunk(Buffer.alloc(MB / 2, 0x20)));
    chunked.send(chunk(Buffer.alloc(MB / 2 + 1, 0x20)));
    expect((await chunked.answered).status).toBe(413);
    await until(() => budget.used === 0, "the budget given back");
    expect(budget.peak).toBeLessThanOrEqual(MB);
  });

  it("a body that stops arriving is cut off after the body deadline (408, connection closed) and its bytes are given back", async () => {
    const budget = new BodyBudget(4 * MB);
    const port = await start({ bodyBudget: budget, bodyTimeoutMs: 300 });
    const slow = new RawRequest(port, webhookHead({ "content-length": MB }));
    slow.send(Buffer.alloc(1000, 0x20));
    await until(() => budget.used === MB, "the slow body reserved");
    const answer = await slow.answered;
    expect(answer.status).toBe(408);
    expect(answer.text).toMatch(/connection: close/i);
    await slow.closed;
    expect(budget.used).toBe(0);
    // The server is still there for everyone else.
    expect(await signedDelivery(port)).toBe(200);
  });

  it("a plugin's route is registered beside the webhook, and its bodies take from the same budget", async () => {
    const budget = new BodyBudget(2 * MB);
    const echo: FastifyPluginAsync = (app) => {
      app.post("/echo", (request) => Promise.resolve({ got: request.body }));
      return Promise.resolve();
    };
    const port = await start({ bodyBudget: budget, plugins: [{ plugin: echo, options: { prefix: "/api" } }] });
    const json = '{"a":1}';
    const ok = new RawRequest(
      port,
      { "content-type": "application/json", "content-length": json.length, connection: "close" },
      "/api/echo",
    );
    ok.send(json);
    const answer = await ok.answered;
    expect(answer.status).toBe(200);
    await ok.closed;
    expect(answer.text).toContain('{"got":{"a":1}}');
    await until(() => budget.used === 0, "the budget given back");

    // Two unsigned webhook bodies hold the budget: the plugin's route is refused too, unread.
    const holders = [0, 1].map(() => new RawRequest(port, webhookHead({ "content-length": MB })));
    for (const holder of holders) holder.send(Buffer.alloc(10, 0x20));
    await until(() => budget.used === 2 * MB, "the two bodies reserved");
    const refused = new RawRequest(
      port,
      { "content-type": "application/json", "content-length": json.length },
      "/api/echo",
    );
    refused.send(json);
    expect((await refused.answered).status).toBe(503);
    expect(budget.used).toBe(2 * MB);
  });
});
