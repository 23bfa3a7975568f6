import { describe, expect, it } from "@jest/globals";
import { FakeGitHub } from "../support/fake-github.js";
import { mountOnNock, useNock } from "../support/nock-github.js";
import { createTestProbot, examplePayload } from "../support/test-probot.js";

describe("the app on a real pull_request.opened payload", () => {
  useNock();

  it("evaluates a README change as low and writes one check and one label", async () => {
    const fake = new FakeGitHub();
    const payload = examplePayload("pull_request", "opened");
    payload.installation = { id: fake.installationId };
    const repo = fake.addRepository({
      owner: "Codertocat",
      name: "Hello-World",
      ownerType: "User",
      defaultBranch: payload.pull_request.base.ref,
    });
    fake.addPullRequest(repo, {
      number: payload.number,
      headSha: payload.pull_request.head.sha,
      author: { login: payload.pull_request.user.login },
      files: [{ filename: "README.md", status: "modified", additions: 1, deletions: 1 }],
    });
    mountOnNock(fake);
    const probot = createTestProbot();
    await probot.receive({ id: "1", name: "pull_request", payload } as never);

    const runs = fake.checkRunsFor(repo);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: "completed",
      conclusion: "success",
      title: "Low risk · all 1 requirements met",
    });
    expect(repo.pulls.get(payload.number)!.labels).toEqual(["risk:low"]);
    expect(fake.writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      "POST /repos/Codertocat/Hello-World/check-runs",
      "POST /repos/Codertocat/Hello-World/labels",
      "POST /repos/Codertocat/Hello-World/issues/2/labels",
    ]);

    // The same delivery again changes nothing, so it writes nothing.
    const before = fake.writes().length;
    await probot.receive({ id: "1", name: "pull_request", payload } as never);
    expect(fake.writes()).toHaveLength(before);
  });
});
