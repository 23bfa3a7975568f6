/**
 * The fault matrix: for every kind of request the app makes, every fault GitHub can answer with,
 * injected on every attempt (the fault never goes away), while the app runs with Probot's real
 * retry and throttling plugins as the server configures them. Each cell is one evaluation of a PR
 * that would pass without the fault, so a fault that slipped through would show as a pass.
 *
 * Asserted for each cell: retries are bounded (attempts per request), a rate limit's retries wait
 * at least its `retry-after` (a lower bound, never an upper one), and the PR ends blocked: a
 * failing check with a plain message and the Re-evaluate button, or, where GitHub refuses the
 * check run itself, no check at all (a required check that is missing blocks the merge too) and a
 * failed delivery. No cell ever writes a passing check, except 404 on removing a stale label: the
 * label is already gone, nothing is hidden, and the PR does meet its guardrails.
 *
 * The cells run in parallel (about 65 s in all: the retry plugin waits 1 + 4 + 9 s, three times in
 * a row for the token row). Set
 * FAULT_MATRIX_OUT=path to write the matrix as Markdown (docs/reliability.md has a copy).
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { writeFileSync } from "node:fs";
import type { FakeCheckRun } from "../support/fake-github.js";
import { faults, type Fault, type FaultRule } from "../support/github-stand-in.js";
import { FAILED_TITLE, FaultWorld, PASSED_TITLE, type Attempt } from "./fault-world.js";

/**
 * Per attempt; the slow fault answers after twice this. All 143 cells start at once in this
 * process, so on a loaded machine an attempt answered at once can still take over a second to
 * arrive (1.5 s let a few time out and be retried once more than the fault allows).
 */
const REQUEST_TIMEOUT_MS = 3000;
const RETRY_AFTER_S = 1;
/** Timers may fire a millisecond or two early relative to Date.now(); the bound keeps a margin. */
const CLOCK_MARGIN_MS = 25;

interface RequestKind {
  name: string;
  rule: Pick<FaultRule, "method" | "path" | "operation">;
  /** How the failing check names the request: a regex on "METHOD path". */
  where: string;
  /** The world needs the app's comment with the checklist ticked (else: no comment yet). */
  ticked: boolean;
}

const R = "/api/v3/repos/acme-\\d+/payments";
const KINDS: RequestKind[] = [
  {
    name: "installation token",
    rule: { method: "POST", path: /^\/app\/installations\/\d+\/access_tokens$/ },
    where: "POST /api/v3/app/installations/\\d+/access_tokens",
    ticked: true,
  },
  {
    name: "GraphQL snapshot",
    rule: { method: "POST", operation: "GuardrailsPullRequest" },
    where: "POST /api/graphql",
    ticked: true,
  },
  {
    name: "files page",
    rule: { method: "GET", path: /\/pulls\/\d+\/files$/ },
    where: `GET ${R}/pulls/2/files`,
    ticked: true,
  },
  {
    name: "policy blob",
    rule: { method: "GET", path: /\/git\/blobs\/[0-9a-f]+$/ },
    where: `GET ${R}/git/blobs/[0-9a-f]+`,
    ticked: true,
  },
  {
    name: "collaborator permission",
    rule: { method: "GET", path: /\/collaborators\/[^/]+\/permission$/ },
    where: `GET ${R}/collaborators/alice/permission`,
    ticked: true,
  },
  {
    name: "team membership",
    rule: { method: "GET", path: /^\/orgs\/[^/]+\/teams\/[^/]+\/memberships\/[^/]+$/ },
    where: "GET /api/v3/orgs/acme-\\d+/teams/security/memberships/bob",
    ticked: true,
  },
  {
    name: "check-run create",
    rule: { method: "POST", path: /\/check-runs$/ },
    where: `POST ${R}/check-runs`,
    ticked: true,
  },
  {
    name: "check-run update",
    rule: { method: "PATCH", path: /\/check-runs\/\d+$/ },
    where: `PATCH ${R}/check-runs/\\d+`,
    ticked: true,
  },
  {
    name: "comment create",
    rule: { method: "POST", path: /\/issues\/\d+\/comments$/ },
    where: `POST ${R}/issues/2/comments`,
    ticked: false,
  },
  {
    name: "comment update",
    rule: { method: "PATCH", path: /\/issues\/comments\/\d+$/ },
    where: `PATCH ${R}/issues/comments/\\d+`,
    ticked: true,
  },
  {
    name: "label add",
    rule: { method: "POST", path: /\/issues\/\d+\/labels$/ },
    where: `POST ${R}/issues/2/labels`,
    ticked: true,
  },
  {
    name: "label remove",
    rule: { method: "DELETE", path: /\/issues\/\d+\/labels\/[^/]+$/ },
    where: `DELETE ${R}/issues/2/labels/risk%3Alow`,
    ticked: true,
  },
  {
    name: "label create",
    rule: { method: "POST", path: /^\/repos\/[^/]+\/[^/]+\/labels$/ },
    where: `POST ${R}/labels`,
    ticked: true,
  },
];

/** The kinds that gather facts (the decision depends on them). */
const READS = [
  "installation token",
  "GraphQL snapshot",
  "files page",
  "policy blob",
  "collaborator permission",
  "team membership",
];

interface FaultKind {
  name: string;
  fault: Fault;
  /** The most attempts one request may make: the first and its retries. */
  maxAttempts: number;
  /** The least: when the fault is retried at all. */
  minAttempts: number;
  /** The message in the failing check, before " on METHOD path", and what may follow it. */
  message: string;
  after: string;
  /** A wait of at least this many ms between attempts of one request. */
  retryAfterMs?: number;
}

const secondary = faults.secondaryRateLimit(RETRY_AFTER_S);
const FAULTS: FaultKind[] = [
  {
    name: "500",
    fault: faults.status(500),
    maxAttempts: 4,
    minAttempts: 4,
    message: "GitHub answered 500",
    after: ", after 3 retries",
  },
  {
    name: "502",
    fault: faults.status(502),
    maxAttempts: 4,
    minAttempts: 4,
    message: "GitHub answered 502",
    after: ", after 3 retries",
  },
  {
    name: "503",
    fault: faults.status(503),
    maxAttempts: 4,
    minAttempts: 4,
    message: "GitHub answered 503",
    after: ", after 3 retries",
  },
  {
    name: "403 secondary rate limit, retry-after 1 s",
    fault: secondary,
    maxAttempts: 3,
    minAttempts: 3,
    message: "GitHub's rate limit was reached",
    after: ` \\(retry after ${RETRY_AFTER_S} s\\)`,
    retryAfterMs: RETRY_AFTER_S * 1000,
  },
  {
    name: "429 secondary rate limit, retry-after 1 s",
    fault: { ...secondary, status: 429 },
    maxAttempts: 3,
    minAttempts: 3,
    message: "GitHub's rate limit was reached",
    after: ` \\(retry after ${RETRY_AFTER_S} s\\)`,
    retryAfterMs: RETRY_AFTER_S * 1000,
  },
  // Not a rate limit GitHub describes: never retried sooner than its retry-after, so not retried.
  {
    name: "429 Too Many Requests, retry-after 1 s",
    fault: faults.tooManyRequests(RETRY_AFTER_S),
    maxAttempts: 1,
    minAttempts: 1,
    message: "GitHub's rate limit was reached",
    after: ` \\(retry after ${RETRY_AFTER_S} s\\)`,
  },
  // @octokit/auth-app retries a 401 within 5 s of creating the token (replication delay): 1, 2, 3 s.
  {
    name: "401 Bad credentials",
    fault: faults.badCredentials(),
    maxAttempts: 4,
    minAttempts: 1,
    message: "GitHub rejected the app's credentials \\(401\\)",
    after: "; check the app's private key",
  },
  {
    name: "404 Not Found",
    fault: faults.notFound(),
    maxAttempts: 1,
    minAttempts: 1,
    message: "GitHub answered 404 Not Found",
    after: ": the pull request, branch or repository",
  },
  {
    name: "slower than the timeout",
    fault: faults.slow(2 * REQUEST_TIMEOUT_MS),
    maxAttempts: 4,
    minAttempts: 4,
    message: "GitHub did not answer in time",
    after: ", after 3 retries",
  },
  {
    name: "malformed JSON",
    fault: faults.malformedJson(),
    maxAttempts: 4,
    minAttempts: 4,
    message: "GitHub sent a response that is not valid JSON",
    after: ", after 3 retries",
  },
  {
    name: "dropped connection",
    fault: faults.dropConnection(),
    maxAttempts: 4,
    minAttempts: 4,
    message: "GitHub could not be reached",
    after: " \\([^)]*\\), after 3 retries",
  },
];

type Outcome =
  | { kind: "failing check"; message: RegExp }
  | { kind: "failing check (decision)"; title: string }
  | { kind: "passing (nothing hidden)" }
  | { kind: "no check" };

/** What a cell must end in. */
function expectedOutcome(kind: RequestKind, fault: FaultKind): Outcome {
  const notFound = fault.name.startsWith("404");
  // Without a token or a check run, nothing can be written: the required check stays missing.
  if (kind.name === "installation token" || kind.name === "check-run create") return { kind: "no check" };
  // 404 means "not a collaborator" / "not a member": the requirement they would meet stays unmet.
  if (notFound && kind.name === "collaborator permission")
    return { kind: "failing check (decision)", title: "High risk · missing: tests" };
  if (notFound && kind.name === "team membership")
    return { kind: "failing check (decision)", title: "High risk · missing: approval from team security" };
  if (notFound && kind.name === "label remove") return { kind: "passing (nothing hidden)" };
  return {
    kind: "failing check",
    message: new RegExp(
      `Guardrails could not evaluate this pull request: ${fault.message} on ${kind.where}${fault.after}`,
    ),
  };
}

interface CellResult {
  kind: RequestKind;
  fault: FaultKind;
  attempts: Attempt[];
  world: FaultWorld;
  error?: unknown;
  ms?: number;
}

const cells: CellResult[] = KINDS.flatMap((kind) =>
  FAULTS.map((fault) => ({ kind, fault, attempts: [] as Attempt[] }) as unknown as CellResult),
);
let baseline: { ticked: FaultWorld; fresh: FaultWorld };

async function runCell(cell: CellResult, index: number): Promise<void> {
  const world = await new FaultWorld({ index, ticked: cell.kind.ticked, requestTimeoutMs: REQUEST_TIMEOUT_MS }).start();
  cell.world = world;
  world.inject({ ...cell.kind.rule, ...cell.fault.fault }, cell.attempts);
  const started = Date.now();
  try {
    await world.receive("pull_request", world.openedPayload());
  } catch (error) {
    cell.error = error;
  } finally {
    cell.ms = Date.now() - started;
    await world.stop();
  }
}

async function runBaseline(index: number, ticked: boolean): Promise<FaultWorld> {
  const world = await new FaultWorld({ index, ticked, requestTimeoutMs: REQUEST_TIMEOUT_MS }).start();
  await world.receive("pull_request", world.openedPayload());
  await world.stop();
  return world;
}

/** Attempts grouped by request (method, path, query and body): the retries of one request. */
function byRequest(attempts: Attempt[]): Attempt[][] {
  const groups = new Map<string, Attempt[]>();
  for (const attempt of attempts) groups.set(attempt.key, [...(groups.get(attempt.key) ?? []), attempt]);
  return [...groups.values()];
}

/**
 * A cell as the docs show it: the outcome (F failing check with the error, D failing check by
 * the decision, N no check written, P passing) and the attempts (requests x the most attempts
 * one of them made, when more than one request met the fault).
 */
function outcomeCell(cell: CellResult): string {
  const newest = cell.world.runs()[0];
  const state = !newest ? "N" : newest.conclusion === "success" ? "P" : newest.title === FAILED_TITLE ? "F" : "D";
  const groups = byRequest(cell.attempts);
  const most = Math.max(0, ...groups.map((g) => g.length));
  return `${state} ${cell.kind.name === "installation token" || groups.length === 1 ? cell.attempts.length : `${groups.length}×${most}`}`;
}

function matrixMarkdown(): string {
  const header = `| Request kind | ${FAULTS.map((f) => f.name).join(" | ")} |`;
  const rule = `|---|${FAULTS.map(() => "---").join("|")}|`;
  const rows = KINDS.map(
    (kind) =>
      `| ${kind.name} | ${FAULTS.map((fault) => outcomeCell(cells.find((c) => c.kind === kind && c.fault === fault)!)).join(" | ")} |`,
  );
  return [header, rule, ...rows].join("\n");
}

/** A PR that passed; then bob requests changes and GitHub refuses every update of the run. */
async function supersede(): Promise<typeof superseded> {
  const world = await new FaultWorld({ index: 9_000, ticked: true, requestTimeoutMs: REQUEST_TIMEOUT_MS }).start();
  try {
    await world.receive("pull_request", world.openedPayload());
    const passed = world.runs()[0]!;
    world.pr.reviews.push({ user: "bob", state: "CHANGES_REQUESTED", commit: world.pr.headSha, association: "MEMBER" });
    const attempts: Attempt[] = [];
    world.inject(
      { method: "PATCH", path: /\/check-runs\/\d+$/, ...faults.status(403, "Resource not accessible by integration") },
      attempts,
    );
    const payload = world.openedPayload();
    payload.action = "synchronize";
    await world.receive("pull_request", payload);
    return { passed, attempts, runs: world.runs(), owner: world.repo.owner };
  } finally {
    await world.stop();
  }
}
let superseded: { passed: FakeCheckRun; attempts: Attempt[]; runs: FakeCheckRun[]; owner: string };

beforeAll(async () => {
  // Everything at once: the cells spend their time waiting for retries.
  const matrix = Promise.all(cells.map((cell, i) => runCell(cell, i + 2)));
  const [ticked, fresh, after] = await Promise.all([runBaseline(0, true), runBaseline(1, false), supersede()]);
  baseline = { ticked, fresh };
  superseded = after;
  await matrix;
  if (process.env.FAULT_MATRIX_OUT) {
    const slowest = [...cells]
      .sort((a, b) => b.ms! - a.ms!)
      .slice(0, 5)
      .map((c) => `- ${c.kind.name} × ${c.fault.name}: ${(c.ms! / 1000).toFixed(1)} s`);
    const attempts = cells.reduce((n, c) => n + c.attempts.length, 0);
    writeFileSync(
      process.env.FAULT_MATRIX_OUT,
      `${matrixMarkdown()}\n\n${cells.length} cells, ${attempts} faulted requests. Slowest cells:\n${slowest.join("\n")}\n`,
    );
  }
}, 600_000);

afterAll(async () => {
  await Promise.all(cells.map((cell) => cell.world?.stop()));
});

describe("without faults (the baseline of every cell)", () => {
  it("the PR with its checklist ticked passes, and its evaluation makes every kind of request but a comment create", () => {
    const w = baseline.ticked;
    expect(w.runs()).toHaveLength(1);
    expect(w.runs()[0]).toMatchObject({ status: "completed", conclusion: "success", title: PASSED_TITLE });
    const kinds = KINDS.filter(
      (k) =>
        w.fake.requests.some((r) => matches(k, r)) ||
        (k.name === "installation token" && w.fake.requests.some((r) => r.path.endsWith("/access_tokens"))),
    );
    expect(kinds.map((k) => k.name)).toEqual(KINDS.filter((k) => k.name !== "comment create").map((k) => k.name));
    expect(w.pr.labels).toEqual(["no-tests-needed", "risk:high"]);
  });

  it("the PR without the app's comment yet fails only for its checklist, and posts the comment", () => {
    const w = baseline.fresh;
    expect(w.runs()[0]).toMatchObject({
      status: "completed",
      conclusion: "failure",
      title: "High risk · missing: checklist (0/1)",
    });
    expect(
      w.fake.requests.filter(
        (r) => KINDS.find((k) => k.name === "comment create")!.rule.path!.test(r.path) && r.method === "POST",
      ),
    ).toHaveLength(1);
  });
});

function matches(kind: RequestKind, r: { method: string; path: string; operation?: string }): boolean {
  if (kind.rule.method && kind.rule.method !== r.method) return false;
  if (kind.rule.path && !kind.rule.path.test(r.path)) return false;
  if (kind.rule.operation && kind.rule.operation !== r.operation) return false;
  return true;
}

describe.each(KINDS.map((kind) => [kind.name, kind] as const))("fault on the %s", (_name, kind) => {
  it.each(FAULTS.map((fault) => [fault.name, fault] as const))(
    "%s: bounded retries, never a pass, blocked with a plain message",
    (_fault, fault) => {
      const cell = cells.find((c) => c.kind === kind && c.fault === fault)!;
      const { world, attempts } = cell;
      const expected = expectedOutcome(kind, fault);

      // The evaluation catches what GitHub does; the delivery fails only when not even a failing
      // check could be written (then it is what shows the failure, in the app's delivery log).
      if (expected.kind === "no check")
        expect((cell.error as Error | undefined)?.message).toMatch(/: no check could be written \(/);
      else expect(cell.error).toBeUndefined();

      // The fault was met, and each request was tried at most maxAttempts times (at least
      // minAttempts for the request retried longest).
      expect(attempts.length).toBeGreaterThan(0);
      const groups = byRequest(attempts);
      if (kind.name === "installation token") {
        // Every token request looks the same; four requests need one (files, snapshot, the run
        // lookup, the failing check), and each is tried at most maxAttempts times.
        expect(attempts.length).toBeLessThanOrEqual(4 * fault.maxAttempts);
      } else {
        for (const group of groups) expect(group.length).toBeLessThanOrEqual(fault.maxAttempts);
        expect(Math.max(...groups.map((g) => g.length))).toBeGreaterThanOrEqual(fault.minAttempts);
      }

      // Rate limits: no retry came sooner than retry-after. (Token requests all look alike, so the
      // retries of one cannot be told from the next request's; their count is bounded above.)
      if (fault.retryAfterMs !== undefined && kind.name !== "installation token") {
        for (const group of groups) {
          for (let i = 1; i < group.length; i++)
            expect(group[i]!.at - group[i - 1]!.at).toBeGreaterThanOrEqual(fault.retryAfterMs - CLOCK_MARGIN_MS);
        }
      }

      const runs = world.runs();
      const newest = runs[0];
      if (expected.kind !== "passing (nothing hidden)") {
        // No run ends passing. A fault while gathering facts never lets a pass be written at all;
        // a failed comment or label write may follow a check written with the (right) decision,
        // which the failure then replaces.
        expect(runs.filter((r) => r.conclusion === "success")).toEqual([]);
        if (READS.includes(kind.name)) expect(world.writtenConclusions()).not.toContain("success");
      }
      switch (expected.kind) {
        case "failing check":
          expect(newest).toMatchObject({
            status: "completed",
            conclusion: "failure",
            title: FAILED_TITLE,
            actions: [expect.objectContaining({ identifier: "reevaluate", label: "Re-evaluate" })],
          });
          expect(newest!.summary).toMatch(expected.message);
          expect(newest!.summary).toContain("Press **Re-evaluate** to try again");
          // A plain message: no stack trace, no token.
          expect(newest!.summary).not.toMatch(/\bat \S+ \(|ghs_|Bearer|token [a-z0-9]/i);
          break;
        case "failing check (decision)":
          expect(newest).toMatchObject({
            status: "completed",
            conclusion: "failure",
            title: expected.title,
            actions: [expect.objectContaining({ identifier: "reevaluate" })],
          });
          break;
        case "passing (nothing hidden)":
          expect(newest).toMatchObject({ status: "completed", conclusion: "success", title: PASSED_TITLE });
          // (The stand-in answered 404 without removing the label; on GitHub it would be gone.)
          expect(world.pr.labels).toContain("risk:high");
          break;
        case "no check":
          expect(runs.filter((r) => r.status === "completed")).toEqual([]);
          break;
      }
    },
  );
});

describe("a passing run that GitHub will not update", () => {
  it("is superseded by a new failing run when a change request arrives and every update of the run fails", () => {
    const { passed, attempts, runs, owner } = superseded;
    expect(passed).toMatchObject({ conclusion: "success", title: PASSED_TITLE });
    expect(attempts.map((a) => a.path)).toEqual([
      `/repos/${owner}/payments/check-runs/${passed.id}`,
      `/repos/${owner}/payments/check-runs/${passed.id}`,
    ]);
    const [newest, old] = runs;
    expect(old).toMatchObject({ id: passed.id, conclusion: "success" });
    expect(newest).toMatchObject({ status: "completed", conclusion: "failure", title: FAILED_TITLE });
    expect(newest!.id).toBeGreaterThan(passed.id);
    expect(newest!.summary).toContain("the app lacks a permission (403) on PATCH");
  });
});

describe("the matrix", () => {
  it(`covers ${KINDS.length} request kinds × ${FAULTS.length} faults, and only 404 on removing a stale label passes`, () => {
    const passing = cells
      .filter((c) => c.world.runs()[0]?.conclusion === "success")
      .map((c) => `${c.kind.name} × ${c.fault.name}`);
    expect(passing).toEqual(["label remove × 404 Not Found"]);
    expect(cells).toHaveLength(KINDS.length * FAULTS.length);
    expect(matrixMarkdown().split("\n")).toHaveLength(KINDS.length + 2);
  });
});
