/**
 * The sticky checklist comment: written once for a PR that needs a checklist, found again and
 * updated in place, ticked through issue_comment.edited by people with write access only, and
 * its ticks (with who ticked) carried through later re-renders into the check's audit trail.
 */
import { describe, expect, it } from "@jest/globals";
import {
  bodyOf,
  checkWrites,
  CHECKLIST,
  completedCheck,
  FILES,
  POLICY,
  POLICY_PATH,
  sha,
  sorted,
  useFakeGitHubNetwork,
  World,
} from "./harness.js";
import type { FakeComment, FakePullRequest } from "../support/fake-github.js";

useFakeGitHubNetwork();

const MARKER = "<!-- guardrails:checklist -->";
const STATE = /\n<!-- guardrails:state [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+ -->$/;
const TICKED_AT = "2026-11-23T12:00:00Z";

/** A high PR #2 evaluated once: it has the app's comment. */
async function highPullRequest() {
  const w = new World({ policy: POLICY });
  w.repo.collaborators = { alice: "write", maria: "maintain", bob: "read" };
  const pr = w.addPullRequest({ number: 2, files: FILES.high });
  await w.receive("pull_request", w.pullRequestEvent("opened", pr));
  const comment = pr.comments[0]!;
  const run = w.checkRuns()[0]!;
  return { w, pr, comment, run };
}

/** What a person's tick of `item` turns the comment body into (GitHub keeps the edited body). */
function tick(body: string, item: string): string {
  const edited = body.replace(`- [ ] ${item}`, `- [x] ${item}`);
  expect(edited).not.toBe(body);
  return edited;
}

/** Edits the comment on the fake (as GitHub would) and delivers the edit event. */
async function editComment(
  w: World,
  pr: FakePullRequest,
  comment: FakeComment,
  body: string,
  editor: string,
  editorType: "User" | "Bot" = "User",
) {
  const previous = comment.body;
  comment.body = body;
  const mark = w.mark();
  await w.receive(
    "issue_comment",
    w.commentEditedEvent(pr, { id: comment.id, body: previous }, { body, editor, editorType, at: TICKED_AT }),
  );
  return mark;
}

describe("the checklist comment", () => {
  it("a high PR gets exactly one comment with the checklist as a task list, updated in place and never duplicated", async () => {
    const { w, pr, comment } = await highPullRequest();
    const posted = w.since().filter((r) => r.path.endsWith("/comments"));
    expect(posted.map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${w.base}/issues/2/comments`]);
    const body = String(bodyOf(posted[0]).body);
    expect(Object.keys(bodyOf(posted[0]))).toEqual(["body"]);
    expect(body.replace(STATE, "")).toBe(
      [
        MARKER,
        "### Guardrails checklist · high risk",
        "",
        "Tick each item once it is true; Guardrails re-evaluates the PR when you do. Only people with write access can tick, and the check records who did.",
        "",
        `- [ ] ${CHECKLIST[0]}`,
        `- [ ] ${CHECKLIST[1]}`,
        "",
      ].join("\n"),
    );
    expect(body).toMatch(STATE);
    expect(comment.body).toBe(body);

    // A new push: a new check run for the new head, the same comment left alone.
    pr.headSha = sha("second push");
    const mark = w.mark();
    await w.receive("pull_request", w.pullRequestEvent("synchronize", pr));
    expect(sorted(w.calls(mark))).toEqual(
      sorted([
        `GET ${w.base}/pulls/2/files?page=1`,
        "POST /graphql GuardrailsPullRequest",
        `POST ${w.base}/check-runs`,
      ]),
    );
    expect(pr.comments).toEqual([comment]);
  });

  it("a PR that needs no checklist gets no comment", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.low });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.since().filter((r) => r.path.includes("/comments"))).toEqual([]);
    expect(pr.comments).toEqual([]);
    expect(w.checkRuns()[0]).toMatchObject({ conclusion: "success", title: "Low risk · all 1 requirements met" });
  });

  it("is found again among hundreds of comments and not posted twice", async () => {
    const { w, pr, comment } = await highPullRequest();
    const people = (from: number) =>
      Array.from({ length: 150 }, (_, i) => ({
        id: 50_000 + from + i,
        body: `comment ${from + i}`,
        user: "Codertocat",
        byApp: false,
      }));
    pr.comments = [...people(0), comment, ...people(150)];
    const mark = w.mark();
    await w.receive(
      "pull_request",
      w.pullRequestEvent("labeled", pr, (p) => (p.label!.name = "bug")),
    );
    expect(sorted(w.calls(mark))).toEqual(
      sorted([
        `GET ${w.base}/pulls/2/files?page=1`,
        "POST /graphql GuardrailsPullRequest",
        "POST /graphql GuardrailsComments",
      ]),
    );
    expect(pr.comments).toHaveLength(301);
  });

  it("says it is no longer needed when the tier drops to one without a checklist", async () => {
    const { w, pr, comment } = await highPullRequest();
    pr.files = FILES.low;
    pr.headSha = sha("docs only now");
    const mark = w.mark();
    await w.receive("pull_request", w.pullRequestEvent("synchronize", pr));
    const edits = w.since(mark).filter((r) => r.path.includes("/comments"));
    expect(edits.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH ${w.base}/issues/comments/${comment.id}`]);
    expect(String(bodyOf(edits[0]).body).replace(STATE, "")).toBe(
      [MARKER, "### Guardrails checklist", "", "No checklist is required for this pull request any more.", ""].join(
        "\n",
      ),
    );
    expect(pr.comments).toHaveLength(1);
  });

  it("a tick survives the tier going down and back up: the item comes back ticked, by whom it was", async () => {
    const { w, pr, comment } = await highPullRequest();
    await editComment(w, pr, comment, tick(comment.body, CHECKLIST[0]!), "alice");
    const highFiles = pr.files;
    pr.files = FILES.low;
    pr.headSha = sha("docs only for a while");
    await w.receive("pull_request", w.pullRequestEvent("synchronize", pr));
    expect(comment.body).toContain("No checklist is required for this pull request any more.");

    pr.files = highFiles;
    pr.headSha = sha("auth again");
    await w.receive("pull_request", w.pullRequestEvent("synchronize", pr));
    expect(comment.body).toContain(`- [x] ${CHECKLIST[0]} <sub>ticked by @\u200dalice</sub>\n- [ ] ${CHECKLIST[1]}\n`);
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({
      title: "High risk · missing: 1 more approval, checklist (1/2)",
    });
    expect(pr.comments).toHaveLength(1);
  });
});

describe("ticks kept while their item is not required", () => {
  it("an item the policy drops and restores comes back ticked, by whom it was", async () => {
    const { w, pr, comment } = await highPullRequest();
    await editComment(w, pr, comment, tick(tick(comment.body, CHECKLIST[0]!), CHECKLIST[1]!), "alice");
    expect(w.checkRuns(pr.headSha)[0]!.title).toBe("High risk · missing: 1 more approval");

    const push = () => w.receive("push", w.pushEvent("master", [{ modified: [POLICY_PATH] }]));
    w.fake.setPolicy(w.repo, "master", POLICY.replace(`      - ${CHECKLIST[1]}\n`, ""));
    await push();
    expect(comment.body).toContain(`- [x] ${CHECKLIST[0]} <sub>ticked by @\u200dalice</sub>\n\n`);
    expect(comment.body).not.toContain(CHECKLIST[1]);

    w.fake.setPolicy(w.repo, "master", POLICY);
    await push();
    expect(comment.body).toContain(
      `- [x] ${CHECKLIST[0]} <sub>ticked by @\u200dalice</sub>\n- [x] ${CHECKLIST[1]} <sub>ticked by @\u200dalice</sub>\n`,
    );
    expect(w.checkRuns(pr.headSha)[0]!.title).toBe("High risk · missing: 1 more approval");
  });
});

describe("ticking the checklist (issue_comment.edited)", () => {
  it.each([
    ["alice", "write"],
    ["maria", "maintain"],
  ])("a tick by %s (%s) is recorded with who ticked; the comment and the check name them", async (editor) => {
    const { w, pr, comment, run } = await highPullRequest();
    const mark = await editComment(w, pr, comment, tick(comment.body, CHECKLIST[0]!), editor);

    expect(sorted(w.calls(mark))).toEqual(
      sorted([
        `GET ${w.base}/pulls/2/files?page=1`,
        "POST /graphql GuardrailsPullRequest",
        `GET ${w.base}/collaborators/${editor}/permission`,
        `PATCH ${w.base}/issues/comments/${comment.id}`,
        `PATCH ${w.base}/check-runs/${run.id}`,
      ]),
    );
    const rendered = String(bodyOf(w.since(mark).find((r) => r.path.includes("/comments/"))).body);
    expect(rendered).toContain(`- [x] ${CHECKLIST[0]} <sub>ticked by @\u200d${editor}</sub>\n- [ ] ${CHECKLIST[1]}\n`);
    expect(bodyOf(checkWrites(w.since(mark))[0])).toEqual(
      completedCheck({
        conclusion: "failure",
        title: "High risk · missing: 1 more approval, checklist (1/2)",
        externalId: "2",
        summary: [`| ❌ | Checklist <sub>tier:high</sub> | 1 of 2 checklist items ticked (by @\u200d${editor}) |`],
        text: [
          "#### Checklist audit",
          `- ☑ ${CHECKLIST[0]}: ticked by @\u200d${editor} at ${TICKED_AT}`,
          `- ☐ ${CHECKLIST[1]}`,
        ],
      }),
    );

    // The app's own re-render comes back as an edit by its bot: ignored without a call.
    const again = w.mark();
    await w.receive(
      "issue_comment",
      w.commentEditedEvent(
        pr,
        { id: comment.id, body: comment.body },
        { body: rendered, editor: "guardrails[bot]", editorType: "Bot" },
      ),
    );
    expect(w.fake.requests.slice(again)).toEqual([]);
  });

  it.each([
    ["bob", "read access"],
    ["eve", "no access (not a collaborator)"],
  ])("a tick by %s with %s is not counted and the comment is put back", async (editor) => {
    const { w, pr, comment } = await highPullRequest();
    const original = comment.body;
    const mark = await editComment(w, pr, comment, tick(original, CHECKLIST[0]!), editor);

    expect(sorted(w.calls(mark))).toEqual(
      sorted([
        `GET ${w.base}/pulls/2/files?page=1`,
        "POST /graphql GuardrailsPullRequest",
        `GET ${w.base}/collaborators/${editor}/permission`,
        `PATCH ${w.base}/issues/comments/${comment.id}`,
      ]),
    );
    expect(bodyOf(w.since(mark).find((r) => r.method === "PATCH")).body).toBe(original);
    expect(comment.body).toBe(original);
    expect(w.checkRuns()[0]).toMatchObject({ title: "High risk · missing: 1 more approval, checklist (0/2)" });
  });

  it("an edit by a bot is ignored without a GitHub call", async () => {
    const { w, pr, comment } = await highPullRequest();
    const mark = await editComment(w, pr, comment, tick(comment.body, CHECKLIST[0]!), "dependabot[bot]", "Bot");
    expect(w.fake.requests.slice(mark)).toEqual([]);
  });

  it.each([
    ["written by a person", { author: "mallory", viaAppId: null }],
    ["written by another app", { author: "other-app[bot]", viaAppId: 999 }],
  ])("an imitation comment %s is ignored without a GitHub call", async (_name, imitation) => {
    const { w, pr, comment } = await highPullRequest();
    const fake: FakeComment = { id: 77_777, body: comment.body, user: imitation.author, byApp: false };
    pr.comments.push(fake);
    const previous = fake.body;
    fake.body = tick(previous, CHECKLIST[0]!);
    const mark = w.mark();
    await w.receive(
      "issue_comment",
      w.commentEditedEvent(pr, { id: fake.id, body: previous }, { body: fake.body, editor: "alice", ...imitation }),
    );
    expect(w.fake.requests.slice(mark)).toEqual([]);
  });

  it("an imitation whose payload claims the app is still not the app's comment on GitHub: no tick, no write", async () => {
    const { w, pr, comment } = await highPullRequest();
    const fake: FakeComment = { id: 77_777, body: comment.body, user: "mallory", byApp: false };
    pr.comments.push(fake);
    const previous = fake.body;
    fake.body = tick(previous, CHECKLIST[0]!);
    const mark = w.mark();
    await w.receive(
      "issue_comment",
      w.commentEditedEvent(pr, { id: fake.id, body: previous }, { body: fake.body, editor: "alice" }),
    );
    expect(sorted(w.calls(mark))).toEqual(
      sorted([`GET ${w.base}/pulls/2/files?page=1`, "POST /graphql GuardrailsPullRequest"]),
    );
    expect(w.checkRuns()[0]).toMatchObject({ title: "High risk · missing: 1 more approval, checklist (0/2)" });
  });

  it("ticks survive later evaluations and re-renders of the comment", async () => {
    const { w, pr, comment } = await highPullRequest();
    await editComment(w, pr, comment, tick(comment.body, CHECKLIST[0]!), "alice");
    const ticked = comment.body;
    expect(ticked).toContain("<sub>ticked by @\u200dalice</sub>");

    // A new push: the new head's check still counts alice's tick; the comment is unchanged.
    pr.headSha = sha("after the tick");
    let mark = w.mark();
    await w.receive("pull_request", w.pullRequestEvent("synchronize", pr));
    expect(w.since(mark).filter((r) => r.path.includes("/comments"))).toEqual([]);
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({
      title: "High risk · missing: 1 more approval, checklist (1/2)",
    });
    expect(w.checkRuns(pr.headSha)[0]!.text).toContain(`- ☑ ${CHECKLIST[0]}: ticked by @\u200dalice at ${TICKED_AT}`);

    // The policy gains an item: the comment is re-rendered with alice's tick kept.
    const third = "Feature flag is off by default";
    w.fake.setPolicy(
      w.repo,
      "master",
      POLICY.replace(`      - ${CHECKLIST[1]}\n`, `      - ${CHECKLIST[1]}\n      - ${third}\n`),
    );
    mark = w.mark();
    await w.receive("push", w.pushEvent("master", [{ modified: [POLICY_PATH] }]));
    const rerendered = w.since(mark).filter((r) => r.path.includes("/comments/"));
    expect(rerendered).toHaveLength(1);
    expect(String(bodyOf(rerendered[0]).body)).toContain(
      `- [x] ${CHECKLIST[0]} <sub>ticked by @\u200dalice</sub>\n- [ ] ${CHECKLIST[1]}\n- [ ] ${third}\n`,
    );
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({
      title: "High risk · missing: 1 more approval, checklist (1/3)",
    });

    // Ticking the rest (and an approval) passes the check.
    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha });
    await editComment(w, pr, comment, tick(tick(comment.body, CHECKLIST[1]!), third), "alice");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({
      conclusion: "success",
      title: "High risk · all 3 requirements met",
    });
    expect(pr.comments).toHaveLength(1);
  });
});
