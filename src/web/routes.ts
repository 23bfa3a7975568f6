/**
 * The playground's routes, a Fastify plugin: `POST /api/validate`, `POST /api/simulate` and
 * `GET /playground` with its assets (built by `npm run build` into dist/playground/). They use no
 * GitHub data and need no login, so every request is bounded: a 1 MiB body, a few requests in
 * flight per client (429 beyond), and the engine's own bounds on a policy (src/policy/loader.ts).
 * PLAYGROUND=false leaves the plugin out (src/server.ts): all three answer 404.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { parseSimulateBody, parseValidateBody, simulate, validatePolicy, type InputError } from "./simulation.js";

/** Fastify's default, stated: a body over it is answered 413 before it is parsed. */
export const API_BODY_LIMIT = 1024 * 1024;
/** Requests of one client (IP address) in flight at once, body upload included. */
export const DEFAULT_MAX_IN_FLIGHT_PER_CLIENT = 4;

/** Where `npm run build` writes the page (the same path from src/web and from dist/web). */
export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL("../../dist/playground/", import.meta.url));

export interface PlaygroundRoutesOptions {
  maxInFlightPerClient?: number;
  assetsDir?: string;
}

const ASSETS: Record<string, string> = {
  "playground.js": "text/javascript; charset=utf-8",
  "playground.css": "text/css; charset=utf-8",
};

/** The page runs only its own script; nothing is framed, sent elsewhere or loaded from elsewhere. */
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

interface Asset {
  body: Buffer;
  /** The same bytes gzipped once at start (the script is about 1 MB, 300 KB gzipped). */
  gzipped: Buffer;
  type: string;
  etag: string;
}

function loadAssets(dir: string): Map<string, Asset> | undefined {
  if (!existsSync(`${dir}/index.html`)) return undefined;
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries({ "index.html": "text/html; charset=utf-8", ...ASSETS })) {
    const body = readFileSync(`${dir}/${name}`);
    assets.set(name, {
      body,
      gzipped: gzipSync(body),
      type,
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`,
    });
  }
  return assets;
}

export function playgroundRoutes(options: PlaygroundRoutesOptions = {}): FastifyPluginAsync {
  const limit = options.maxInFlightPerClient ?? DEFAULT_MAX_IN_FLIGHT_PER_CLIENT;
  const assetsDir = options.assetsDir ?? DEFAULT_ASSETS_DIR;
  return function playground(app) {
    const assets = loadAssets(assetsDir);
    if (!assets)
      app.log.warn({ assetsDir }, "the playground page is not built (npm run build): GET /playground answers 503");

    // Per client, counted from the first byte of the request until its answer is sent or the
    // connection closes: a client cannot hold more than `limit` bodies or evaluations at once.
    const inFlight = new Map<string, number>();
    app.addHook("onRequest", async (request, reply) => {
      const client = request.ip;
      const now = inFlight.get(client) ?? 0;
      if (now >= limit) {
        return reply
          .code(429)
          .header("retry-after", "1")
          .send({
            error: `client: too many requests in flight from this client (at most ${limit} at once)`,
            field: "client",
          });
      }
      inFlight.set(client, now + 1);
      reply.raw.once("close", () => {
        const left = (inFlight.get(client) ?? 1) - 1;
        if (left <= 0) inFlight.delete(client);
        else inFlight.set(client, left);
      });
      return undefined;
    });

    app.setErrorHandler((error: FastifyError, request, reply) => {
      const status =
        typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 600
          ? error.statusCode
          : 500;
      if (status === 500) {
        request.log.error({ err: error, url: request.url }, "request failed");
        return reply.code(500).send({ error: "internal error" });
      }
      // 503: the server's shared budget of request bodies is spent (src/http/body-budget.ts).
      if (status === 503) reply.header("retry-after", "1");
      return reply.code(status).send({ error: `body: ${describeClientError(error)}`, field: "body" });
    });

    const json = { bodyLimit: API_BODY_LIMIT };
    app.post("/api/validate", json, async (request, reply) => {
      const parsed = parseValidateBody(request.body);
      if (!parsed.ok) return badInput(reply, parsed.error);
      return reply.send(validatePolicy(parsed.value.policy));
    });

    app.post("/api/simulate", json, async (request, reply) => {
      const parsed = parseSimulateBody(request.body);
      if (!parsed.ok) return badInput(reply, parsed.error);
      const answer = simulate(parsed.value);
      if (!answer.ok) {
        const n = answer.problems.length;
        return reply.code(400).send({
          error: `policy: does not load (${n} problem${n === 1 ? "" : "s"})`,
          field: "policy",
          problems: answer.problems,
        });
      }
      return reply.type("application/json; charset=utf-8").send(answer.json);
    });

    const page = (name: string) => async (request: FastifyRequest, reply: FastifyReply) => {
      const asset = assets?.get(name);
      if (!asset) return reply.code(503).send({ error: "the playground is not built: run npm run build" });
      reply.headers(PAGE_HEADERS).header("etag", asset.etag).header("vary", "accept-encoding");
      if (request.headers["if-none-match"] === asset.etag) return reply.code(304).send();
      if (/\bgzip\b/.test(String(request.headers["accept-encoding"] ?? "")))
        return reply.type(asset.type).header("content-encoding", "gzip").send(asset.gzipped);
      return reply.type(asset.type).send(asset.body);
    };
    app.get("/playground", page("index.html"));
    for (const name of Object.keys(ASSETS)) app.get(`/playground/assets/${name}`, page(name));
    return Promise.resolve();
  };
}

function badInput(reply: FastifyReply, error: InputError) {
  return reply.code(400).send({ error: `${error.field}: ${error.message}`, field: error.field });
}

/** Fastify's body errors, in words that name the body. */
function describeClientError(error: FastifyError): string {
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return `the body is larger than ${API_BODY_LIMIT / 1024 / 1024} MiB`;
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return "the body must be JSON (content-type: application/json)";
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return "the body is empty: it must be a JSON object";
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return `the body is not valid JSON: ${error.message}`;
    default:
      return error instanceof SyntaxError ? `the body is not valid JSON: ${error.message}` : error.message;
  }
}
