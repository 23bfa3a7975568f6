/**
 * The HTTP front of the app: the webhook endpoint, /healthz and /ping. Webhooks are checked in
 * the order that costs least to a sender who should not be there: method and content type, size
 * (bodies over GitHub's 25 MB cap are cut off with 413), signature (401), JSON (400); only then
 * does Probot receive the event. A delivery is answered when its evaluation finishes, or with 202
 * after `processingTimeoutMs` (GitHub gives up after 10 s) while the work goes on.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Probot } from "probot";

export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

export interface IngressOptions {
  probot: Probot;
  log: Logger;
  webhookPath: string;
  maxBodyBytes?: number;
  processingTimeoutMs?: number;
  /** Work in flight, reported by /healthz. */
  inFlight: () => number;
}

export function createIngressServer(options: IngressOptions): Server {
  const maxBytes = options.maxBodyBytes ?? MAX_WEBHOOK_BYTES;
  const timeoutMs = options.processingTimeoutMs ?? 9000;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log.error({ err: error }, "request failed");
      if (!res.headersSent) send(res, 500, { error: "internal error" });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/healthz") {
      // After SIGTERM the server accepts no new connection, so a health check fails by not connecting.
      return send(res, 200, { status: "ok", inFlight: options.inFlight() });
    }
    if (req.method === "GET" && path === "/ping") return send(res, 200, "PONG");
    if (path !== options.webhookPath) return send(res, 404, { error: "not found" });
    if (req.method !== "POST") return send(res, 405, { error: "use POST" });
    if (!/^\s*application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "")) {
      return send(res, 415, { error: 'Content-Type must be "application/json"' });
    }
    const id = header(req, "x-github-delivery");
    const name = header(req, "x-github-event");
    const signature = header(req, "x-hub-signature-256");
    if (!id || !name || !signature) return send(res, 400, { error: "missing X-GitHub-Delivery, X-GitHub-Event or X-Hub-Signature-256" });
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxBytes) return refuseTooLarge(req, res, maxBytes);

    const body = await readBody(req, maxBytes);
    if (body === undefined) return refuseTooLarge(req, res, maxBytes);

    if (!(await options.probot.webhooks.verify(body, signature).catch(() => false))) {
      options.log.warn({ id, event: name }, "webhook refused: signature does not match");
      return send(res, 401, { error: "signature does not match" });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return send(res, 400, { error: "body is not valid JSON" });
    }
    if (typeof payload !== "object" || payload === null) return send(res, 400, { error: "body is not a JSON object" });

    const work = options.probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    try {
      const result = await Promise.race([work.then(() => "done" as const), timedOut]);
      if (result === "timeout") {
        work.catch((error: unknown) => options.log.error({ err: error, id, event: name }, "webhook handler failed"));
        return send(res, 202, "still processing\n");
      }
      return send(res, 200, "ok\n");
    } catch (error) {
      options.log.error({ err: error, id, event: name }, "webhook handler failed");
      return send(res, 500, { error: "handler failed" });
    } finally {
      clearTimeout(timer);
    }
  }

  return server;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The body as text, or undefined once it passes `maxBytes` (reading stops there). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off("data", onData);
        req.pause();
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** How long a refused sender may go on sending before the connection is cut. */
const LINGER_MS = 10_000;

/**
 * Answers 413 at once, but ends the response only once the rest of the body has been read and
 * discarded: closing a socket with unread data resets the connection, and the sender would see the
 * reset instead of the answer. A sender that goes on past twice the limit or for longer than
 * LINGER_MS is cut off.
 */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, maxBytes = MAX_WEBHOOK_BYTES): void {
  const text = JSON.stringify({ error: `body larger than ${maxBytes} bytes` });
  res.writeHead(413, { "content-type": "application/json", "content-length": Buffer.byteLength(text), connection: "close" });
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
    if (discarded > 2 * maxBytes) {
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

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": typeof body === "string" ? "text/plain" : "application/json" });
  res.end(text);
}
