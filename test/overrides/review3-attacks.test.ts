/**
 * Attacker review 3 of the fixes after 908a5ff (pending-withdrawal scan, `withdrawal_unknown`,
 * the overrider re-checked in every evaluation, synchronize never joined).
 *
 * - A: a refused `off` handled by an evaluation hides an allowed person's pending `off` (the scan is
 *   skipped whenever the evaluation handles any `off`): the PR's author writes `off` after an
 *   allowed person's `off` whose evaluation failed, and the check is green again.
 * - B: the scan's order by `authorAssociation` is not a safe signal: an allowed team member whose
 *   organisation membership is private shows as CONTRIBUTOR (src/webhooks/commenter-access.ts says
 *   so), and any organisation member, read-only included, shows as MEMBER.
 * - C: `withdrawalsUnseen` judged on the state the evaluation started from ends an override given
 *   in the same evaluation when another command follows it.
 * - D: every synchronize was its own evaluation: a fork author's burst of pushes was no longer
 *   coalesced (principle 7, bounded under attack); pushes now join only a queued push's evaluation.
 */
import { describe, expect, it } from "@jest/globals";
import type { FakePullRequest } from "../support/fake-github.js";
import { FILES, POLICY, sha, useFakeGitHubNetwork, World } from "../github/harness.js";

useFakeGitHubNetwork();

const REASON = "INC-42: payments down, hotfix approved on the bridge call";
const OVERRIDES = "overrides:\n  users: [cto, author-admin]\n  teams: [sre-oncall]\n";
let nextCommentId = 960_000;

/** Writes the comment on the fake (with the association GraphQL shows) and, unless told, delivers it. */
async function comment(
  w: World,
  pr: FakePullRequest,
  body: string,
  author: string,
  options: { deliver?: boolean; association?: string } = {},
) {
  const id = ++nextCommentId;
  pr.comments.push({
    id,
    body,
    user: author,
    byApp: false,
    ...(options.association ? { association: options.association } : {}),
  });
  if (options.deliver !== false)
    await w.receive(
      "issue_comment",
      w.commentCreatedEvent(pr, {
        id,
        body,
        author,
        ...(options.association ? { association: options.association } : {}),
      }),
    );
  return id;
}

const label = (w: World, pr: FakePullRequest) =>
  w.receive(
    "pull_request",
    w.pullRequestEvent("labeled", pr, (p) => (p.label!.name = "bug")),
  );
const failPermissionOf = (w: World, login: string, times = 1) => {
  for (let i = 0; i < times; i++)
    w.fake.failNext((r) => r.path.endsWith(`/collaborators/${login}/permission`), { status: 502 });
};

/** A failing high-risk PR by author-admin (admin; the policy does not allow authors), overridden by cto. */
async function overridden() {
  const w = new World({ policy: POLICY + OVERRIDES, captureLogs: true, ownerType: "Organization" });
  w.repo.collaborators = {
    cto: "write",
    "author-admin": "admin",
    oncaller: "write",
    reader1: "read",
    reader2: "read",
    reader3: "read",
  };
  w.repo.teams = { "sre-oncall": ["oncaller"] };
  const pr = w.addPullRequest({ number: 2, files: FILES.high, author: { login: "author-admin" } });
  await w.receive("pull_request", w.pullRequestEvent("opened", pr));
  expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  await comment(w, pr, `/guardrails override ${REASON}`, "cto");
  expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
  return { w, pr };
}

describe("A: a refused `off` handled by an evaluation does not hide an allowed person's pending `off`", () => {
  it("cto's `off` fails to evaluate; the author's own `off` (refused) must not bring the pass back", async () => {
    const { w, pr } = await overridden();
    failPermissionOf(w, "cto");
    await comment(w, pr, "/guardrails override off", "cto");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    // The author (write access: the webhook lets the command through) writes `off` too: refused (author).
    await comment(w, pr, "/guardrails override off", "author-admin");
    expect(w.signedState(pr).override).toBeUndefined();
    expect(w.signedState(pr).ended).toMatchObject({ how: "withdrawn", endedBy: "cto" });
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  });

  it("control: an allowed person's own `off` in the evaluation withdraws as before, with no refusal shown", async () => {
    const { w, pr } = await overridden();
    await comment(w, pr, "/guardrails override off", "cto");
    expect(w.signedState(pr).ended).toMatchObject({ how: "withdrawn", endedBy: "cto" });
    expect(w.signedState(pr).refused).toBeUndefined();
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  });
});

describe("B: likely writers by authorAssociation cannot push an allowed person's `off` out", () => {
  it("a team member with private membership (CONTRIBUTOR) is not pushed out of the lookups by three outsiders' `off`", async () => {
    const { w, pr } = await overridden();
    // The webhook's own lookup and the evaluation's both fail: the evaluation fails closed.
    failPermissionOf(w, "oncaller", 2);
    await comment(w, pr, "/guardrails override off", "oncaller", { association: "CONTRIBUTOR" });
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    for (const troll of ["troll1", "troll2", "troll3"])
      await comment(w, pr, "/guardrails override off", troll, { deliver: false, association: "NONE" });
    await label(w, pr);
    expect(w.signedState(pr).ended).toMatchObject({ how: "withdrawn", endedBy: "oncaller" });
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  });

  it("three read-only organisation members (MEMBER) do not push a listed user's `off` out of the lookups", async () => {
    const { w, pr } = await overridden();
    failPermissionOf(w, "cto");
    await comment(w, pr, "/guardrails override off", "cto");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    for (const reader of ["reader1", "reader2", "reader3"])
      await comment(w, pr, "/guardrails override off", reader, { deliver: false, association: "MEMBER" });
    await label(w, pr);
    expect(w.signedState(pr).ended).toMatchObject({ how: "withdrawn", endedBy: "cto" });
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  });
});

describe("B: more possibly allowed people wrote `off` than are looked up", () => {
  it("five outsiders' `off` after a private team member's: nobody allowed among the five looked up, so the override ends", async () => {
    const { w, pr } = await overridden();
    failPermissionOf(w, "oncaller", 2);
    await comment(w, pr, "/guardrails override off", "oncaller", { association: "CONTRIBUTOR" });
    for (const troll of ["troll1", "troll2", "troll3", "troll4", "troll5"])
      await comment(w, pr, "/guardrails override off", troll, { deliver: false, association: "NONE" });
    const mark = w.mark();
    await label(w, pr);
    expect(w.signedState(pr).override).toBeUndefined();
    expect(w.signedState(pr).ended).toMatchObject({ how: "withdrawal_unknown", by: "cto" });
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    // Bounded: five people's access at most (and the overrider's re-check).
    expect(w.calls(mark).filter((c) => c.includes("/permission")).length).toBeLessThanOrEqual(6);
  });
});

describe("B, controls: the same `off` without the other comments is found", () => {
  it("a private team member's failed `off` (CONTRIBUTOR) is applied by the next evaluation", async () => {
    const { w, pr } = await overridden();
    failPermissionOf(w, "oncaller", 2);
    await comment(w, pr, "/guardrails override off", "oncaller", { association: "CONTRIBUTOR" });
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    await label(w, pr);
    expect(w.signedState(pr).ended).toMatchObject({ how: "withdrawn", endedBy: "oncaller" });
  });

  it("cto's failed `off` is applied though two read-only members wrote `off` after it", async () => {
    const { w, pr } = await overridden();
    failPermissionOf(w, "cto");
    await comment(w, pr, "/guardrails override off", "cto");
    for (const reader of ["reader1", "reader2"])
      await comment(w, pr, "/guardrails override off", reader, { deliver: false, association: "MEMBER" });
    await label(w, pr);
    expect(w.signedState(pr).ended).toMatchObject({ how: "withdrawn", endedBy: "cto" });
  });
});

describe("C: an override given in an evaluation is judged on its own comments", () => {
  it("a stale override (its grant out of the last 100) ends, and a new grant in the same evaluation holds though a command follows it", async () => {
    const { w, pr } = await overridden();
    for (let i = 0; i < 101; i++) await comment(w, pr, `chatter ${i}`, `someone${i}`, { deliver: false });
    await new Promise((resolve) => setTimeout(resolve, 15));
    // A re-evaluation that fails before its snapshot keeps the PR's queue busy (and the state as it was),
    // so cto's new grant and the author's refused command share the next evaluation.
    w.fake.failNext((r) => r.path === "/graphql", { status: 502 });
    const busy = label(w, pr);
    await Promise.all([
      busy,
      comment(w, pr, `/guardrails override ${REASON} (again)`, "cto"),
      comment(w, pr, `/guardrails override please`, "author-admin"),
    ]);
    const state = w.signedState(pr);
    expect(state.override).toMatchObject({ by: "cto", reason: `${REASON} (again)` });
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
  });
});

describe("D: a fork author's burst of pushes", () => {
  it("8 synchronize events by the author delivered at once cost at most 3 evaluations", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 5, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const mark = w.mark();
    const pushes = Array.from({ length: 8 }, (_, i) => {
      const before = pr.headSha;
      pr.headSha = sha(`author's push ${i}`);
      return w.pullRequestEvent("synchronize", pr, (p) => {
        (p as unknown as { before: string }).before = before;
        (p as unknown as { sender: { login: string; type: string } }).sender.login = pr.author.login;
      });
    });
    await Promise.all(pushes.map((p) => w.receive("pull_request", p)));
    const evaluations = w.since(mark).filter((r) => r.operation === "GuardrailsPullRequest").length;
    expect(evaluations).toBeLessThanOrEqual(3);
  });
});

describe("what held: the re-read's cost", () => {
  it("97 people's `off` comments (teams listed: anyone may be allowed) cost at most 5 lookups beyond the overrider's, and end the override (fail closed)", async () => {
    const { w, pr } = await overridden();
    for (let i = 0; i < 97; i++)
      await comment(w, pr, "/guardrails override off", `outsider${i}`, { deliver: false, association: "NONE" });
    const mark = w.mark();
    await label(w, pr);
    const lookups = w.calls(mark).filter((c) => c.includes("/permission"));
    expect(lookups.filter((c) => !c.includes("/collaborators/cto/"))).toHaveLength(5);
    expect(w.signedState(pr).ended).toMatchObject({ how: "withdrawal_unknown", by: "cto" });
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  });

  it("control: four people's `off` comments are all looked up, and the override holds", async () => {
    const { w, pr } = await overridden();
    for (let i = 0; i < 4; i++)
      await comment(w, pr, "/guardrails override off", `outsider${i}`, { deliver: false, association: "NONE" });
    await label(w, pr);
    expect(w.signedState(pr).override).toMatchObject({ by: "cto" });
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
  });
});
