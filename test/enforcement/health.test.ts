/**
 * Enforcement health: src/enforcement/read.ts through a real Octokit over HTTP against the
 * FakeGitHub (rulesets, branch rules and branch protection in GitHub's response shapes), then
 * classify() and the summary's warning line. The four outcomes, organisation rulesets, hidden
 * bypass lists, refusals that leave it unknown and the cost in requests.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Octokit } from "@octokit/core";
import { classify, enforcementWarning, type EnforcementReading } from "../../src/enforcement/health.js";
import { readEnforcement } from "../../src/enforcement/read.js";
import { FakeGitHub, type FakeRuleset } from "../support/fake-github.js";
import { GitHubStandIn } from "../support/github-stand-in.js";

const APP_ID = 77;
const subject = { checkName: "guardrails", appId: APP_ID };
const checks = (...list: { context: string; integration_id?: number }[]): FakeRuleset["rules"][number] => ({
  type: "required_status_checks",
  parameters: { strict_required_status_checks_policy: true, required_status_checks: list },
});

const fake = new FakeGitHub(APP_ID, 1);
let standIn: GitHubStandIn;
let octokit: Octokit;

beforeAll(async () => {
  fake.addRepository({ owner: "acme", name: "bare" });
  fake.addRepository({ owner: "acme", name: "org-ruleset" }).rulesets = [
    {
      id: 900,
      name: "org baseline",
      source_type: "Organization",
      enforcement: "active",
      include: ["~ALL"],
      rules: [checks({ context: "guardrails", integration_id: APP_ID })],
      bypass_actors: [{ actor_id: 5, actor_type: "RepositoryRole", bypass_mode: "pull_request" }],
    },
  ];
  fake.addRepository({ owner: "acme", name: "classic" }).protection = {
    main: {
      required_status_checks: {
        strict: true,
        contexts: ["guardrails"],
        checks: [{ context: "guardrails", app_id: APP_ID }],
      },
      enforce_admins: true,
    },
  };
  const other = fake.addRepository({ owner: "acme", name: "other-app" });
  other.rulesets = [
    {
      id: 5,
      name: "main",
      enforcement: "active",
      include: ["~DEFAULT_BRANCH"],
      rules: [checks({ context: "guardrails", integration_id: 999 })],
    },
  ];
  other.bypassVisible = false;
  standIn = await new GitHubStandIn({ fake }).start();
  octokit = new Octokit({ auth: "a-token", baseUrl: standIn.baseUrl });
});

afterAll(async () => {
  await standIn?.stop();
});

const read = (repo: string): Promise<EnforcementReading> =>
  readEnforcement((route, parameters) => octokit.request(route, parameters), {
    owner: "acme",
    repo,
    branch: "main",
    checkName: "guardrails",
  });

describe("enforcement health read from GitHub's answers", () => {
  it("not_required: no ruleset, 404 Branch not protected; the warning says merges do not wait", async () => {
    const before = standIn.served.length;
    const health = classify(await read("bare"), subject);
    expect(standIn.served.length - before).toBe(2);
    expect(health).toMatchObject({ enforcement: "not_required", required: [], bypass: [], mergeQueue: false });
    expect(enforcementWarning(health)).toBe(
      "⚠️ Merges into `main` do not wait for this check: it is not a required status check (Settings → Rules → Rulesets → Require status checks to pass).",
    );
  });

  it("pinned by an organisation ruleset: its settings path is the organisation's, and who may bypass it", async () => {
    const health = classify(await read("org-ruleset"), subject);
    expect(health.enforcement).toBe("pinned");
    expect(health.required).toEqual([
      {
        where: "ruleset",
        name: "org baseline",
        rulesetId: 900,
        level: "Organization",
        app: APP_ID,
        pinned: true,
        settings: "Organization settings (acme) → Repository → Rulesets → org baseline → Require status checks to pass",
      },
    ]);
    expect(health.bypass).toEqual([expect.objectContaining({ actor: "repository role admin", mode: "pull_request" })]);
    expect(enforcementWarning(health)).toBeUndefined();
  });

  it("pinned by classic branch protection that administrators cannot bypass", async () => {
    const health = classify(await read("classic"), subject);
    expect(health).toMatchObject({ enforcement: "pinned", bypass: [], findings: [] });
    expect(health.required[0]).toMatchObject({ where: "branch_protection", app: APP_ID, pinned: true });
  });

  it("required_unpinned when the check is pinned to another app; a hidden bypass list is unknown, not empty", async () => {
    const health = classify(await read("other-app"), subject);
    expect(health.enforcement).toBe("required_unpinned");
    expect(health.bypass).toBeNull();
    expect(health.findings[0]).toEqual({
      severity: "error",
      message:
        'ruleset "main" requires `guardrails` from app 999, not the Guardrails App (77): that app\'s check decides, not this one',
      fix: 'Settings → Rules → Rulesets → main → Require status checks to pass → `guardrails` → source: the Guardrails App (app id 77), not "Any source"',
    });
    expect(enforcementWarning(health)).toMatch(
      /^⚠️ This check is required on `main` without its source pinned to this app/,
    );
  });

  it("unknown when branch protection is refused (403) or answers a bare 404, unless a ruleset pins the check", async () => {
    standIn.addFault({
      method: "GET",
      path: /\/branches\/main\/protection$/,
      status: 403,
      times: 2,
      body: { message: "Must have admin rights to Repository." },
    });
    expect(classify(await read("bare"), subject).enforcement).toBe("unknown");
    // A ruleset that pins it decides whatever branch protection says.
    const pinned = classify(await read("org-ruleset"), subject);
    expect(pinned.enforcement).toBe("pinned");
    expect(pinned.findings).toEqual([expect.objectContaining({ severity: "warning" })]);
    standIn.addFault({
      method: "GET",
      path: /\/branches\/main\/protection$/,
      status: 404,
      times: 1,
      body: { message: "Not Found" },
    });
    const health = classify(await read("bare"), subject);
    expect(health.enforcement).toBe("unknown");
    expect(enforcementWarning(health)).toBeUndefined();
  });

  it("unknown when the rules cannot be read, or have more pages than are read", async () => {
    standIn.addFault({
      method: "GET",
      path: /\/rules\/branches\/main$/,
      status: 404,
      times: 1,
      body: { message: "Not Found" },
    });
    const unreadable = classify(await read("classic"), subject);
    // Branch protection pins it: still pinned, and the merge queue is unknown.
    expect(unreadable).toMatchObject({ enforcement: "pinned", mergeQueue: null });
    const many = fake.addRepository({ owner: "acme", name: "many-rules" });
    many.rulesets = [
      {
        id: 1,
        name: "lots",
        enforcement: "active",
        include: ["~ALL"],
        rules: Array.from({ length: 300 }, () => ({ type: "deletion" })),
      },
      { id: 2, name: "late", enforcement: "active", include: ["~ALL"], rules: [checks({ context: "guardrails" })] },
    ];
    const reading = await read("many-rules");
    expect(reading.rulesComplete).toBe(false);
    expect(classify(reading, subject).enforcement).toBe("unknown");
  });
});
