import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import {
  assertBuilt,
  isolatedEnv,
  lines,
  removeTempDirs,
  runCli,
  STACK_LINE,
  tempDir,
  TempRepo,
  writeFile,
  type CheckJson,
} from "./helpers.js";

const POLICY = `version: 1
default_tier: medium
rules:
  - name: auth
    tier: high
    paths: ["src/auth/**"]
  - name: docs
    tier: low
    paths: ["docs/**"]
  - name: lockfiles
    tier: low
    paths: ["**/package-lock.json"]
size:
  ignore: ["**/package-lock.json"]
  medium: { lines: 200 }
  high: { lines: 1000 }
tests:
  source: ["src/**"]
  tests: ["test/**"]
ticket:
  pattern: "[A-Z]+-[0-9]+"
agents:
  authors: ["*[bot]"]
  co_authors: ["*claude*"]
  min_tier: medium
tiers:
  low: {}
  medium: { approvals: 1, tests: true }
  high: { approvals: 2, tests: true, ticket: true }
`;

/** What a branch would like the policy to be: everything low, nothing required. */
const WEAKENED = `version: 1
default_tier: low
rules:
  - name: auth
    tier: low
    paths: ["src/auth/**"]
tiers:
  low: {}
  medium: {}
  high: {}
`;

const kinds = (items: { kind: string }[]) => items.map((item) => item.kind);
const reason = (json: CheckJson, kind: string) => json.reasons.find((r) => r.kind === kind);
const requirement = (json: CheckJson, kind: string) => json.requirements.find((r) => r.kind === kind);

let repo: TempRepo;
let mainSha: string;

beforeAll(() => {
  assertBuilt();
  repo = new TempRepo();
  repo.commit("Initial import", {
    ".github/guardrails.yml": POLICY,
    "src/auth/token.ts": lines(40, "token"),
    "src/app.ts": lines(5, "app"),
    "docs/guide.md": "# Guide\n",
    "package-lock.json": "{}\n",
  });
  mainSha = repo.git("rev-parse", "HEAD").trim();

  repo.branch("auth-change").commit("Harden token checks", { "src/auth/token.ts": `${lines(40, "token")}extra\n` });
  repo.branch("rename-out").move("src/auth/token.ts", "src/util/token.ts").commit("Move the token helper out of auth");
  repo.branch("lockfile-only").commit("Bump dependencies", { "package-lock.json": lines(5000, "dep") });
  repo.branch("big-docs").commit("Rewrite the guide", { "docs/guide.md": lines(1200, "guide") });
  repo
    .branch("weaken-policy")
    .commit("Relax guardrails", { ".github/guardrails.yml": WEAKENED, "src/auth/token.ts": "gone\n" });
  repo.branch("SEC-42-with-tests").commit("Harden token checks", {
    "src/auth/token.ts": `${lines(40, "token")}extra\n`,
    "test/auth/token.test.ts": "test\n",
  });
  repo.branch("ticket-in-commit").commit("PAY-7 harden token checks\n\nWith a body line.", {
    "src/auth/token.ts": `${lines(40, "token")}extra\n`,
    "test/auth/token.test.ts": "test\n",
  });
  repo
    .branch("agent-docs")
    .commit("Fix a typo\n\nCo-authored-by: Claude <noreply@anthropic.com>", { "docs/guide.md": "# The guide\n" });
  // The trailer in a middle paragraph: git's trailer parser would not see it, the app does.
  repo
    .branch("agent-buried")
    .commit("Fix another typo\n\nCo-authored-by: Claude <noreply@anthropic.com>\n\nA last paragraph.", {
      "docs/guide.md": "# The guide, again\n",
    });
  repo
    .branch("binary")
    .commit("Add the logo", { "docs/logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0, 0, 255]) });
  repo.checkout("main");
});
afterAll(removeTempDirs);

describe("guardrails check --json", () => {
  it("raises a change to a protected folder to high with the rule as the reason", () => {
    const { status, json, stderr } = repo.checkJson(["--base", "main", "--head", "auth-change"]);
    expect(status).toBe(0);
    expect(stderr).toBe("");
    expect(json.tier).toBe("high");
    expect(json.conclusion).toBe("failure");
    expect(json.reasons).toEqual([
      { kind: "rule", tier: "high", rule: "auth", files: ["src/auth/token.ts"], message: 'rule "auth" matches 1 file' },
    ]);
    expect(kinds(json.requirements)).toEqual(["approvals", "tests", "ticket", "changes_requested"]);
    expect(requirement(json, "approvals")).toMatchObject({ met: false, required: 2, local: false });
    expect(requirement(json, "tests")).toMatchObject({ met: false, local: true });
    expect(requirement(json, "ticket")).toMatchObject({ met: false, local: true });
    expect(json.policy).toMatchObject({ source: "ref", path: ".github/guardrails.yml", ref: "main", sha: mainSha });
    expect(json.diff).toMatchObject({
      base: { ref: "main", sha: mainSha },
      head: { ref: "auth-change", branch: "auth-change" },
      mergeBase: mainSha,
      files: 1,
    });
    expect(json.size).toEqual({ lines: 1, files: 1, ignoredFiles: 0 });
  });

  it("matches a rename out of a protected folder by its old path", () => {
    const { json } = repo.checkJson(["--base", "main", "--head", "rename-out"]);
    expect(json.tier).toBe("high");
    expect(reason(json, "rule")).toMatchObject({ rule: "auth", tier: "high", files: ["src/util/token.ts"] });
    // One renamed file, not an addition and a deletion.
    expect(json.diff.files).toBe(1);
    expect(json.diff.renames).toEqual([{ from: "src/auth/token.ts", to: "src/util/token.ts" }]);
    expect(json.size.lines).toBe(0);
    const human = repo.run(["check", "--base", "main", "--head", "rename-out"]).stdout;
    expect(human).toContain('rule "auth" matches 1 file: src/util/token.ts (renamed from src/auth/token.ts)\n');
  });

  it("keeps a lockfile-only 5000-line diff low: ignored files do not count towards size", () => {
    const { json } = repo.checkJson(["--base", "main", "--head", "lockfile-only"]);
    expect(json.tier).toBe("low");
    expect(kinds(json.reasons)).toEqual(["rule"]);
    expect(json.size).toEqual({ lines: 0, files: 0, ignoredFiles: 1 });
    expect(json.conclusion).toBe("success");
  });

  it("escalates a large diff of counted files by size", () => {
    const { json } = repo.checkJson(["--base", "main", "--head", "big-docs"]);
    expect(json.tier).toBe("high");
    expect(reason(json, "size")).toMatchObject({ kind: "size", tier: "high" });
    expect(json.size.lines).toBeGreaterThanOrEqual(1000);
  });

  it("counts a binary file as 0 lines", () => {
    const { json } = repo.checkJson(["--base", "main", "--head", "binary"]);
    expect(json.size).toEqual({ lines: 0, files: 1, ignoredFiles: 0 });
    expect(json.tier).toBe("low");
  });

  it("reads the policy from the base, so a branch that weakens the policy is high and judged by the old one", () => {
    const { json } = repo.checkJson(["--base", "main", "--head", "weaken-policy"]);
    expect(json.tier).toBe("high");
    expect(json.policyChanged).toBe(true);
    expect(reason(json, "policy_change")).toMatchObject({ tier: "high", files: [".github/guardrails.yml"] });
    // The base policy's auth rule (high) and its high tier (2 approvals, ticket) apply, not the branch's.
    expect(reason(json, "rule")).toMatchObject({ rule: "auth", tier: "high" });
    expect(requirement(json, "approvals")).toMatchObject({ required: 2, met: false });
    expect(requirement(json, "ticket")).toMatchObject({ met: false });
    expect(json.policy).toMatchObject({ source: "ref", ref: "main", sha: mainSha });

    // Control: the same diff judged by the branch's weakened policy would look very different.
    const dir = tempDir();
    writeFile(dir, "weakened.yml", WEAKENED);
    const weakened = join(dir, "weakened.yml");
    const { json: loose } = repo.checkJson(["--base", "main", "--head", "weaken-policy", "--policy", weakened]);
    expect(reason(loose, "rule")).toMatchObject({ rule: "auth", tier: "low" });
    // The branch's policy is also the proposed one, validated as the app does: it loads.
    expect(kinds(loose.requirements)).toEqual(["changes_requested", "proposed_policy"]);
    expect(requirement(loose, "proposed_policy")).toMatchObject({ met: true });
    expect(loose.conclusion).toBe("success");
  });

  it("uses --policy FILE instead of the base's policy", () => {
    const dir = tempDir();
    writeFile(dir, "policy.yml", WEAKENED);
    const file = join(dir, "policy.yml");
    const { status, json } = repo.checkJson(["--base", "main", "--head", "auth-change", "--policy", file]);
    expect(status).toBe(0);
    expect(json.tier).toBe("low");
    expect(json.conclusion).toBe("success");
    expect(json.policy).toEqual({ source: "file", path: file, ref: null, sha: null });
  });

  it("finds the ticket in the first commit's subject (the default title)", () => {
    const { json } = repo.checkJson(["--base", "main", "--head", "ticket-in-commit"]);
    expect(requirement(json, "ticket")).toMatchObject({ met: true, message: "ticket PAY-7 referenced in the title" });
    expect(requirement(json, "tests")).toMatchObject({ met: true });
  });

  it("takes the title, body and branch from options", () => {
    const withTitle = repo.checkJson(["--base", "main", "--head", "auth-change", "--title", "OPS-3 rotate keys"]).json;
    expect(requirement(withTitle, "ticket")).toMatchObject({
      met: true,
      message: "ticket OPS-3 referenced in the title",
    });
    const withBody = repo.checkJson(["--base", "main", "--head", "auth-change", "--body", "Fixes OPS-4"]).json;
    expect(requirement(withBody, "ticket")).toMatchObject({
      met: true,
      message: "ticket OPS-4 referenced in the body",
    });
    const withBranch = repo.checkJson(["--base", "main", "--head", "auth-change", "--branch", "OPS-5-keys"]).json;
    expect(requirement(withBranch, "ticket")).toMatchObject({
      met: true,
      message: "ticket OPS-5 referenced in the branch name",
    });
    expect(withBranch.diff.head.branch).toBe("OPS-5-keys");
  });

  it("detects an agent by a commit's Co-authored-by trailer", () => {
    const { json } = repo.checkJson(["--base", "main", "--head", "agent-docs"]);
    expect(json.agentAuthored).toBe(true);
    expect(json.tier).toBe("medium");
    expect(reason(json, "agent")).toMatchObject({
      tier: "medium",
      pattern: "*claude*",
      value: "Claude <noreply@anthropic.com>",
    });
  });

  it("reads Co-authored-by lines as the app does: also one outside the final trailer block", () => {
    const { json } = repo.checkJson(["--base", "main", "--head", "agent-buried"]);
    expect(json.agentAuthored).toBe(true);
    expect(reason(json, "agent")).toMatchObject({ pattern: "*claude*", value: "Claude <noreply@anthropic.com>" });
  });

  it("detects an agent by --author, and an unknown author is no agent", () => {
    const byBot = repo.checkJson(["--base", "main", "--head", "binary", "--author", "renovate[bot]"]).json;
    expect(reason(byBot, "agent")).toMatchObject({ pattern: "*[bot]", value: "renovate[bot]" });
    const unknown = repo.checkJson(["--base", "main", "--head", "binary"]).json;
    expect(unknown.agentAuthored).toBe(false);
  });

  it("never lets a --label waive tests, since who applied it is unknown", () => {
    const { json } = repo.checkJson([
      "--base",
      "main",
      "--head",
      "auth-change",
      "--label",
      "no-tests-needed",
      "--label",
      "other",
    ]);
    expect(requirement(json, "tests")).toMatchObject({ met: false });
    expect(requirement(json, "tests")?.message).toContain("who applied it is unknown");
  });

  it("evaluates an empty diff as low", () => {
    const { json } = repo.checkJson(["--base", "main", "--head", "main"]);
    expect(json).toMatchObject({ tier: "low", conclusion: "success", reasons: [] });
    expect(json.diff.files).toBe(0);
  });
});

describe("guardrails check --strict", () => {
  it("exits 1 when tests and ticket are missing", () => {
    const result = repo.run(["check", "--base", "main", "--head", "auth-change", "--strict"]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("Tier: high");
  });

  it("exits 0 when tests and ticket are present, although approvals are not", () => {
    const { status, json } = repo.checkJson(["--base", "main", "--head", "SEC-42-with-tests", "--strict"]);
    expect(status).toBe(0);
    expect(requirement(json, "tests")?.met).toBe(true);
    expect(requirement(json, "ticket")).toMatchObject({
      met: true,
      message: "ticket SEC-42 referenced in the branch name",
    });
    expect(json.conclusion).toBe("failure");
  });

  it("exits 0 without --strict whatever the conclusion", () => {
    expect(repo.run(["check", "--base", "main", "--head", "auth-change"]).status).toBe(0);
  });
});

describe("guardrails check (human output)", () => {
  it("explains the tier, each requirement and the policy, without colours when not a terminal", () => {
    const result = repo.run(["check", "--base", "main", "--head", "auth-change"]);
    expect(result.status).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^Tier: high {2}main\.\.\.auth-change: 1 changed file, 1 line\n/);
    expect(out).toContain('  high  rule  rule "auth" matches 1 file: src/auth/token.ts\n');
    expect(out).toMatch(/ {2}✗ approvals +2 approvals required, 0 valid\n +→ Get 2 more approvals/);
    expect(out).toMatch(/ {2}✗ tests +1 source file changed \(src\/auth\/token\.ts\) without a test file\n +→ /);
    expect(out).toMatch(/ {2}✓ changes_requested +no open change requests\n/);
    expect(out).toContain("Conclusion: failure (3 of 4 requirements unmet; approvals can only be met on GitHub)\n");
    expect(out).toContain(`Policy: .github/guardrails.yml@main (${mainSha.slice(0, 7)})\n`);
    expect(out).not.toContain("\u001b[");
    expect(out.split("\n").length).toBeLessThan(20);
  });

  it("names only the first few files of a reason", () => {
    const many = new TempRepo();
    many.commit("init", { "README.txt": "x\n" });
    many
      .branch("many")
      .commit("many files", Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`lib/f${i}.txt`, "x\n"])));
    const out = many.run(["check", "--base", "main"]).stdout;
    expect(out).toContain("5 files match no rule (default_tier): lib/f0.txt, lib/f1.txt, lib/f2.txt and 2 more\n");
  });
});

describe("guardrails check: where the base and the policy come from", () => {
  it("uses the built-in default policy when the base has none, and says so", () => {
    const bare = new TempRepo();
    bare.commit("init", { "src/app.ts": "x\n" });
    bare.branch("feature").commit("change", { "src/app.ts": "y\n" });
    const { json } = bare.checkJson([]);
    expect(json.policy).toMatchObject({ source: "built-in", path: null, ref: "main" });
    expect(json.diff.base.ref).toBe("main");
    expect(json.diff.head).toMatchObject({ ref: "HEAD", branch: "feature" });
    expect(json.tier).toBe("medium");
    expect(bare.run(["check"]).stdout).toContain("Policy: built-in default (main has no .github/guardrails.yml)\n");
  });

  it("defaults the base to the branch origin/HEAD names in a clone", () => {
    const dir = tempDir();
    execFileSync("git", ["clone", "-q", repo.dir, join(dir, "clone")], { env: isolatedEnv() });
    const clone = new TempRepo(join(dir, "clone"));
    clone.git("checkout", "-q", "-b", "my-work", "origin/auth-change");
    const { json } = clone.checkJson([]);
    expect(json.diff.base).toEqual({ ref: "origin/main", sha: mainSha });
    expect(json.diff.head.branch).toBe("my-work");
    expect(json.policy).toMatchObject({ source: "ref", ref: "origin/main" });
    expect(json.tier).toBe("high");
  });

  it("gives the same answer from a subdirectory: paths stay relative to the repository root", () => {
    const fromRoot = repo.checkJson(["--base", "main", "--head", "rename-out"]).json;
    const fromSub = runCli(["check", "--json", "--base", "main", "--head", "rename-out"], join(repo.dir, "docs"));
    expect(fromSub.status).toBe(0);
    expect(JSON.parse(fromSub.stdout)).toEqual(fromRoot);
  });

  it("reports an invalid policy at the base as REF:.github/guardrails.yml:LINE:COL lines with exit 2", () => {
    const broken = new TempRepo();
    broken.commit("init", { ".github/guardrails.yml": "version: 1\nrulez: []\ndefault_tier: huge\n" });
    broken.branch("feature").commit("change", { "src/app.ts": "y\n" });
    const result = broken.run(["check", "--base", "main", "--json"]);
    expect(result.status).toBe(2);
    // --json: the same error as JSON on stdout, for the script reading it.
    expect(JSON.parse(result.stdout)).toMatchObject({
      version: 1,
      error: {
        message: "main:.github/guardrails.yml is not a valid policy (2 problems):",
        problems: [expect.stringMatching(/:2:1: /), expect.stringMatching(/:3:15: /)],
      },
    });
    const errors = result.stderr.trimEnd().split("\n");
    expect(errors[0]).toBe("guardrails check: main:.github/guardrails.yml is not a valid policy (2 problems):");
    expect(errors.slice(1).map((line) => /^[^ ]+:\d+:\d+: /.exec(line)?.[0])).toEqual([
      "main:.github/guardrails.yml:2:1: ",
      "main:.github/guardrails.yml:3:15: ",
    ]);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it("reports an invalid --policy file as FILE:LINE:COL lines with exit 2", () => {
    const dir = tempDir();
    writeFile(dir, "bad.yml", "version: 1\ntiers:\n  urgent: {}\n");
    const result = repo.run(["check", "--base", "main", "--head", "auth-change", "--policy", join(dir, "bad.yml")]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`\n${join(dir, "bad.yml")}:3:3: `);
  });
});

describe("guardrails check: failures are one clear line, exit 2", () => {
  const expectOneLine = (
    result: { status: number | null; stdout: string; stderr: string },
    message: RegExp,
    json = false,
  ) => {
    expect(result.status).toBe(2);
    if (json)
      expect(JSON.parse(result.stdout)).toMatchObject({
        version: 1,
        error: { message: expect.stringMatching(message), problems: [] },
      });
    else expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).not.toMatch(STACK_LINE);
  };

  it("for a missing base or head ref", () => {
    expectOneLine(
      repo.run(["check", "--base", "no-such-branch"]),
      /^guardrails check: unknown git ref "no-such-branch" \(--base\)/,
    );
    expectOneLine(
      repo.run(["check", "--base", "main", "--head", "nope"]),
      /^guardrails check: unknown git ref "nope" \(--head\)/,
    );
    expectOneLine(repo.run(["check", "--base", "main", "--json", "--head", "nope"]), /unknown git ref "nope"/, true);
  });

  it("for a ref that looks like an option", () => {
    expectOneLine(repo.run(["check", "--base=--output=x"]), /"--output=x" is not a valid git ref/);
  });

  it("for a directory that is not a git repository", () => {
    const dir = tempDir();
    expectOneLine(runCli(["check"], dir), /^guardrails check: not a git repository: /);
  });

  it("for a repository without a default base branch", () => {
    const odd = new TempRepo();
    odd.git("checkout", "-q", "-b", "trunk");
    odd.commit("init", { "a.txt": "a\n" });
    expectOneLine(odd.run(["check"]), /cannot find the default base branch .*; pass --base REF/);
  });

  it("for histories without a common ancestor", () => {
    const split = new TempRepo();
    split.commit("init", { "a.txt": "a\n" });
    split.git("checkout", "-q", "--orphan", "other");
    split.commit("unrelated", { "b.txt": "b\n" });
    expectOneLine(split.run(["check", "--base", "main"]), /have no common ancestor/);
  });

  it("when git is missing", () => {
    expectOneLine(
      repo.run(["check"], isolatedEnv({ PATH: join(tempDir(), "empty-bin") })),
      /^guardrails check: git is not installed or not on PATH/,
    );
  });

  it("for an unreadable --policy file", () => {
    expectOneLine(
      repo.run(["check", "--base", "main", "--policy", "does/not/exist.yml"]),
      /^guardrails check: cannot read policy file does\/not\/exist\.yml: no such file$/m,
    );
  });
});
