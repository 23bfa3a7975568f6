/**
 * Issue 19 item 9: every outsider's `/guardrails` comment cost a full evaluation (32 requests on a
 * 3000-file PR), so a few accounts commenting in a loop spent an installation's budget. A command
 * from someone without write access is refused before any evaluation: at most one permission
 * lookup per person a minute (none for OWNER/MEMBER/COLLABORATOR, who are evaluated, nor for a
 * MANNEQUIN), nothing said on GitHub, a log line and a metric.
 */
import { describe, expect, it } from "@jest/globals";
import { overridesRefused } from "../../src/metrics/metrics.js";
import type { FakePullRequest } from "../support/fake-github.js";
import { FILES, POLICY, useFakeGitHubNetwork, World } from "../github/harness.js";

useFakeGitHubNetwork();

const OVERRIDES = "overrides:\n  users: [cto]\n";
let nextCommentId = 970_000;

function world(): World {
  const w = new World({ policy: POLICY + OVERRIDES, captureLogs: true, ownerType: "Organization" });
  w.repo.collaborators = { cto: "admin" };
  return w;
}

async function command(w: World, pr: FakePullRequest, author: string, association: string, body: string) {
  const id = ++nextCommentId;
  pr.comments.push({ id, body, user: author, byApp: false });
  await w.receive("issue_comment", w.commentCreatedEvent(pr, { id, body, author, association }));
}

const refusedCount = async (reason: string) =>
  (await overridesRefused.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

describe("an outsider's command costs no evaluation", () => {
  it.each(["NONE", "FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR", "CONTRIBUTOR"])(
    "commands by %s accounts without write access cost one permission lookup per person a minute, no evaluation, nothing on GitHub",
    async (association) => {
      const w = world();
      const pr = w.addPullRequest({ number: 2, files: FILES.high });
      await w.receive("pull_request", w.pullRequestEvent("opened", pr));
      const before = await refusedCount("association");
      const mark = w.mark();
      for (let i = 0; i < 3; i++)
        await command(w, pr, `drive-by-${i}`, association, `/guardrails override INC-${i} urgent fix`);
      for (let i = 0; i < 3; i++) await command(w, pr, "drive-by-0", association, "/guardrails override off");
      expect(w.calls(mark)).toEqual([0, 1, 2].map((i) => `GET ${w.base}/collaborators/drive-by-${i}/permission`));
      expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
      expect(await refusedCount("association")).toBe(before + 6);
      const lines = w.logs.filter((l) => l.msg === "override command refused: the commenter cannot have write access");
      expect(lines).toHaveLength(6);
      expect(lines[0]).toMatchObject({ by: "drive-by-0", authorAssociation: association, pr: 2 });
    },
  );

  it("a command by a MANNEQUIN (an imported placeholder) is refused with 0 GitHub requests", async () => {
    const w = world();
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const before = await refusedCount("mannequin");
    const mark = w.mark();
    await command(w, pr, "imported", "MANNEQUIN", "/guardrails override INC-1 urgent fix");
    expect(w.calls(mark)).toEqual([]);
    expect(await refusedCount("mannequin")).toBe(before + 1);
  });

  it.each(["OWNER", "MEMBER", "COLLABORATOR"])(
    "a command by an %s is evaluated (they may have write access)",
    async (association) => {
      const w = world();
      const pr = w.addPullRequest({ number: 2, files: FILES.high });
      await w.receive("pull_request", w.pullRequestEvent("opened", pr));
      await command(w, pr, "cto", association, "/guardrails override INC-42 hotfix");
      expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
    },
  );

  // GitHub computes the payload's association without a viewer: a member whose membership of the
  // organisation is private, with write access through a team, arrives as CONTRIBUTOR or NONE.
  it.each(["NONE", "CONTRIBUTOR"])(
    "an allowed person with write access whose payload says %s (private membership) can still override and withdraw",
    async (association) => {
      const w = world();
      const pr = w.addPullRequest({ number: 2, files: FILES.high });
      await w.receive("pull_request", w.pullRequestEvent("opened", pr));
      await command(w, pr, "cto", association, "/guardrails override INC-42 hotfix");
      expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
      await command(w, pr, "cto", association, "/guardrails override off");
      expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    },
  );
});
