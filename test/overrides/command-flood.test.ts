/**
 * Issue 19 item 9: every outsider's comment must not cost a full evaluation and a write. Commands
 * of one PR arriving together share one evaluation (src/webhooks/command-batches.ts), applied in
 * comment order; a refusal is shown at most once per person and head (src/overrides/transition.ts).
 */
import { describe, expect, it } from "@jest/globals";
import { nextOverrideState, type TransitionInput } from "../../src/overrides/transition.js";
import { MAX_REFUSED_SHOWN, type ChecklistState } from "../../src/state/checklist-state.js";
import { CommandBatches, MAX_BATCH } from "../../src/webhooks/command-batches.js";
import type { CommandInput } from "../../src/overrides/transition.js";
import type { FakePullRequest } from "../support/fake-github.js";
import { FILES, POLICY, sha, useFakeGitHubNetwork, World } from "../github/harness.js";

useFakeGitHubNetwork();

const REASON = "INC-42 hotfix";
let nextCommentId = 970_000;

function world(): World {
  const w = new World({
    policy: POLICY + "overrides:\n  users: [cto]\n",
    captureLogs: true,
    ownerType: "Organization",
  });
  w.repo.collaborators = { cto: "admin", dev: "write" };
  return w;
}

/** A command comment on the PR, and its delivery (not awaited: the caller decides). */
function command(w: World, pr: FakePullRequest, body: string, author: string) {
  const id = ++nextCommentId;
  pr.comments.push({ id, body, user: author, byApp: false });
  return { id, deliver: () => w.receive("issue_comment", w.commentCreatedEvent(pr, { id, body, author })) };
}

const evaluations = (w: World, mark: number) =>
  w.since(mark).filter((r) => r.operation === "GuardrailsPullRequest").length;
const auditLines = (w: World) => w.logs.filter((l) => typeof l.audit === "string").map((l) => l.audit);

describe("commands arriving together share one evaluation", () => {
  it("12 commands delivered at once cost at most 2 evaluations, 2 permission lookups and 1 write", async () => {
    const w = world();
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const mark = w.mark();
    // The example payload's association is OWNER, taken at its word: the webhook lets them through.
    const flood = Array.from({ length: 12 }, (_, i) =>
      command(w, pr, `/guardrails override ${REASON} ${i}`, "mallory"),
    );
    await Promise.all(flood.map((c) => c.deliver()));
    expect(evaluations(w, mark)).toBeLessThanOrEqual(2);
    expect(w.calls(mark).filter((c) => c.includes("/collaborators/mallory/permission")).length).toBeLessThanOrEqual(2);
    expect(w.writesSince(mark).map((r) => `${r.method} ${r.path}`)).toHaveLength(1);
    expect(w.signedState(pr).refused).toMatchObject({ by: "mallory", code: "not_allowed" });
    // Every command is still refused in the audit trail, each once.
    expect(auditLines(w).filter((a) => a === "override_refused")).toHaveLength(12);
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  });

  it("a grant and its withdrawal handled in one evaluation apply in comment order, whatever the arrival order", async () => {
    const w = world();
    const pr = w.addPullRequest({ number: 3, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    await new Promise((resolve) => setTimeout(resolve, 15));
    const grant = command(w, pr, `/guardrails override ${REASON}`, "cto");
    const off = command(w, pr, "/guardrails override off", "cto");
    const mark = w.mark();
    // A re-evaluation keeps the PR's queue busy, so both commands wait together; the `off` arrives first.
    const busy = w.receive("pull_request", w.pullRequestEvent("labeled", pr));
    await Promise.all([busy, off.deliver(), grant.deliver()]);
    expect(evaluations(w, mark)).toBeLessThanOrEqual(2);
    const state = w.signedState(pr);
    expect(state.override).toBeUndefined();
    expect(state.ended).toMatchObject({ how: "withdrawn", endedBy: "cto", endedByComment: off.id });
    expect(auditLines(w).filter((a) => a !== "override_refused")).toEqual(["override", "override_withdrawn"]);
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  });
});

describe("a refusal is shown at most once per person and head", () => {
  it("an allowed person's two different mistakes on one head write the comment once", async () => {
    const w = world();
    const pr = w.addPullRequest({ number: 4, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    await new Promise((resolve) => setTimeout(resolve, 15));
    await command(w, pr, "/guardrails override", "cto").deliver();
    expect(w.signedState(pr).refused).toMatchObject({ by: "cto", code: "no_reason" });
    const mark = w.mark();
    await command(w, pr, `/guardrails override ${sha("elsewhere").slice(0, 7)} ${REASON}`, "cto").deliver();
    expect(w.writesSince(mark)).toEqual([]);
    expect(w.logs.filter((l) => l.audit === "override_refused").map((l) => l.refusal)).toEqual([
      "no_reason",
      "other_commit",
    ]);
  });
});

describe("nextOverrideState: refusals shown", () => {
  const HEAD = "a".repeat(40);
  const input = (by: string, commentId: number, extra: Partial<TransitionInput> = {}): TransitionInput => ({
    headSha: HEAD,
    baseBranch: "main",
    author: "dev",
    policies: [{ origin: "repository", overrides: { users: ["cto"], teams: [], allow_author: false } }],
    now: "2026-12-04T10:00:00Z",
    headEvaluatedSince: "2026-12-04T09:00:00Z",
    command: { command: { kind: "no_reason" }, by, isBot: false, commentId, at: "2026-12-04T09:30:00Z" },
    authorization: { ok: true, via: ["user"] },
    ...extra,
  });
  const refuse = (state: ChecklistState, by: string, id: number, extra: Partial<TransitionInput> = {}) =>
    nextOverrideState(state, input(by, id, extra));

  it("each person's first refusal on a head is shown; the next ones change nothing but are still events", () => {
    const first = refuse({ ticks: {} }, "cto", 1);
    expect(first.state.refused).toMatchObject({ by: "cto", code: "no_reason" });
    expect(first.state.refusedOn).toEqual({ head: HEAD, by: ["cto"] });
    const again = refuse(first.state, "CTO", 2, {
      command: { command: { kind: "withdraw" }, by: "CTO", isBot: false, commentId: 2, at: "2026-12-04T09:31:00Z" },
    });
    expect(again.events.map((e) => e.kind)).toEqual(["override_refused"]);
    expect(again.state).toEqual(first.state);
    const other = refuse(first.state, "mallory", 3);
    expect(other.state.refused).toMatchObject({ by: "mallory" });
    expect(other.state.refusedOn?.by).toEqual(["cto", "mallory"]);
  });

  it("a new head shows a person's refusal again; a state from before refusedOn counts its shown refusal", () => {
    const first = refuse({ ticks: {} }, "cto", 1);
    const moved = refuse(first.state, "cto", 2, { headSha: "b".repeat(40) });
    expect(moved.state.refused).toMatchObject({ head: "b".repeat(40), commentId: 2 });
    const { refusedOn: _, ...older } = first.state;
    expect(refuse(older, "cto", 3).state).toEqual(older);
  });

  it(`shows at most ${MAX_REFUSED_SHOWN} people's refusals on one head`, () => {
    let state: ChecklistState = { ticks: {} };
    for (let i = 0; i < MAX_REFUSED_SHOWN + 5; i++) state = refuse(state, `user${i}`, i + 1).state;
    expect(state.refusedOn?.by).toHaveLength(MAX_REFUSED_SHOWN);
    expect(state.refused?.by).toBe(`user${MAX_REFUSED_SHOWN - 1}`);
  });
});

describe("CommandBatches", () => {
  const cmd = (commentId: number): CommandInput => ({
    command: { kind: "withdraw" },
    by: "x",
    isBot: false,
    commentId,
    at: "2026-12-04T09:30:00Z",
  });

  it("a batch takes commands until its job starts, at most MAX_BATCH; the rest open the next batch", async () => {
    const batches = new CommandBatches();
    const runs: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const schedule = (take: () => CommandInput[]) =>
      gate.then(() => {
        const taken = take().map((c) => c.commentId);
        runs.push(taken);
        return taken.length;
      });
    const results = Array.from({ length: MAX_BATCH + 5 }, (_, i) => batches.add("pr", cmd(i), schedule));
    release();
    expect(await Promise.all(results)).toEqual([
      ...Array<number>(MAX_BATCH).fill(MAX_BATCH),
      ...Array<number>(5).fill(5),
    ]);
    expect(runs.map((r) => r.length)).toEqual([MAX_BATCH, 5]);
    // Once started, a batch takes nothing more: a later command runs in a batch of its own.
    expect(await batches.add("pr", cmd(99), (take) => Promise.resolve(take().length))).toBe(1);
  });
});
