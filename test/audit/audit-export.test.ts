/**
 * `guardrails audit` against the project's FakeGitHub over real HTTP (the stand-in, served the way
 * GitHub Enterprise Server serves it), with the real Octokit. The check runs it reads were written
 * by the real app: a period with a passed merge, a failed-then-fixed one, an overridden one, one
 * merged while failing and one merged with no check at all, and merges outside the period.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { run } from "../../src/cli/run.js";
import type { Io } from "../../src/cli/io.js";
import { csvField } from "../../src/audit/merged-pull-requests.js";
import { GitHubStandIn } from "../support/github-stand-in.js";
import { FILES, sha, TEST_APP_ID, World } from "../github/harness.js";
import type { FakePullRequest } from "../support/fake-github.js";

const POLICY = `version: 1
default_tier: medium
rules:
  - name: docs
    tier: low
    paths: ["docs/**"]
  - name: auth
    tier: high
    paths: ["src/auth/**"]
agents:
  authors: ["renovate*"]
  min_tier: low
tiers:
  low: {}
  medium: { approvals: 1 }
  high: { approvals: 1 }
overrides:
  users: [cto]
`;

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

let w: World;
let standIn: GitHubStandIn;
// The merges come after the runs the app wrote (a run completed after a merge does not vouch for it).
const T0 = Date.now() + 3_600_000;
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();
const SINCE = at(-24);
const UNTIL = at(24 * 10);

function merged(pr: FakePullRequest, times: { created: string; merged: string; by?: string }): void {
  pr.state = "MERGED";
  pr.createdAt = times.created;
  pr.mergedAt = times.merged;
  pr.updatedAt = times.merged;
  pr.mergedBy = times.by ?? "maintainer";
}

beforeAll(async () => {
  w = new World({ policy: POLICY });
  w.repo.collaborators = { alice: "write", cto: "admin" };

  // #10 passed: a docs change by an agent.
  const passed = w.addPullRequest({
    number: 10,
    title: "Update the guide",
    files: FILES.low,
    author: { login: "renovate[bot]", isBot: true },
  });
  await w.receive("pull_request", w.pullRequestEvent("opened", passed));
  // #11 failed, then fixed by an approval.
  const fixed = w.addPullRequest({ number: 11, title: "AUTH-7: fix the login redirect", files: FILES.high });
  await w.receive("pull_request", w.pullRequestEvent("opened", fixed));
  expect(w.checkRuns(fixed.headSha)[0]).toMatchObject({ conclusion: "failure" });
  fixed.reviews.push({
    user: "alice",
    state: "APPROVED",
    commit: fixed.headSha,
    association: "MEMBER",
    submittedAt: "2026-11-10T10:00:00Z",
  });
  await w.receive("pull_request_review", w.reviewEvent("submitted", fixed, { user: "alice", state: "APPROVED" }));
  expect(w.checkRuns(fixed.headSha)[0]).toMatchObject({ conclusion: "success" });
  // #12 overridden by the CTO during an incident.
  const overridden = w.addPullRequest({
    number: 12,
    title: "Hotfix: token refresh",
    files: FILES.high,
    headSha: sha("hotfix"),
  });
  await w.receive("pull_request", w.pullRequestEvent("opened", overridden));
  overridden.comments.push({ id: 777, body: "/guardrails override INC-42 payments down", user: "cto", byApp: false });
  await w.receive(
    "issue_comment",
    w.commentCreatedEvent(overridden, { id: 777, body: "/guardrails override INC-42 payments down", author: "cto" }),
  );
  expect(w.checkRuns(overridden.headSha)[0]).toMatchObject({ conclusion: "success" });
  // #13 merged while failing (an administrator's merge).
  const forced = w.addPullRequest({
    number: 13,
    title: '=HYPERLINK("http://x") auth shortcut',
    files: FILES.high,
    headSha: sha("forced"),
  });
  await w.receive("pull_request", w.pullRequestEvent("opened", forced));
  // #14 merged with no guardrails check at all (the app was not installed then).
  const unchecked = w.addPullRequest({
    number: 14,
    title: "Before the app",
    files: FILES.medium,
    headSha: sha("unchecked"),
  });
  // Outside the period, and still open.
  const before = w.addPullRequest({ number: 15, title: "October", files: FILES.low, headSha: sha("october") });
  const after = w.addPullRequest({ number: 16, title: "December", files: FILES.low, headSha: sha("december") });
  w.addPullRequest({ number: 17, title: "Still open", files: FILES.low, headSha: sha("open") });

  merged(passed, { created: at(0), merged: at(1) });
  merged(fixed, { created: at(2), merged: at(28) });
  merged(overridden, { created: at(40), merged: at(40.5), by: "cto" });
  merged(forced, { created: at(50), merged: at(74), by: "admin" });
  merged(unchecked, { created: at(1), merged: at(25) });
  merged(before, { created: at(-24 * 40), merged: at(-24 * 39) });
  merged(after, { created: at(24 * 20), merged: at(24 * 21) });

  standIn = await new GitHubStandIn({ fake: w.fake }).start();
});

afterAll(async () => {
  await standIn?.stop();
});

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const value: Io = {
    cwd: process.cwd(),
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    stdoutIsTTY: false,
    env: { GITHUB_TOKEN: "a-token", GITHUB_API_URL: standIn.baseUrl, GUARDRAILS_APP_ID: String(TEST_APP_ID), ...env },
  };
  return { value, stdout: () => out.join(""), stderr: () => err.join("") };
}

/** The fields of an exported record that the tests read by name (the others are matched as a whole). */
interface AuditRecord {
  number: number;
  bypass_reason?: string;
  head?: string;
  policy?: string | null;
  [field: string]: unknown;
}

const auditRequests = () => standIn.served.filter((r) => r.operation === "GuardrailsAudit");

describe("guardrails audit", () => {
  it("exports one record per PR merged in the period, with the check on its merged head and whether it was bypassed, in one request", async () => {
    const before = auditRequests().length;
    const out = io();
    const code = await run(
      ["audit", "--repo", `${w.owner}/${w.name}`, "--since", SINCE, "--until", UNTIL, "--json"],
      out.value,
    );
    expect({ code, stderr: code === 0 ? "" : out.stderr() }).toEqual({ code: 0, stderr: "" });
    // One page, and one more from the top for PRs updated while it was read (review 11).
    expect(auditRequests().length - before).toBe(2);
    const { records, since, until } = JSON.parse(out.stdout()) as {
      records: AuditRecord[];
      since: string;
      until: string;
    };
    expect([since, until]).toEqual([SINCE, UNTIL]);
    expect(records.map((r) => r.number)).toEqual([10, 14, 11, 12, 13]);
    const by = Object.fromEntries(records.map((r) => [r.number, r]));

    expect(by[10]).toMatchObject({
      guardrails: "success",
      tier: "low",
      agent_authored: true,
      bypassed: false,
      override: null,
      author: "renovate[bot]",
      merged_by: "maintainer",
      base: "master",
    });
    expect(by[11]).toMatchObject({
      title: "AUTH-7: fix the login redirect",
      guardrails: "success",
      tier: "high",
      approvers: ["alice"],
      tickets: ["AUTH-7"],
      bypassed: false,
      agent_authored: false,
    });
    expect(by[12]).toMatchObject({
      guardrails: "success",
      tier: "high",
      bypassed: false,
      merged_by: "cto",
      override: { by: "cto", reason: "INC-42 payments down" },
    });
    expect(by[13]).toMatchObject({
      guardrails: "failure",
      tier: "high",
      bypassed: true,
      merged_by: "admin",
      approvers: [],
    });
    expect(by[13]!.bypass_reason).toMatch(/failing on the merged head/);
    expect(by[14]).toMatchObject({ guardrails: "missing", tier: null, bypassed: true, policy: null });
    expect(by[14]!.bypass_reason).toMatch(/no guardrails check on the merged head/);
    expect(by[11]!.head).toBe(w.fake.repos.get(`${w.owner}/${w.name}`.toLowerCase())!.pulls.get(11)!.headSha);
    expect(by[11]!.policy).toMatch(new RegExp(`^${w.owner}/${w.name}:\\.github/guardrails\\.yml@[0-9a-f]{12}$`));
    expect(out.stderr()).toContain("2 of 5 merged pull requests bypassed the guardrails check");
  });

  it("--summary: per tier, merged, bypassed, overridden, median time to merge and agent share", async () => {
    const out = io();
    expect(
      await run(
        ["audit", "--repo", `${w.owner}/${w.name}`, "--since", SINCE, "--until", UNTIL, "--summary", "--json"],
        out.value,
      ),
    ).toBe(0);
    const { summary } = JSON.parse(out.stdout()) as { summary: Record<string, unknown>[] };
    expect(summary).toEqual([
      { tier: "low", merged: 1, bypassed: 0, overridden: 0, would_fail: 0, median_hours_to_merge: 1, agent_share: 1 },
      {
        tier: "medium",
        merged: 0,
        bypassed: 0,
        overridden: 0,
        would_fail: 0,
        median_hours_to_merge: null,
        agent_share: null,
      },
      // The overridden and the forced merge had a requirement unmet: enforcement failed them.
      { tier: "high", merged: 3, bypassed: 1, overridden: 1, would_fail: 2, median_hours_to_merge: 24, agent_share: 0 },
      {
        tier: "unknown",
        merged: 1,
        bypassed: 1,
        overridden: 0,
        would_fail: 0,
        median_hours_to_merge: 24,
        agent_share: null,
      },
    ]);
    const text = io();
    expect(
      await run(
        ["audit", "--repo", `${w.owner}/${w.name}`, "--since", SINCE, "--until", UNTIL, "--summary"],
        text.value,
      ),
    ).toBe(0);
    expect(text.stdout().split("\n").slice(0, 3)).toEqual([
      `Merged ${SINCE} … ${UNTIL}`,
      "tier     merged  bypassed  overridden  would fail  median open→merge  agent share",
      "low      1       0         0           0           1 h                100%",
    ]);
  });

  it("the built CLI: CSV safe for spreadsheets, and --strict exits 1 when anything was bypassed", async () => {
    const cli = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [CLI, "audit", ...args],
          {
            env: {
              ...process.env,
              GITHUB_TOKEN: "t",
              GITHUB_API_URL: standIn.baseUrl,
              GUARDRAILS_APP_ID: String(TEST_APP_ID),
            },
          },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number((error as { code?: number }).code ?? 2) : 0, stdout, stderr }),
        );
      });
    const repo = ["--repo", `${w.owner}/${w.name}`, "--since", SINCE, "--until", UNTIL];
    const csv = await cli([...repo, "--csv"]);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.split("\r\n");
    expect(lines[0]).toBe(
      "number,title,author,merged_by,created_at,merged_at,base,head,guardrails,tier,approvers,ticks,override_by,override_reason,agent_authored,tickets,bypassed,bypass_reason,policy,mode,would_fail",
    );
    expect(lines).toHaveLength(7);
    // The author's title that a spreadsheet would run as a formula is defused and quoted.
    expect(lines.find((l) => l.startsWith("13,"))).toContain(`"'=HYPERLINK(""http://x"") auth shortcut"`);
    expect(await cli([...repo, "--strict"])).toMatchObject({ code: 1 });
    expect(
      await cli(["--repo", `${w.owner}/${w.name}`, "--since", at(26), "--until", at(41), "--strict"]),
    ).toMatchObject({ code: 0 });
  });

  it("refuses what it cannot do with one line and exit 2: no token, a bad date, a repository it cannot read", async () => {
    const noToken = io({ GITHUB_TOKEN: "" });
    expect(await run(["audit", "--repo", "a/b"], noToken.value)).toBe(2);
    expect(noToken.stderr()).toMatch(/^guardrails audit: GITHUB_TOKEN is not set/);
    const badDate = io();
    expect(await run(["audit", "--repo", "a/b", "--since", "last week"], badDate.value)).toBe(2);
    expect(badDate.stderr()).toMatch(/--since must be a date \(YYYY-MM-DD\) or an ISO 8601 time/);
    const missing = io();
    expect(await run(["audit", "--repo", `${w.owner}/nothing-here`], missing.value)).toBe(2);
    expect(missing.stderr()).toMatch(/could not read .*nothing-here/);
  });
});

describe("guardrails audit over long periods", () => {
  it("pages 100 at a time, stops at the first PR not updated since the period began, and shows progress", async () => {
    const many = new World({ policy: POLICY });
    for (let i = 0; i < 260; i++) {
      const pr = many.addPullRequest({
        number: 100 + i,
        title: `change ${i}`,
        files: FILES.low,
        headSha: sha(`many ${i}`),
      });
      // 230 in the period (one every 2 hours back from Nov 30), 30 long before it.
      const mergedAt =
        i < 230
          ? new Date(Date.parse("2026-11-30T00:00:00Z") - i * 2 * 3_600_000).toISOString()
          : "2026-09-01T00:00:00Z";
      merged(pr, { created: mergedAt, merged: mergedAt });
    }
    const server = await new GitHubStandIn({ fake: many.fake }).start();
    try {
      const out = io({ GITHUB_API_URL: server.baseUrl });
      expect(
        await run(
          ["audit", "--repo", `${many.owner}/${many.name}`, "--since", "2026-11-01", "--until", "2026-11-30", "--json"],
          out.value,
        ),
      ).toBe(0);
      const { records } = JSON.parse(out.stdout()) as { records: unknown[] };
      expect(records).toHaveLength(230);
      expect(server.served.filter((r) => r.operation === "GuardrailsAudit")).toHaveLength(4);
      expect(out.stderr().match(/merged pull requests read/g)).toHaveLength(2);
    } finally {
      await server.stop();
    }
  });
});

describe("csvField", () => {
  it.each([
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["line\nbreak", '"line\nbreak"'],
    ["=1+1", "'=1+1"],
    ["+cmd", "'+cmd"],
    ["-2", "'-2"],
    ["@SUM(A1)", "'@SUM(A1)"],
    [null, ""],
    [true, "true"],
  ])("%p → %p", (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});
