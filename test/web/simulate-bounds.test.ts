/**
 * Issue 19, item 4, on the unauthenticated playground API: a ticket pattern that costs without
 * bound is refused by validation (400, at its line and column) before anything searches with it,
 * and an accepted pattern at the limits searches only as much of a 64 KiB body as the budget
 * allows (the answer says how far). Real HTTP, on a Fastify instance of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import Fastify, { type FastifyInstance } from "fastify";
import { ticketTextLimits } from "../../src/engine/tickets.js";
import { compileTicketPattern } from "../../src/policy/patterns.js";
import { playgroundRoutes } from "../../src/web/routes.js";

/** The issue's shape: 405 characters, accepted before (as in test/policy/ticket-pattern.test.ts). */
const ISSUE_PATTERN = `(?i)${"\\pL{1000}".repeat(44)}x-\\d+`;

let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = Fastify();
  await app.register(playgroundRoutes({ maxInFlightPerClient: 4 }));
  await app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app.close();
});

async function post(path: string, body: unknown) {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    json: (await response.json()) as { ok?: boolean; field?: string; problems?: unknown[]; requirements?: unknown[] },
  };
}

const policy = (pattern: string) =>
  `version: 1\nticket:\n  pattern: '${pattern}'\ntiers: { low: { ticket: true }, medium: { ticket: true }, high: { ticket: true } }\n`;

describe("the simulate API's ticket work is bounded", () => {
  it("refuses the issue's 405-character pattern at its line and column, in /api/validate and /api/simulate", async () => {
    const validate = await post("/api/validate", { policy: policy(ISSUE_PATTERN) });
    expect(validate.status).toBe(200);
    expect(validate.json.ok).toBe(false);
    expect(validate.json.problems).toEqual([
      { line: 3, column: 12, message: expect.stringMatching(/^ticket\.pattern: .*expands to more than 1,000 RE2/) },
    ]);
    const simulate = await post("/api/simulate", {
      policy: policy(ISSUE_PATTERN),
      pull_request: { files: [{ path: "src/a.ts" }], title: "K".repeat(4096), body: "K".repeat(65536) },
    });
    expect(simulate.status).toBe(400);
    expect(simulate.json.field).toBe("policy");
    expect(simulate.json.problems).toEqual(validate.json.problems);
  });

  it("searches a 64 KiB body only as far as the budget allows for a pattern at the instruction limit", async () => {
    const pattern = "(?i)[\\pL\\pN]{96}x";
    const { body } = ticketTextLimits(compileTicketPattern(pattern).instructions);
    expect(body).toBeLessThan(2_000);
    const simulate = await post("/api/simulate", {
      policy: policy(pattern),
      pull_request: { files: [{ path: "src/a.ts" }], title: "\u212a".repeat(4096), body: "\u212a".repeat(65536) },
    });
    expect(simulate.status).toBe(200);
    const ticket = (simulate.json.requirements as { kind: string; met: boolean; message: string }[]).find(
      (r) => r.kind === "ticket",
    )!;
    expect(ticket.met).toBe(false);
    expect(ticket.message).toBe(
      `no ticket reference found (the body is searched to its first ${body.toLocaleString("en-US")} characters)`,
    );
  });
});
