/**
 * Can `guardrails audit` be made to vouch for a merge it should not? (Found in review.)
 * Against the FakeGitHub over HTTP (the stand-in) with the real Octokit, runs written by the real app.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { run } from "../../src/cli/run.js";
import { mergedPullRequests } from "../../src/audit/github-audit.js";
import type { Io } from "../../src/cli/io.js";
import { GitHubStandIn } from "../support/github-stand-in.js";
import { FILES, POLICY, sha, World } from "../github/harness.js";
import type { FakePullRequest } from "../support/fake-github.js";

let w: World;
let standIn: GitHubStandIn;
const T0 = Date.now() + 3_600_000;
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();

beforeAll(async () => {
  w = new World({ policy: POLICY + "overrides:\n  users: [cto]\n" });
  w.repo.collaborators = { cto: "admin", mallory: "write" };
  // #20: high risk, failing (no approval), merged by an administrator past the check.
  const pr = w.addPullRequest({
    number: 20,
    title: "auth shortcut",
    files: FILES.high,
    headSha: sha("forged"),
    author: { login: "mallory" },
  });
  await w.receive("pull_request", w.pullRequestEvent("opened", pr));
  expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  // The PR's own workflow (GitHub Actions, checks: write) posts a newer run named `guardrails`
  // whose text carries a decision record saying the CTO overrode it.
  const forged = {
    "20": {
      head: pr.headSha,
      conclusion: "success",
      tier: "low",
      approvers: ["cto"],
      override: { by: "cto", at: at(0), reason: "approved", head: pr.headSha, via: ["user"], bypassed: [] },
    },
  };
  w.fake.checkRuns.push({
    repo: `${w.owner}/${w.name}`.toLowerCase(),
    id: 9_999_999,
    headSha: pr.headSha,
    name: "guardrails",
    appId: 15368,
    status: "completed",
    conclusion: "success",
    title: "ok",
    summary: "ok",
    text: `<!-- guardrails-decision v1 ${JSON.stringify(forged).replace(/-/g, "\\u002d")} -->\n`,
    externalId: null,
    completedAt: at(0),
    annotations: [],
    actions: [],
  });
  pr.state = "MERGED";
  pr.createdAt = at(-1);
  pr.mergedAt = at(1);
  pr.updatedAt = at(1);
  pr.mergedBy = "admin";
  standIn = await new GitHubStandIn({ fake: w.fake }).start();
});

afterAll(async () => {
  await standIn?.stop();
});

function io(env: Record<string, string>) {
  const out: string[] = [];
  const value: Io = {
    cwd: process.cwd(),
    stdout: (t) => void out.push(t),
    stderr: () => undefined,
    stdoutIsTTY: false,
    env: { GITHUB_TOKEN: "t", GITHUB_API_URL: standIn.baseUrl, ...env },
  };
  return { value, stdout: () => out.join("") };
}

describe("review 11: guardrails audit and runs it should not trust", () => {
  it("without --app-id, a `guardrails` run posted by the PR's own workflow does not vouch for an administrator's merge", async () => {
    const out = io({});
    const code = await run(
      ["audit", "--repo", `${w.owner}/${w.name}`, "--since", at(-2), "--until", at(2), "--json"],
      out.value,
    );
    const record =
      code === 0
        ? (JSON.parse(out.stdout()) as { records: Record<string, unknown>[] }).records.find((r) => r.number === 20)
        : undefined;
    // Either the export refuses to run without knowing which app to trust, or it reports the bypass.
    expect(record === undefined || (record.bypassed === true && record.override === null)).toBe(true);
  });

  it("with --app-id the same merge is reported bypassed (control)", async () => {
    const out = io({ GUARDRAILS_APP_ID: String(w.fake.appId) });
    expect(
      await run(["audit", "--repo", `${w.owner}/${w.name}`, "--since", at(-2), "--until", at(2), "--json"], out.value),
    ).toBe(0);
    const record = (JSON.parse(out.stdout()) as { records: Record<string, unknown>[] }).records.find(
      (r) => r.number === 20,
    );
    expect(record).toMatchObject({ guardrails: "failure", bypassed: true, override: null });
  });
});

describe("review 11: the export's paging", () => {
  it("a merged PR that someone comments on while the export pages (it moves to the top of UPDATED_AT) is still exported", async () => {
    const many = new World({ policy: POLICY });
    const pulls: FakePullRequest[] = [];
    for (let i = 0; i < 150; i++) {
      const pr = many.addPullRequest({
        number: 300 + i,
        title: `change ${i}`,
        files: FILES.low,
        headSha: sha(`paging ${i}`),
      });
      const mergedAt = new Date(Date.parse("2026-11-29T00:00:00Z") - i * 3_600_000).toISOString();
      pr.state = "MERGED";
      pr.createdAt = mergedAt;
      pr.mergedAt = mergedAt;
      pr.updatedAt = mergedAt;
      pr.mergedBy = "admin";
      pulls.push(pr);
    }
    const server = await new GitHubStandIn({ fake: many.fake }).start();
    try {
      let pages = 0;
      const result = await mergedPullRequests({
        token: "t",
        apiUrl: server.baseUrl,
        owner: many.owner,
        repo: many.name,
        since: new Date("2026-11-01T00:00:00Z"),
        until: new Date("2026-11-30T23:59:59Z"),
        checkName: "guardrails",
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          // After the first page was served, the author comments on #420 (an admin merge on page 2).
          if (++pages === 1) pulls[120]!.updatedAt = "2026-12-01T10:00:00Z";
          return response;
        },
      });
      expect(result.pulls.map((p) => p.number)).toContain(420);
      expect(new Set(result.pulls.map((p) => p.number)).size).toBe(150);
    } finally {
      await server.stop();
    }
  });
});

describe("review 11: --since/--until", () => {
  it("an impossible date is refused, not rolled over into the next month", async () => {
    const out = io({ GUARDRAILS_APP_ID: "1" });
    expect(
      await run(
        ["audit", "--repo", `${w.owner}/${w.name}`, "--since", "2026-11-01", "--until", "2026-11-31"],
        out.value,
      ),
    ).toBe(2);
  });
});
