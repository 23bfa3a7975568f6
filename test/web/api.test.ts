/**
 * POST /api/validate and POST /api/simulate over real HTTP, on a Fastify instance of their own:
 * the answers of the contract (docs/api.md), the same decision as `guardrails check --json` for
 * the same PR, and every bound: bad input named by field (400), 1 MiB bodies (413), non-JSON
 * (415), too many requests in flight from one client (429).
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { decisionOutputSchema } from "../../src/report/decision-schema.js";
import { playgroundRoutes } from "../../src/web/routes.js";
import { assertBuilt, removeTempDirs, TempRepo } from "../cli/helpers.js";

const POLICY = readFileSync(new URL("../../examples/web-service.yml", import.meta.url), "utf8");
const LIMIT = 3;

let app: FastifyInstance;
let base: string;
let port: number;

beforeAll(async () => {
  app = Fastify();
  await app.register(playgroundRoutes({ maxInFlightPerClient: LIMIT }));
  await app.listen({ port: 0, host: "127.0.0.1" });
  port = (app.server.address() as { port: number }).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await app.close();
  removeTempDirs();
});

/** The fields of the API's JSON answers that the tests read (each answer has some of them). */
interface ApiBody {
  ok?: boolean;
  problems?: unknown[];
  field?: string;
  error?: string;
  [field: string]: unknown;
}

async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = { "content-type": "application/json" },
) {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    json: JSON.parse(text) as ApiBody,
    text,
  };
}

describe("POST /api/validate", () => {
  it("answers ok for a valid policy, and every problem at its line and column for a bad one", async () => {
    expect((await post("/api/validate", { policy: POLICY })).json).toEqual({ ok: true, problems: [] });
    const bad = await post("/api/validate", {
      policy: "version: 1\nrules:\n  - name: x\n    tier: extreme\n    paths: ['a/**']\n",
    });
    expect(bad.status).toBe(200);
    expect(bad.json.ok).toBe(false);
    expect(bad.json.problems).toEqual([
      expect.objectContaining({ line: 4, column: 11, message: expect.stringContaining("tier") }),
    ]);
  });
});

describe("POST /api/simulate", () => {
  const pullRequest = {
    files: [
      { path: "src/auth/login.ts", status: "added", additions: 12 },
      { path: "src/auth/token.ts", previous_path: "src/util/token.ts" },
      { path: "test/auth/login.test.ts", status: "added", additions: 20 },
    ],
    author: "mona",
    title: "SEC-12 Harden sign-in",
    labels: ["ready"],
    approvals: ["alice", "bob"],
  };

  it("answers the decision as guardrails check --json writes it: same tier, reasons and requirements for the same PR", async () => {
    assertBuilt();
    const answer = await post("/api/simulate", { policy: POLICY, pull_request: pullRequest });
    expect(answer.status).toBe(200);
    expect(answer.type).toContain("application/json");
    const output = decisionOutputSchema.parse(answer.json);
    expect(output.policy).toEqual({ source: "request", path: null, ref: null, sha: null });
    expect(output.diff.renames).toEqual([{ from: "src/util/token.ts", to: "src/auth/token.ts" }]);

    // The same PR as a git branch, judged by the CLI under the same policy file.
    const repo = new TempRepo();
    repo.commit("base", { "src/util/token.ts": "export const t = 1;\n", "policy.yml": POLICY });
    repo.branch("SEC-12-harden");
    repo.move("src/util/token.ts", "src/auth/token.ts");
    repo.commit("SEC-12 Harden sign-in", {
      "src/auth/login.ts": Array.from({ length: 12 }, (_, i) => `line ${i}\n`).join(""),
      "test/auth/login.test.ts": Array.from({ length: 20 }, (_, i) => `test ${i}\n`).join(""),
    });
    const cli = repo.checkJson([
      "--base",
      "main",
      "--policy",
      "policy.yml",
      "--author",
      "mona",
      "--title",
      "SEC-12 Harden sign-in",
      "--label",
      "ready",
    ]).json;
    // The CLI cannot know approvals: those requirements differ, and only those (version, policy and diff aside);
    // the simulation also says why a team group is unmet (no members given in "teams").
    const note = ' (no members given for team security: list them in "teams" as { "org/team": [logins] })';
    expect(output.requirements.find((r) => r.kind === "approvers")!.message).toContain(note);
    const withoutApprovals = (decision: object) =>
      Object.fromEntries(
        Object.entries(decision)
          .filter(([key]) => !["version", "policy", "diff"].includes(key))
          .map(([key, value]) => [
            key,
            key === "requirements"
              ? (value as { kind: string; message: string }[])
                  .filter((r) => r.kind !== "approvals")
                  .map((r) => ({ ...r, message: r.message.replace(note, "") }))
              : value,
          ]),
      );
    expect(withoutApprovals(output)).toEqual(withoutApprovals(cli));
    expect(output.tier).toBe("high");
    const approvals = output.requirements.find((r) => r.kind === "approvals")!;
    expect(approvals).toMatchObject({ met: true, approvedBy: ["alice", "bob"] });
  });

  describe("with a CODEOWNERS text and team memberships", () => {
    const policy = `version: 1
default_tier: high
tiers:
  low: {}
  medium: {}
  high:
    codeowners: true
    approvers:
      - teams: [security]
`;
    const codeowners = "# owners\n/src/auth/ @acme/security\n/docs/ @mona\n*.png @acme/design @other-org/design\n";
    const requirement = (json: Record<string, unknown>, kind: string) =>
      (json.requirements as { kind: string; met: boolean; message: string }[]).find((r) => r.kind === kind)!;

    it("meets codeowners: true and a team approver group with a member's approval", async () => {
      const answer = await post("/api/simulate", {
        policy,
        codeowners,
        teams: { "acme/security": ["alice", "erin"] },
        pull_request: { files: [{ path: "src/auth/login.ts" }, { path: "docs/a.md" }], approvals: ["Alice", "mona"] },
      });
      expect(answer.status).toBe(200);
      expect(decisionOutputSchema.parse(answer.json).conclusion).toBe("success");
      expect(requirement(answer.json, "codeowners")).toMatchObject({
        met: true,
        ownerGroups: [
          { owners: ["@acme/security"], patterns: ["/src/auth/"], files: ["src/auth/login.ts"], approvedBy: ["Alice"] },
          { owners: ["@mona"], patterns: ["/docs/"], files: ["docs/a.md"], approvedBy: ["mona"] },
        ],
      });
      expect(requirement(answer.json, "approvers")).toMatchObject({ met: true, approvedBy: ["Alice"] });
    });

    it("says why a team could not count: no members given, or a team of another organisation", async () => {
      const noTeams = await post("/api/simulate", {
        policy,
        codeowners,
        pull_request: { files: [{ path: "src/auth/login.ts" }], approvals: ["alice"] },
      });
      expect(noTeams.json.conclusion).toBe("failure");
      expect(requirement(noTeams.json, "approvers").message).toContain(
        'no members given for team security: list them in "teams"',
      );
      expect(requirement(noTeams.json, "codeowners").message).toContain("no members given for @acme/security");

      const foreign = await post("/api/simulate", {
        policy,
        codeowners,
        teams: { "acme/security": ["alice"], "acme/design": ["dana"] },
        pull_request: { files: [{ path: "logo.png" }], approvals: ["eve"] },
      });
      const owners = requirement(foreign.json, "codeowners");
      expect(owners.met).toBe(false);
      expect(owners.message).toContain("@other-org/design: of another organisation than acme");
      expect(owners.message).not.toContain("no members given for @acme/design");
    });

    it("reads CODEOWNERS as the app does: past 10,000 lines the owners are unknown and codeowners fails closed", async () => {
      const long = `${"# comment\n".repeat(10_000)}/src/ @mona\n`;
      const answer = await post("/api/simulate", {
        policy,
        codeowners: long,
        teams: { "acme/security": ["mona"] },
        pull_request: { files: [{ path: "src/a.ts" }], approvals: ["mona"] },
      });
      const owners = requirement(answer.json, "codeowners");
      expect(owners.met).toBe(false);
      expect(owners.message).toMatch(/longer than Guardrails reads/);
    });

    it("without CODEOWNERS, no file has owners", async () => {
      const answer = await post("/api/simulate", {
        policy,
        teams: { "acme/security": ["alice"] },
        pull_request: { files: [{ path: "src/a.ts" }], approvals: ["alice"] },
      });
      expect(requirement(answer.json, "codeowners")).toMatchObject({ met: true, ownerGroups: [] });
    });
  });

  it("answers 400 naming the policy and listing its problems when the policy does not load", async () => {
    const answer = await post("/api/simulate", { policy: "version: 2\n", pull_request: { files: [] } });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      field: "policy",
      problems: [expect.objectContaining({ line: 1, column: 10 })],
    });
  });
});

describe("bad input", () => {
  const cases: [string, string, unknown, string][] = [
    ["/api/validate", "the policy missing", {}, "policy"],
    ["/api/validate", "the policy not text", { policy: 1 }, "policy"],
    ["/api/validate", "an unknown field", { policy: "", extra: 1 }, "extra"],
    ["/api/validate", "a body that is not an object", [1], "body"],
    ["/api/simulate", "the pull request missing", { policy: POLICY }, "pull_request"],
    [
      "/api/simulate",
      "a file's path not text",
      { policy: POLICY, pull_request: { files: [{ path: "a" }, { path: 3 }] } },
      "pull_request.files[1].path",
    ],
    [
      "/api/simulate",
      "an empty path",
      { policy: POLICY, pull_request: { files: [{ path: "" }] } },
      "pull_request.files[0].path",
    ],
    [
      "/api/simulate",
      "an unknown status",
      { policy: POLICY, pull_request: { files: [{ path: "a", status: "moved" }] } },
      "pull_request.files[0].status",
    ],
    [
      "/api/simulate",
      "negative additions",
      { policy: POLICY, pull_request: { files: [{ path: "a", additions: -1 }] } },
      "pull_request.files[0].additions",
    ],
    [
      "/api/simulate",
      "approvals not a list",
      { policy: POLICY, pull_request: { files: [], approvals: "alice" } },
      "pull_request.approvals",
    ],
    [
      "/api/simulate",
      "CODEOWNERS not text",
      { policy: POLICY, codeowners: ["/src/ @a"], pull_request: { files: [] } },
      "codeowners",
    ],
    [
      "/api/simulate",
      "a team without its organisation",
      { policy: POLICY, teams: { security: ["alice"] }, pull_request: { files: [] } },
      "teams.security",
    ],
    [
      "/api/simulate",
      "a member that is no login",
      { policy: POLICY, teams: { "acme/security": ["alice", "not a login"] }, pull_request: { files: [] } },
      "teams.acme/security[1]",
    ],
    [
      "/api/simulate",
      "teams of two organisations",
      { policy: POLICY, teams: { "acme/a": [], "other/b": [] }, pull_request: { files: [] } },
      "teams",
    ],
    [
      "/api/simulate",
      "more teams than allowed",
      {
        policy: POLICY,
        teams: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`acme/t${i}`, []])),
        pull_request: { files: [] },
      },
      "teams",
    ],
    [
      "/api/simulate",
      "a team of more members than allowed",
      {
        policy: POLICY,
        teams: { "acme/all": Array.from({ length: 1001 }, (_, i) => `user${i}`) },
        pull_request: { files: [] },
      },
      "teams.acme/all",
    ],
    [
      "/api/simulate",
      "more files than GitHub lists",
      { policy: POLICY, pull_request: { files: Array.from({ length: 3001 }, (_, i) => ({ path: `f${i}` })) } },
      "pull_request.files",
    ],
  ];
  it.each(cases.map(([path, what, body, field]) => ({ path, what, body, field })))(
    "$path with $what: 400 naming $field",
    async ({ path, body, field }) => {
      const answer = await post(path, body);
      expect(answer.status).toBe(400);
      expect(answer.json.field).toBe(field);
      expect(answer.json.error).toEqual(expect.stringContaining(field));
    },
  );

  it("answers 400 for a body that is not a JSON object, 415 for a media type it cannot read, 413 over 1 MiB", async () => {
    const broken = await post("/api/simulate", "{ not json");
    expect([broken.status, broken.json.field]).toEqual([400, "body"]);
    expect(broken.json.error).toMatch(/not valid JSON/);
    const text = await post("/api/validate", "policy", { "content-type": "text/plain" });
    expect([text.status, text.json]).toEqual([400, { error: "body: must be a JSON object", field: "body" }]);
    const xml = await post("/api/validate", "<policy/>", { "content-type": "application/xml" });
    expect([xml.status, xml.json.field]).toEqual([415, "body"]);
    const large = await post("/api/validate", { policy: "#".repeat(1024 * 1024) });
    expect(large.status).toBe(413);
    expect(large.json.error).toMatch(/larger than 1 MiB/);
    // Under the limit, a policy over the loader's own bound is a problem of the policy.
    const big = await post("/api/validate", { policy: `version: 1\n#${"x".repeat(300 * 1024)}\n` });
    expect(big.json).toEqual({
      ok: false,
      problems: [{ line: 1, column: 1, message: "the policy is larger than 256 KiB" }],
    });
  });
});

describe("GET /playground", () => {
  it("serves the built page and its assets with a strict CSP, gzipped when asked, 304 when unchanged", async () => {
    const page = await fetch(`${base}/playground`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self';");
    expect(await page.text()).toContain('<script type="module" src="/playground/assets/playground.js">');
    // Node's fetch asks for gzip and inflates it: the bytes that arrive are the script.
    const script = await fetch(`${base}/playground/assets/playground.js`);
    expect([script.status, script.headers.get("content-encoding"), script.headers.get("content-type")]).toEqual([
      200,
      "gzip",
      "text/javascript; charset=utf-8",
    ]);
    expect((await script.text()).length).toBeGreaterThan(100_000);
    const again = await fetch(`${base}/playground/assets/playground.css`, {
      headers: { "if-none-match": script.headers.get("etag")! },
    });
    expect(again.status).toBe(200);
    const css = await fetch(`${base}/playground/assets/playground.css`);
    const cached = await fetch(`${base}/playground/assets/playground.css`, {
      headers: { "if-none-match": css.headers.get("etag")! },
    });
    expect(cached.status).toBe(304);
  });
});

describe("per-client concurrency bound", () => {
  /** A request whose body never finishes: it stays in flight until the socket closes. */
  function hanging(): Promise<Socket> {
    return new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.write(
          'POST /api/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"po',
        );
        resolve(socket);
      });
      socket.on("error", () => undefined);
    });
  }

  it(`answers 429 to a client with ${LIMIT} requests in flight, and serves it again once they end`, async () => {
    const sockets = await Promise.all(Array.from({ length: LIMIT }, hanging));
    // The server counts a request when its head arrives: wait until it has seen all of them.
    let refused: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 100 && refused?.status !== 429; i++) {
      refused = await post("/api/validate", { policy: "version: 1\n" });
      if (refused.status !== 429) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(refused?.status).toBe(429);
    expect(refused?.json.error).toMatch(/in flight/);
    expect(refused?.json.field).toBe("client");
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise((resolve) => socket.end(() => socket.destroy() && resolve(undefined)).once("close", resolve)),
      ),
    );
    let after: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 100 && after?.status !== 200; i++) {
      after = await post("/api/validate", { policy: "version: 1\n" });
      if (after.status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(after?.json).toEqual({ ok: true, problems: [] });
  });
});
