/**
 * The webhook endpoint, as a Fastify plugin (src/http/http-server.ts registers it). Webhooks are
 * checked in the order that costs least to a sender who should not be there: method and content
 * type, headers, size (bodies over GitHub's 25 MB cap are cut off with 413), room in the shared
 * body budget (503), then the body is read, with the HMAC computed over each chunk as it arrives
 * and a deadline for the whole body (408); signature (401), JSON (400); only then does Probot
 * receive the event. A delivery is answered when its evaluation finishes, or with 202 after
 * `processingTimeoutMs` (GitHub gives up after 10 s) while the work goes on.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Probot } from "probot";
import { eventLabel, outcomeOf, recordDelivery, takeDeliveryEvaluated } from "../metrics/deliveries.js";
import { OWN_BODY_CONFIG, type BodyBudget, type BodyReservation } from "./body-budget.js";

export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;
/** GitHub gives up on a delivery after 10 s, so a body still arriving after that is no delivery of GitHub's. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

export interface WebhookIngressOptions {
  probot: Probot;
  log: Logger;
  webhookPath: string;
  /** The secret of the `X-Hub-Signature-256` HMAC (the one Probot was given). */
  webhookSecret: string;
  /** Shared by every body not yet verified. */
  budget: BodyBudget;
  maxBodyBytes?: number;
  processingTimeoutMs?: number;
  /** How long the whole body may take to arrive, from the moment the route starts reading it. */
  bodyTimeoutMs?: number;
}

/** The ingress's settings with their defaults filled in. */
interface Ingress {
  options: WebhookIngressOptions;
  maxBytes: number;
  timeoutMs: number;
  bodyTimeoutMs: number;
  log: Logger;
}

export function webhookIngress(options: WebhookIngressOptions): FastifyPluginAsync {
  const ingress: Ingress = {
    options,
    maxBytes: options.maxBodyBytes ?? MAX_WEBHOOK_BYTES,
    timeoutMs: options.processingTimeoutMs ?? 9000,
    bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
    log: options.log,
  };
  const handle = (request: FastifyRequest, reply: FastifyReply) => handleDelivery(ingress, request, reply);

  return function webhookRoutes(app) {
    // Every answer of the webhook route is counted by outcome (src/metrics/deliveries.ts).
    app.addHook("onResponse", async (request, reply) => {
      const id = header(request.raw, "x-github-delivery");
      const status = reply.statusCode;
      // Below 400, or a handler failure: the signature matched. 401, 503 (budget) and the rest: not known.
      const verified = status < 400 || (status >= 500 && status !== 503);
      recordDelivery(eventLabel(header(request.raw, "x-github-event"), verified), outcomeOf(status, id));
    });
    // This route reads its own body (as a stream, see readAndHash): no parser of this scope reads it.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
    app.all(options.webhookPath, { config: OWN_BODY_CONFIG }, handle);
    return Promise.resolve();
  };
}

/** Checks the headers, then receives the body (signed, bounded) and delivers it. */
async function handleDelivery(ingress: Ingress, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const { maxBytes } = ingress;
  if (request.method !== "POST") return reply.code(405).send({ error: "use POST" });
  if (!/^\s*application\/json\s*(;|$)/i.test(request.headers["content-type"] ?? "")) {
    return reply.code(415).send({ error: 'Content-Type must be "application/json"' });
  }
  const req = request.raw;
  const id = header(req, "x-github-delivery");
  const name = header(req, "x-github-event");
  const signature = header(req, "x-hub-signature-256");
  if (!id || !name || !signature)
    return reply.code(400).send({ error: "missing X-GitHub-Delivery, X-GitHub-Event or X-Hub-Signature-256" });
  const rawLength = req.headers["content-length"];
  const declared = rawLength === undefined ? undefined : Number(rawLength);
  if (declared !== undefined && declared > maxBytes)
    return refuseWhileReceiving(req, reply, 413, { error: `body larger than ${maxBytes} bytes` });
  return receiveAndDeliver(ingress, request, reply, { id, name, signature, declared });
}

/** The body read and hashed under the budget; a signed JSON object is delivered to the app. */
async function receiveAndDeliver(
  ingress: Ingress,
  request: FastifyRequest,
  reply: FastifyReply,
  { id, name, signature, declared }: { id: string; name: string; signature: string; declared: number | undefined },
): Promise<unknown> {
  const { options, maxBytes, bodyTimeoutMs, log } = ingress;
  const req = request.raw;
  const tooLarge = { error: `body larger than ${maxBytes} bytes` };
  const busy = { error: "too many request bodies in flight; try again" };
  const reservation = options.budget.open();
  try {
    // A declared length is reserved whole before a byte is read; a chunked body chunk by chunk.
    if (declared !== undefined && !reservation.take(declared)) {
      log.warn({ id, event: name, bytes: declared, inUse: options.budget.used }, "webhook refused: body budget spent");
      return refuseWhileReceiving(req, reply, 503, busy);
    }
    const read = await readAndHash(req, {
      maxBytes,
      secret: options.webhookSecret,
      timeoutMs: bodyTimeoutMs,
      reservation: declared === undefined ? reservation : undefined,
    });
    switch (read.outcome) {
      case "too large":
        return refuseWhileReceiving(req, reply, 413, tooLarge);
      case "over budget":
        log.warn({ id, event: name, inUse: options.budget.used }, "webhook refused: body budget spent");
        return refuseWhileReceiving(req, reply, 503, busy);
      case "too slow":
        log.warn({ id, event: name, bodyTimeoutMs }, "webhook refused: body too slow");
        return cutOff(req, reply, 408, { error: `body not received within ${bodyTimeoutMs} ms` });
      case "aborted":
        reply.hijack();
        req.socket.destroy();
        return undefined;
    }
    if (!signatureMatches(signature, read.digest)) {
      log.warn({ id, event: name }, "webhook refused: signature does not match");
      return reply.code(401).send({ error: "signature does not match" });
    }
    reservation.release(); // signed by whoever holds the secret: GitHub
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.concat(read.chunks, read.size).toString("utf8"));
    } catch {
      return reply.code(400).send({ error: "body is not valid JSON" });
    }
    if (typeof payload !== "object" || payload === null)
      return reply.code(400).send({ error: "body is not a JSON object" });
    return await deliver(ingress, reply, id, name, payload);
  } finally {
    reservation.release();
  }
}

async function deliver(
  ingress: Ingress,
  reply: FastifyReply,
  id: string,
  name: string,
  payload: object,
): Promise<unknown> {
  const { options, timeoutMs, log } = ingress;
  const work = options.probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const result = await Promise.race([work.then(() => "done" as const), timedOut]);
    if (result === "timeout") {
      work.then(
        () => takeDeliveryEvaluated(id),
        (error: unknown) => {
          takeDeliveryEvaluated(id);
          recordDelivery(eventLabel(name, true), "failed");
          log.error({ err: error, id, event: name }, "webhook handler failed");
        },
      );
      return reply.code(202).type("text/plain").send("still processing\n");
    }
    return reply.code(200).type("text/plain").send("ok\n");
  } catch (error) {
    log.error({ err: error, id, event: name }, "webhook handler failed");
    return reply.code(500).send({ error: "handler failed" });
  } finally {
    clearTimeout(timer);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function signatureMatches(signature: string, digest: Buffer): boolean {
  const expected = Buffer.from(`sha256=${digest.toString("hex")}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

type BodyRead =
  | { outcome: "complete"; chunks: Buffer[]; size: number; digest: Buffer }
  | { outcome: "too large" | "over budget" | "too slow" | "aborted" };

/**
 * Reads the body, feeding each chunk to the HMAC as it arrives and keeping it only while the
 * body is within `maxBytes` (and, for a body without a declared length, within the budget).
 * Stops reading at the first limit it meets; the deadline covers the whole body.
 */
function readAndHash(
  req: IncomingMessage,
  limits: { maxBytes: number; secret: string; timeoutMs: number; reservation: BodyReservation | undefined },
): Promise<BodyRead> {
  return new Promise((resolve) => {
    const hmac = createHmac("sha256", limits.secret);
    let chunks: Buffer[] = [];
    let size = 0;
    const finish = (read: BodyRead) => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAborted);
      req.off("close", onAborted);
      if (read.outcome !== "complete") {
        chunks = [];
        req.pause();
      }
      resolve(read);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) return finish({ outcome: "too large" });
      if (limits.reservation && !limits.reservation.take(chunk.length)) return finish({ outcome: "over budget" });
      hmac.update(chunk);
      chunks.push(chunk);
    };
    // The chunks are joined only once the signature matches: an unsigned body is never copied.
    const onEnd = () => finish({ outcome: "complete", chunks, size, digest: hmac.digest() });
    const onAborted = () => finish({ outcome: "aborted" });
    const timer = setTimeout(() => finish({ outcome: "too slow" }), limits.timeoutMs);
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onAborted);
    req.once("close", onAborted);
    if (req.readableEnded) onEnd();
  });
}

/** How long a refused sender may go on sending before the connection is cut. */
const LINGER_MS = 10_000;

/**
 * Answers at once, but ends the response only once the rest of the body has been read and
 * discarded (nothing of it is kept): closing a socket with unread data resets the connection, and
 * the sender would see the reset instead of the answer. A sender that goes on past twice the
 * largest body or for longer than LINGER_MS is cut off.
 */
function refuseWhileReceiving(req: IncomingMessage, reply: FastifyReply, status: number, body: object): void {
  reply.hijack();
  const res: ServerResponse = reply.raw;
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    connection: "close",
  };
  if (status === 503) headers["retry-after"] = 1;
  res.writeHead(status, headers);
  if (req.complete) {
    res.end(text);
    return;
  }
  res.write(text);
  const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
  timer.unref();
  let discarded = 0;
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > 2 * MAX_WEBHOOK_BYTES) {
      clearTimeout(timer);
      req.socket.destroy();
    }
  });
  req.once("end", () => {
    clearTimeout(timer);
    res.end();
  });
  req.once("close", () => clearTimeout(timer));
  req.resume();
}

/** Answers and closes the connection without waiting for the rest of the body (a slow sender). */
function cutOff(req: IncomingMessage, reply: FastifyReply, status: number, body: object): void {
  reply.hijack();
  const text = JSON.stringify(body);
  reply.raw.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    connection: "close",
  });
  reply.raw.end(text, () => req.socket.destroy());
  // If the answer cannot even be written (the sender reads nothing either), the socket goes anyway.
  setTimeout(() => req.socket.destroy(), 1000).unref();
}
