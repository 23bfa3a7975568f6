/**
 * `guardrails doctor` through the built binary (dist/cli/main.js; `npm run build` first) over real
 * HTTP against the FakeGitHub, served as GitHub Enterprise Server serves it, with rulesets and
 * branch protection in GitHub's response shapes: required and pinned, required unpinned, not
 * required, and no permission to read branch protection (unknown).
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import type { DoctorReport } from "../../src/cli/doctor-report.js";
import { errorOutputSchema } from "../../src/cli/error-schema.js";
import { FakeGitHub, type FakeRuleset } from "../support/fake-github.js";
import { GitHubStandIn } from "../support/github-stand-in.js";
import { assertBuilt, CLI, isolatedEnv } from "./helpers.js";

const APP_ID = 4242;
const POLICY = "version: 1\ndefault_tier: medium\n";
const BROKEN_POLICY =
  "version: 1\ndefault_tier: medium\nrules:\n  - name: docs\n    tier: lowest\n    paths: [docs/**]\n";

const requireCheck = (integration_id?: number): FakeRuleset["rules"][number] => ({
  type: "required_status_checks",
  parameters: {
    strict_required_status_checks_policy: false,
    do_not_enforce_on_create: false,
    required_status_checks: [
      { context: "ci" },
      { context: "guardrails", ...(integration_id ? { integration_id } : {}) },
    ],
  },
});

const fake = new FakeGitHub(APP_ID, 1);
let standIn: GitHubStandIn;

beforeAll(async () => {
  assertBuilt();
  // Guarded: an active ruleset pins the check to the app; organisation owners may bypass; a merge queue.
  const pinned = fake.addRepository({ owner: "acme", name: "pinned", policy: POLICY });
  fake.setCodeOwners(pinned, "main", "* @acme/platform\n/docs/ !x@\n");
  pinned.rulesets = [
    {
      id: 11,
      name: "main protection",
      enforcement: "active",
      include: ["~DEFAULT_BRANCH"],
      rules: [
        { type: "deletion" },
        requireCheck(APP_ID),
        {
          type: "merge_queue",
          parameters: {
            check_response_timeout_minutes: 60,
            grouping_strategy: "ALLGREEN",
            max_entries_to_build: 5,
            max_entries_to_merge: 5,
            merge_method: "SQUASH",
            min_entries_to_merge: 1,
            min_entries_to_merge_wait_minutes: 5,
          },
        },
      ],
      bypass_actors: [{ actor_id: null, actor_type: "OrganizationAdmin", bypass_mode: "always" }],
    },
    // An evaluate-mode ruleset is not enforced: GitHub does not list its rules for the branch.
    { id: 12, name: "trial", enforcement: "evaluate", include: ["~ALL"], rules: [requireCheck()] },
  ];
  // Required from any source (a ruleset), and by branch protection from any source too.
  const unpinned = fake.addRepository({ owner: "acme", name: "unpinned", policy: POLICY });
  unpinned.rulesets = [
    { id: 21, name: "main", enforcement: "active", include: ["refs/heads/main"], rules: [requireCheck()] },
  ];
  unpinned.protection = {
    main: {
      required_status_checks: {
        strict: true,
        contexts: ["guardrails"],
        checks: [{ context: "guardrails", app_id: null }],
      },
    },
  };
  // Not required at all, and its policy is broken.
  fake.addRepository({ owner: "acme", name: "open", policy: BROKEN_POLICY });
  // Nothing in rulesets; branch protection cannot be read with this token.
  fake.addRepository({ owner: "acme", name: "private" });
  standIn = await new GitHubStandIn({ fake }).start();
  standIn.addFault({
    method: "GET",
    path: /^\/repos\/acme\/private\/branches\/main\/protection$/,
    status: 403,
    body: { message: "Resource not accessible by personal access token" },
  });
});

afterAll(async () => {
  await standIn?.stop();
});

function doctor(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, "doctor", ...args],
      {
        env: isolatedEnv({
          GITHUB_TOKEN: "a-token",
          GITHUB_API_URL: standIn.baseUrl,
          GUARDRAILS_APP_ID: String(APP_ID),
          ...env,
        }),
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 2) : 0, stdout, stderr }),
    );
  });
}

async function doctorJson(repo: string): Promise<{ code: number; report: DoctorReport }> {
  const result = await doctor(["--repo", repo, "--json"]);
  expect(result.stderr).toBe("");
  return { code: result.code, report: JSON.parse(result.stdout) as DoctorReport };
}

describe("guardrails doctor", () => {
  it("says a repository whose ruleset pins the check to the app is guarded (exit 0), with who may bypass and the merge queue", async () => {
    const before = standIn.served.length;
    const result = await doctor(["--repo", "acme/pinned"]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
    expect(result.stdout).toContain("Check        required and pinned to this app on main");
    expect(result.stdout).toContain('✓ ruleset "main protection": this app (4242)');
    expect(result.stdout).toContain('organisation owners (always) in ruleset "main protection"');
    expect(result.stdout).toContain("Merge queue  set");
    expect(result.stdout).toContain("Policy       .github/guardrails.yml: valid (the repository's policy decides)");
    // The CODEOWNERS line with a bad owner is a problem at its line and column.
    expect(result.stdout).toMatch(/CODEOWNERS {3}\.github\/CODEOWNERS: 1 problem\n {15}\.github\/CODEOWNERS:2:\d+: /);
    expect(result.stdout).toContain("Verdict: guarded");
    // One GraphQL query, the rules, branch protection and the one ruleset that requires the check.
    const served = standIn.served.slice(before).map((r) => `${r.method} ${r.operation ?? r.path}`);
    expect(served.sort()).toEqual(
      [
        "POST GuardrailsDoctor",
        "GET /repos/acme/pinned/rules/branches/main",
        "GET /repos/acme/pinned/branches/main/protection",
        "GET /repos/acme/pinned/rulesets/11",
      ].sort(),
    );

    const { code, report } = await doctorJson("acme/pinned");
    expect(code).toBe(0);
    expect(report).toMatchObject({
      version: 1,
      repository: "acme/pinned",
      branch: "main",
      enforcement: "pinned",
      bypassable: false,
      mergeQueue: true,
      decidingPolicy: "repository",
      policy: { path: ".github/guardrails.yml", ok: true, problems: [] },
      codeowners: { path: ".github/CODEOWNERS", ok: false },
      required: [{ where: "ruleset", name: "main protection", rulesetId: 11, app: APP_ID, pinned: true }],
      bypass: [{ where: "ruleset", actor: "organisation owners", mode: "always" }],
    });
    expect(report.bypass?.[0]?.settings).toBe("Settings → Rules → Rulesets → main protection → Bypass list");
  });

  it("says a check required from any source can be imitated (exit 1), with the settings path that pins it", async () => {
    const result = await doctor(["--repo", "acme/unpinned"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("required on main, but not pinned to this app: it can be imitated");
    expect(result.stdout).toContain(
      '→ Settings → Rules → Rulesets → main → Require status checks to pass → `guardrails` → source: the Guardrails App (app id 4242), not "Any source"',
    );
    expect(result.stdout).toContain(
      "→ Settings → Branches → Branch protection rules → the rule for main → Edit → Require status checks to pass before merging → `guardrails`",
    );
    // Branch protection without "Do not allow bypassing": administrators may merge without it.
    expect(result.stdout).toContain("repository administrators (admins) in branch protection");
    expect(result.stdout).toContain("Verdict: NOT GUARDED (required_unpinned)");

    const { code, report } = await doctorJson("acme/unpinned");
    expect(code).toBe(1);
    expect(report).toMatchObject({ enforcement: "required_unpinned", bypassable: true, mergeQueue: false });
    expect(report.required).toEqual([
      expect.objectContaining({ where: "ruleset", name: "main", app: null, pinned: false }),
      expect.objectContaining({ where: "branch_protection", name: "main", app: null, pinned: false }),
    ]);
  });

  it("says a check nothing requires is not a guard (exit 1), and shows the policy's problems at line:column", async () => {
    const result = await doctor(["--repo", "acme/open"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Check        not required on main: merges do not wait for it");
    expect(result.stdout).toMatch(
      /Policy {7}\.github\/guardrails\.yml: 1 problem .*\n {15}\.github\/guardrails\.yml:5:11: /,
    );
    expect(result.stdout).toContain(
      "→ Settings → Rules → Rulesets → New ruleset → New branch ruleset → Enforcement status: Active; Target branches: Include default branch; Require status checks to pass → Add checks → `guardrails`",
    );
    expect(result.stdout).toContain("Bypass       nothing to bypass");

    const { code, report } = await doctorJson("acme/open");
    expect(code).toBe(1);
    expect(report).toMatchObject({ enforcement: "not_required", bypassable: true, required: [], bypass: [] });
    expect(report.policy?.problems[0]).toMatchObject({ line: 5, column: 11 });
    expect(report.findings.map((f) => f.severity)).toEqual(["error", "error"]);
  });

  it("says unknown, not guarded, when the token cannot read branch protection (exit 1), and which permission reads it", async () => {
    const { code, report } = await doctorJson("acme/private");
    expect(code).toBe(1);
    expect(report).toMatchObject({ enforcement: "unknown", bypassable: true, decidingPolicy: "built-in" });
    expect(report.findings).toContainEqual({
      severity: "error",
      message:
        "the branch protection of main could not be read (HTTP 403: Resource not accessible by personal access token)",
      fix: "a token with admin rights on the repository (fine-grained: Administration: read)",
    });
    const text = await doctor(["--repo", "acme/private"]);
    expect(text.stdout).toContain("Check        unknown: the settings could not all be read");
  });

  it("prints the documented JSON error (exit 2) when GitHub refuses the token or the repository does not exist", async () => {
    const missing = await doctor(["--repo", "acme/nothing", "--json"]);
    expect(missing.code).toBe(2);
    const output = errorOutputSchema.parse(JSON.parse(missing.stdout));
    expect(output.error.message).toBe("acme/nothing was not found, or the token cannot read it");
    expect(missing.stderr).toBe("guardrails doctor: acme/nothing was not found, or the token cannot read it\n");

    const noToken = await doctor(["--repo", "acme/pinned"], { GITHUB_TOKEN: "" });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/^guardrails doctor: GITHUB_TOKEN is not set/);
    const noApp = await doctor(["--repo", "acme/pinned"], { GUARDRAILS_APP_ID: "" });
    expect(noApp.code).toBe(2);
  });
});
