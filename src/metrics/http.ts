/**
 * `GET /metrics`: the Prometheus exposition. With a token, only `Authorization: Bearer <token>`
 * gets it (compared in constant time); anything else is answered 401.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsync } from "fastify";
import { EXPOSITION_CONTENT_TYPE, exposition } from "./metrics.js";

export interface MetricsRouteOptions {
  /** METRICS_TOKEN; undefined or empty: no authentication. */
  token?: string;
}

export function metricsRoute(options: MetricsRouteOptions): FastifyPluginAsync {
  const expected = options.token ? digest(`Bearer ${options.token}`) : undefined;
  return function metricsRoutes(app) {
    app.get("/metrics", async (request, reply) => {
      if (expected) {
        const given = request.headers.authorization;
        if (typeof given !== "string" || !timingSafeEqual(digest(given), expected)) {
          return reply
            .code(401)
            .header("www-authenticate", 'Bearer realm="metrics"')
            .send({ error: "metrics need Authorization: Bearer <METRICS_TOKEN>" });
        }
      }
      return reply.type(EXPOSITION_CONTENT_TYPE).send(await exposition());
    });
    return Promise.resolve();
  };
}

/** Equal-length digests, so the comparison takes the same time whatever was sent. */
function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
