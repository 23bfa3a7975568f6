/**
 * Issue 19 item 9: every outsider's `/guardrails` comment cost a full evaluation (32 requests on a
 * 3000-file PR), so a few accounts commenting in a loop spent an installation's budget. A command
 * from someone whose `author_association` can never carry write access is refused from the
 * payload alone: no GitHub request, nothing said on GitHub, a log line and a metric.
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

const refusedByAssociation = async () =>
  (await overridesRefused.get()).values.find((v) => v.labels.reason === "association")?.value ?? 0;

describe("an outsider's command costs nothing", () => {
  it.each(["NONE", "FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR", "CONTRIBUTOR", "MANNEQUIN"])(
    "a command by %s is refused with 0 GitHub requests, logged and counted",
    async (association) => {
      const w = world();
      const pr = w.addPullRequest({ number: 2, files: FILES.high });
      await w.receive("pull_request", w.pullRequestEvent("opened", pr));
      const before = await refusedByAssociation();
      const mark = w.mark();
      for (let i = 0; i < 5; i++)
        await command(w, pr, `drive-by-${i}`, association, `/guardrails override INC-${i} urgent fix`);
      await command(w, pr, "drive-by-0", association, "/guardrails override off");
      expect(w.calls(mark)).toEqual([]);
      expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
      expect(await refusedByAssociation()).toBe(before + 6);
      const lines = w.logs.filter((l) => l.msg === "override command refused: the commenter cannot have write access");
      expect(lines).toHaveLength(6);
      expect(lines[0]).toMatchObject({ by: "drive-by-0", authorAssociation: association, pr: 2 });
    },
  );

  it.each(["OWNER", "MEMBER", "COLLABORATOR"])(
    "a command by an %s is still evaluated (they may have write access)",
    async (association) => {
      const w = world();
      const pr = w.addPullRequest({ number: 2, files: FILES.high });
      await w.receive("pull_request", w.pullRequestEvent("opened", pr));
      await command(w, pr, "cto", association, "/guardrails override INC-42 hotfix");
      expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
    },
  );
});
