/**
 * The unauthenticated playground API under hostile input (issue 19, item 4): `POST /api/simulate`
 * over real HTTP on a Fastify instance with the app's routes, timed from the client. Each ticket
 * case sends its pattern (a new text each run) with a title and body as long as the API accepts,
 * made of what the pattern almost matches; the last case adds the costliest glob set the loader
 * accepts and as many paths as fit in the API's 1 MiB body. Goal: <= 50 ms a request (median).
 */
import Fastify from "fastify";
import { MAX_SCANNING_GLOBS } from "../src/policy/patterns.js";
import { MAX_FILES, MAX_STRING, MAX_TEXT } from "../src/web/simulation.js";
import { playgroundRoutes } from "../src/web/routes.js";
import { nearMiss, policyText, ticketCases } from "./adversarial-tickets.js";
import type { Figure } from "./report.js";

interface Request {
  name: string;
  body: (run: number) => unknown;
  status: number;
}

function ticketRequests(): Request[] {
  return ticketCases().map((c) => ({
    name: `simulate API: ticket ${c.name.split(":")[0]}`,
    status: c.accepted ? 200 : 400,
    body: (r: number) => {
      const pattern = c.pattern(r);
      return {
        policy: policyText(pattern),
        pull_request: {
          files: [{ path: "src/a.ts" }],
          title: nearMiss(c, pattern, MAX_TEXT),
          body: nearMiss(c, pattern, MAX_TEXT),
          branch: nearMiss(c, pattern, MAX_STRING),
        },
      };
    },
  }));
}

/** The ticket case at the instruction limit, with 16 character-class globs over paths filling the body. */
function combinedRequest(): Request {
  const atLimit = ticketCases()[1]!;
  const globs = Array.from(
    { length: MAX_SCANNING_GLOBS },
    (_, i) => `**/[ab][ab][ab][ab][ab][ab][ab][ab]*c${i}[ab][ab][ab][ab][ab][ab][ab][ab]/**`,
  );
  // 3000 paths of 15 segments of 20 'ab' (about 315 bytes each: 0.9 MiB with the texts).
  const paths = Array.from({ length: MAX_FILES }, (_, i) => `${Array(15).fill("ab".repeat(10)).join("/")}/f${i}`);
  return {
    name: `simulate API: ticket at the instruction limit + ${MAX_SCANNING_GLOBS} class globs over ${MAX_FILES} paths (body near 1 MiB)`,
    status: 200,
    body: (r) => {
      const pattern = atLimit.pattern(r);
      const policy = policyText(pattern).replace(
        "tiers:",
        // Every scanning glob the loader accepts goes to the rule (the tests globs are plain folders).
        `rules:\n  - name: classes\n    tier: high\n    paths: [${globs.map((g) => JSON.stringify(g)).join(", ")}]\ntests: { source: ["src/**"], tests: ["test/**"] }\ntiers:`,
      );
      return {
        policy,
        pull_request: {
          files: paths.map((path) => ({ path })),
          title: nearMiss(atLimit, pattern, 256),
          body: nearMiss(atLimit, pattern, 16_384),
        },
      };
    },
  };
}

export async function runSimulateAdversarial(runs = 7): Promise<Figure[]> {
  const app = Fastify();
  // The server's own time per request (body read and parsed, simulated, answered): what holds its
  // event loop. The client runs in this process too, so its wall time adds the client's own work.
  const served: number[] = [];
  app.addHook("onRequest", (request, _reply, done) => {
    (request as unknown as { started: number }).started = performance.now();
    done();
  });
  app.addHook("onResponse", (request, _reply, done) => {
    served.push(performance.now() - (request as unknown as { started: number }).started);
    done();
  });
  await app.register(playgroundRoutes({ maxInFlightPerClient: 4 }));
  await app.listen({ port: 0, host: "127.0.0.1" });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/simulate`;
  const figures: Figure[] = [];
  try {
    for (const request of [...ticketRequests(), combinedRequest()]) {
      const times: number[] = [];
      served.length = 0;
      let bytes = 0;
      for (let r = 0; r < runs; r++) {
        const body = JSON.stringify(request.body(r));
        bytes = body.length;
        const started = performance.now();
        const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
        await response.arrayBuffer();
        times.push(performance.now() - started);
        if (response.status !== request.status)
          throw new Error(`${request.name}: answered ${response.status}, expected ${request.status}`);
      }
      const median = (samples: number[]) =>
        Math.round([...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]! * 10) / 10;
      const server = median(served);
      const kib = Math.round(bytes / 1024);
      figures.push(
        {
          group: "adversarial",
          name: `${request.name} (${kib} KiB, answered ${request.status}): median server time`,
          value: server,
          unit: "ms",
          goal: "<= 50 ms",
          met: server <= 50,
        },
        {
          group: "adversarial",
          name: `${request.name}: slowest server time of ${runs}`,
          value: Math.round(Math.max(...served) * 10) / 10,
          unit: "ms",
        },
        { group: "adversarial", name: `${request.name}: median client wall time`, value: median(times), unit: "ms" },
      );
    }
  } finally {
    await app.close();
  }
  return figures;
}
