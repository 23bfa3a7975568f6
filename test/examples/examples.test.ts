/**
 * The example policies and the policy reference stay true: every example loads, uses the whole
 * language between them, and does on a realistic pull request what its comments promise; the
 * reference shows the built-in policy verbatim and documents every key of the schema.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "@jest/globals";
import { parse } from "yaml";
import { evaluate } from "../../src/engine/evaluate.js";
import { facts } from "../engine/fixtures.js";
import type {
  ChangedFile,
  CheckRunFact,
  CiFacts,
  Decision,
  PullRequestFacts,
  RequirementKind,
  RequirementResult,
  Review,
} from "../../src/engine/types.js";
import { BUILT_IN_POLICY_YAML } from "../../src/policy/default.js";
import { MAX_TICKET_BRANCH, MAX_TICKET_TITLE, ticketTextLimits } from "../../src/engine/tickets.js";
import { compileTicketPattern } from "../../src/policy/patterns.js";
import { loadPolicy, MAX_POLICY_BYTES } from "../../src/policy/loader.js";
import {
  DEFAULT_TICKET_PATTERN,
  DEFAULT_TIER_REQUIREMENTS,
  policySchema,
  requirementSchema,
  TIERS,
  type Policy,
} from "../../src/policy/schema.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const examplesDir = join(root, "examples");
const exampleFiles = readdirSync(examplesDir)
  .filter((name) => name.endsWith(".yml"))
  .sort();
/** The organisation policy example goes in the owner's `.github` repository: only there may it say `enforce`. */
const isOrganizationExample = (name: string) => name === "organization.yml";
const readExample = (name: string) => readFileSync(join(examplesDir, name), "utf8");
const docs = readFileSync(join(root, "docs", "policy.md"), "utf8");

function example(name: string): Policy {
  const result = loadPolicy(readExample(name), { organization: isOrganizationExample(name) });
  if (!result.ok) throw new Error(`${name}: ${JSON.stringify(result.problems)}`);
  return result.policy;
}

// ---------------------------------------------------------------------------------------------
// Walking the zod schema (the same internal definitions the loader reads to list allowed keys).

interface SchemaDef {
  type: string;
  innerType?: SchemaNode;
  shape?: Record<string, SchemaNode>;
  element?: SchemaNode;
}
interface SchemaNode {
  _zod: { def: SchemaDef };
}

const WRAPPERS = ["optional", "default", "prefault", "nullable", "readonly"];

function unwrap(node: SchemaNode): SchemaNode {
  let current = node;
  while (WRAPPERS.includes(current._zod.def.type) && current._zod.def.innerType) current = current._zod.def.innerType;
  return current;
}

/** Requirement objects occur in many places; their keys are counted once, under this prefix. */
const REQUIREMENT = "<requirement>";
const isRequirement = (node: SchemaNode) => node === (requirementSchema as unknown as SchemaNode);

/** Every key path of the language: `rules[].paths`, `size.medium.lines`, `<requirement>.approvers[].count`, … */
function schemaPaths(node: SchemaNode, prefix: string, out: Set<string>): Set<string> {
  const schema = unwrap(node);
  if (isRequirement(schema) && prefix !== REQUIREMENT) {
    if ([...out].some((path) => path.startsWith(`${REQUIREMENT}.`))) return out;
    prefix = REQUIREMENT;
  }
  const def = schema._zod.def;
  if (def.type === "object" && def.shape) {
    for (const [key, child] of Object.entries(def.shape)) {
      const path = prefix ? `${prefix}.${key}` : key;
      out.add(path);
      schemaPaths(child, path, out);
    }
  } else if (def.type === "array" && def.element) {
    schemaPaths(def.element, `${prefix}[]`, out);
  }
  return out;
}

/** The key paths a YAML document actually writes, named as schemaPaths names them. */
function usedPaths(node: SchemaNode, data: unknown, prefix: string, out: Set<string>): Set<string> {
  const schema = unwrap(node);
  if (isRequirement(schema)) prefix = REQUIREMENT;
  const def = schema._zod.def;
  if (def.type === "object" && def.shape && data && typeof data === "object" && !Array.isArray(data)) {
    for (const [key, value] of Object.entries(data)) {
      const child = def.shape[key];
      if (!child) continue;
      const path = prefix ? `${prefix}.${key}` : key;
      out.add(path);
      usedPaths(child, value, path, out);
    }
  } else if (def.type === "array" && def.element && Array.isArray(data)) {
    for (const item of data) usedPaths(def.element, item, `${prefix}[]`, out);
  }
  return out;
}

const policyNode = policySchema as unknown as SchemaNode;

// ---------------------------------------------------------------------------------------------
// Building pull requests.

const HEAD = "c0ffee0000000000000000000000000000000001";
const OLDER = "c0ffee0000000000000000000000000000000000";

import { parseCodeOwners } from "../../src/policy/codeowners.js";

/** A check run on the head commit, passed unless told. */
function checkRun(name: string, extra: Partial<CheckRunFact> = {}): CheckRunFact {
  return { id: 1, name, appSlug: "github-actions", status: "completed", conclusion: "success", ...extra };
}

/** CI on the head commit: test and lint passed, and code scanning's CodeQL. */
const GREEN_CI: CiFacts = {
  checkRuns: [checkRun("test"), checkRun("lint"), checkRun("CodeQL", { appSlug: "github-advanced-security" })],
  statuses: [],
  complete: true,
  ownAppSlug: "guardrails",
};

function pullRequest(overrides: Partial<PullRequestFacts>): PullRequestFacts {
  // The repository's CODEOWNERS at the base: payments code is owned by its on-call lead.
  const codeOwners = parseCodeOwners("/src/payments/ @payments-oncall-lead\n/test/ @erin @acme/qa\n");
  return facts({
    headSha: HEAD,
    author: { login: "dana", isBot: false },
    title: "Improve the thing",
    headBranch: "feature/improve",
    codeOwners,
    repositoryOwner: "acme",
    ci: GREEN_CI,
    ...overrides,
  });
}

function file(path: string, additions = 20, deletions = 5, status: ChangedFile["status"] = "modified"): ChangedFile {
  return { path, status, additions, deletions };
}

function approval(author: string, commitId = HEAD): Review {
  return { author, authorIsBot: false, state: "APPROVED", commitId, authorAssociation: "MEMBER" };
}

function requirement(decision: Decision, kind: RequirementKind): RequirementResult {
  const found = decision.requirements.find((r) => r.kind === kind);
  if (!found) throw new Error(`no ${kind} requirement in ${JSON.stringify(decision.requirements.map((r) => r.kind))}`);
  return found;
}

function approverTeams(decision: Decision): string[][] {
  return decision.requirements.filter((r) => r.kind === "approvers").map((r) => r.group?.teams ?? []);
}

const reasonKinds = (decision: Decision) => decision.reasons.map((reason) => reason.kind);
const ruleNames = (decision: Decision) => decision.reasons.filter((r) => r.kind === "rule").map((r) => r.rule);
const unmet = (decision: Decision) => decision.requirements.filter((r) => !r.met).map((r) => r.kind);

// ---------------------------------------------------------------------------------------------

describe("example policies", () => {
  it("are the three documented examples, at least", () => {
    expect(exampleFiles).toEqual(expect.arrayContaining(["infrastructure.yml", "monorepo.yml", "web-service.yml"]));
    const readme = readFileSync(join(examplesDir, "README.md"), "utf8");
    for (const name of exampleFiles) expect(readme).toContain(`(${name})`);
  });

  it.each(exampleFiles)("%s loads without problems", (name) => {
    expect(loadPolicy(readExample(name), { organization: isOrganizationExample(name) })).toMatchObject({ ok: true });
  });

  it("use every key of the policy language between them", () => {
    const all = schemaPaths(policyNode, "", new Set());
    const used = new Set<string>();
    for (const name of exampleFiles) usedPaths(policyNode, parse(readExample(name)), "", used);
    expect(all.size).toBeGreaterThan(40);
    expect([...all].filter((path) => !used.has(path))).toEqual([]);
  });

  it("show labels turned off with prefix: false", () => {
    expect(exampleFiles.map((name) => example(name).labels.prefix)).toContain(false);
  });
});

describe("examples/web-service.yml", () => {
  const policy = example("web-service.yml");
  const paymentsFix = {
    title: "PAY-1234 Refund partial captures correctly",
    files: [file("src/payments/refunds.ts", 40, 10), file("test/payments/refunds.test.ts", 60, 0)],
  };

  it("makes a payments change high, with the payments team, a ticket and both checklists", () => {
    const decision = evaluate(policy, pullRequest(paymentsFix));
    expect(decision.tier).toBe("high");
    expect(ruleNames(decision)).toEqual(["payments"]);
    expect(requirement(decision, "approvals").required).toBe(2);
    expect(approverTeams(decision)).toEqual([["payments"]]);
    expect(requirement(decision, "tests").met).toBe(true);
    expect(requirement(decision, "ticket").met).toBe(true);
    expect(decision.checklist).toEqual([
      "Rollback plan is described in the PR",
      "Dashboards and alerts cover the change",
      "Tested against the payment provider's sandbox",
      "No card data is logged or stored",
    ]);
    expect(decision.conclusion).toBe("failure");
  });

  it("passes the payments change once two members, one from payments, approve and every item is ticked", () => {
    const decision = evaluate(
      policy,
      pullRequest({
        ...paymentsFix,
        reviews: [approval("erin"), approval("payments-oncall-lead")],
        checklist: [
          "Rollback plan is described in the PR",
          "Dashboards and alerts cover the change",
          "Tested against the payment provider's sandbox",
          "No card data is logged or stored",
        ].map((item) => ({ item, tickedBy: "dana" })),
      }),
    );
    expect(decision.tier).toBe("high");
    expect(unmet(decision)).toEqual([]);
    expect(decision.conclusion).toBe("success");
  });

  it("wants the security team for sign-in code, and discards an approval from before the last push", () => {
    const decision = evaluate(
      policy,
      pullRequest({
        title: "SEC-88 Rotate session keys",
        files: [file("src/session/keys.ts"), file("src/session/keys.test.ts")],
        reviews: [approval("sam", OLDER)],
        teamMembers: { security: ["sam"] },
      }),
    );
    expect(decision.tier).toBe("high");
    expect(ruleNames(decision)).toEqual(["auth"]);
    expect(approverTeams(decision)).toEqual([["security"]]);
    expect(requirement(decision, "approvers").met).toBe(false);
    expect(decision.checklist).toContain("Threat model reviewed for this change");
  });

  it("keeps a README beside the auth code low", () => {
    const decision = evaluate(policy, pullRequest({ files: [file("src/auth/README.md")] }));
    expect(decision.tier).toBe("low");
    expect(ruleNames(decision)).toEqual(["docs"]);
    expect(decision.conclusion).toBe("success");
  });

  it("makes ordinary code medium and lets a writer's exempt label waive tests", () => {
    const facts = pullRequest({ files: [file("src/api/orders.ts")], reviews: [approval("erin")] });
    const withoutTests = evaluate(policy, facts);
    expect(withoutTests.tier).toBe("medium");
    expect(reasonKinds(withoutTests)).toEqual(["default"]);
    expect(unmet(withoutTests)).toEqual(["tests"]);

    const exempted = evaluate(policy, {
      ...facts,
      labels: [{ name: "no-tests-needed", appliedBy: { login: "erin", permission: "write" } }],
    });
    expect(exempted.conclusion).toBe("success");
  });

  it("does not count the lock file toward size: a 6000-line lock file update stays medium", () => {
    const decision = evaluate(
      policy,
      pullRequest({ files: [file("package.json", 2, 2), file("package-lock.json", 3000, 3000)] }),
    );
    expect(decision.tier).toBe("medium");
    expect(ruleNames(decision)).toEqual(["dependencies"]);
    expect(decision.size).toEqual({ lines: 4, files: 1, ignoredFiles: 1 });
  });

  it("waits for CI: test on a medium PR, and CodeQL only from code scanning on a high one", () => {
    const medium = { files: [file("src/api/orders.ts"), file("test/api/orders.test.ts")], reviews: [approval("erin")] };
    expect(evaluate(policy, pullRequest(medium)).conclusion).toBe("success");
    const running = evaluate(
      policy,
      pullRequest({ ...medium, ci: { ...GREEN_CI, checkRuns: [checkRun("test", { status: "in_progress" })] } }),
    );
    expect(unmet(running)).toEqual(["checks"]);
    expect(requirement(running, "checks").message).toBe("waiting for `test` (in progress)");

    const imitated = evaluate(
      policy,
      pullRequest({
        ...paymentsFix,
        ci: { ...GREEN_CI, checkRuns: [checkRun("test"), checkRun("CodeQL", { appSlug: "someone-elses-app" })] },
      }),
    );
    const codeql = imitated.requirements.find((r) => r.kind === "checks" && r.check?.name === "CodeQL");
    expect(codeql).toMatchObject({ met: false, sources: ["tier:high"] });
  });

  it("does not count the approval of a reviewer who pushed to the PR", () => {
    const decision = evaluate(
      policy,
      pullRequest({
        files: [file("src/api/orders.ts"), file("test/api/orders.test.ts")],
        reviews: [approval("erin")],
        contributors: [{ login: "erin", why: "pushed to this PR" }],
      }),
    );
    expect(unmet(decision)).toEqual(["approvals"]);
    expect(requirement(decision, "approvals").message).toContain("not counted: erin pushed to this PR");
  });

  it("makes a policy change high and asks the security team", () => {
    const decision = evaluate(policy, pullRequest({ files: [file(".github/guardrails.yml", 3, 1)] }));
    expect(decision.tier).toBe("high");
    expect(reasonKinds(decision)).toContain("policy_change");
    expect(approverTeams(decision)).toEqual([["security"]]);
  });
});

describe("examples/monorepo.yml", () => {
  const policy = example("monorepo.yml");

  it("ignores a 5000-line pnpm-lock.yaml, but not 5000 lines of code", () => {
    const feature = [file("packages/ui/src/button.tsx", 30, 4), file("packages/ui/src/button.test.tsx", 25, 0)];
    const withLockfile = evaluate(policy, pullRequest({ files: [...feature, file("pnpm-lock.yaml", 4000, 1000)] }));
    expect(withLockfile.tier).toBe("medium");
    expect(reasonKinds(withLockfile)).not.toContain("size");
    expect(withLockfile.size).toEqual({ lines: 59, files: 2, ignoredFiles: 1 });

    const withCode = evaluate(
      policy,
      pullRequest({ files: [...feature, file("packages/ui/src/table.tsx", 4000, 1000)] }),
    );
    expect(withCode.tier).toBe("high");
    expect(reasonKinds(withCode)).toContain("size");
  });

  it("raises a docs-only PR by a coding agent to medium and asks for two approvals and a human read", () => {
    const decision = evaluate(
      policy,
      pullRequest({ author: { login: "copilot-swe-agent", isBot: true }, files: [file("docs/getting-started.md")] }),
    );
    expect(decision.tier).toBe("medium");
    expect(reasonKinds(decision)).toEqual(["rule", "agent"]);
    expect(requirement(decision, "approvals").required).toBe(2);
    expect(decision.checklist).toEqual(["A human has read the whole diff, not only the summary"]);
  });

  it("treats a commit co-authored by an agent as agent-authored", () => {
    const decision = evaluate(
      policy,
      pullRequest({ files: [file("docs/faq.md")], coAuthors: ["Claude <noreply@anthropic.com>"] }),
    );
    expect(decision.agentAuthored).toBe(true);
    expect(decision.tier).toBe("medium");
  });

  it("treats a commit marked only by an Assisted-by trailer as agent-authored", () => {
    const decision = evaluate(
      policy,
      pullRequest({
        files: [file("docs/faq.md")],
        trailers: [{ key: "Assisted-by", value: "Claude <noreply@anthropic.com>" }],
      }),
    );
    expect(decision.agentAuthored).toBe(true);
    expect(decision.tier).toBe("medium");
  });

  it.each(["AGENTS.md", "services/billing/CLAUDE.md", ".github/copilot-instructions.md", ".cursor/rules/ts.mdc"])(
    "makes a change to %s, which steers coding agents, high with the platform team",
    (path) => {
      const decision = evaluate(policy, pullRequest({ files: [file(path)] }));
      expect(decision.tier).toBe("high");
      expect(ruleNames(decision)).toContain("agent-instructions");
      expect(approverTeams(decision)).toEqual([["platform"]]);
    },
  );

  it("makes billing code high, with the billing team, a ticket and the customised high checklist", () => {
    const decision = evaluate(
      policy,
      pullRequest({
        headBranch: "BILL-42-proration",
        files: [file("services/billing/src/proration.ts"), file("services/billing/src/proration.test.ts")],
      }),
    );
    expect(decision.tier).toBe("high");
    expect(ruleNames(decision)).toEqual(["billing-service"]);
    expect(approverTeams(decision)).toEqual([["billing"]]);
    expect(requirement(decision, "ticket").met).toBe(true);
    expect(decision.checklist).toEqual([
      "Rollback plan is described in the PR",
      "Feature flag or staged rollout is in place",
    ]);
  });

  it("gives medium the built-in default's requirements, and keeps approvals across pushes", () => {
    const decision = evaluate(
      policy,
      pullRequest({
        files: [file("apps/web/src/pages/pricing.tsx"), file("apps/web/src/pages/pricing.test.tsx")],
        reviews: [approval("lee", OLDER)],
        teamMembers: { "frontend-leads": ["lee"] },
      }),
    );
    expect(decision.tier).toBe("medium");
    expect(requirement(decision, "approvals").required).toBe(1);
    expect(requirement(decision, "tests").met).toBe(true);
    expect(approverTeams(decision)).toEqual([["frontend-leads"]]);
    expect(decision.conclusion).toBe("success");
  });

  it("asks two platform engineers for a policy change", () => {
    const decision = evaluate(policy, pullRequest({ files: [file(".github/guardrails.yml")] }));
    expect(decision.tier).toBe("high");
    expect(requirement(decision, "approvers").required).toBe(2);
    expect(approverTeams(decision)).toEqual([["platform"]]);
  });
});

describe("examples/infrastructure.yml", () => {
  const policy = example("infrastructure.yml");

  it("makes a staging change medium with one approval", () => {
    const decision = evaluate(
      policy,
      pullRequest({ files: [file("terraform/envs/staging/main.tf", 12, 3)], reviews: [approval("kim")] }),
    );
    expect(decision.tier).toBe("medium");
    expect(ruleNames(decision)).toEqual(["non-prod"]);
    expect(decision.conclusion).toBe("success");
  });

  it("escalates a large staging change to high by size", () => {
    const decision = evaluate(policy, pullRequest({ files: [file("terraform/envs/staging/main.tf", 500, 150)] }));
    expect(decision.tier).toBe("high");
    expect(reasonKinds(decision)).toEqual(["rule", "size"]);
  });

  it("makes a production overlay high: SRE and platform approvers, a change ticket, the rollback checklist", () => {
    const decision = evaluate(
      policy,
      pullRequest({
        title: "chg-2231 Raise API replicas",
        files: [file("k8s/overlays/prod/api/deployment.yaml", 1, 1)],
      }),
    );
    expect(decision.tier).toBe("high");
    expect(ruleNames(decision)).toEqual(["production"]);
    expect(approverTeams(decision)).toEqual([["platform"], ["sre"]]);
    expect(requirement(decision, "ticket").met).toBe(true);
    expect(decision.checklist).toEqual([
      "Rollback plan is described in the PR (previous version, or the revert and re-apply steps)",
      "Change is announced in the infrastructure channel",
      "terraform plan / kubectl diff output is attached to the PR",
    ]);
  });

  it("makes a file no rule names high by default", () => {
    const decision = evaluate(policy, pullRequest({ files: [file("scripts/rotate-keys.sh")] }));
    expect(decision.tier).toBe("high");
    expect(reasonKinds(decision)).toEqual(["default"]);
  });

  it("wants Terraform tests with module code", () => {
    const untested = evaluate(policy, pullRequest({ files: [file("terraform/modules/vpc/main.tf")] }));
    expect(untested.tier).toBe("high");
    expect(requirement(untested, "tests").met).toBe(false);
    const tested = evaluate(
      policy,
      pullRequest({
        files: [
          file("terraform/modules/vpc/main.tf"),
          file("terraform/modules/vpc/tests/subnets.tftest.hcl", 40, 0, "added"),
        ],
      }),
    );
    expect(requirement(tested, "tests").met).toBe(true);
  });

  it("makes a Renovate bump of a dev provider lock high and asks the platform team", () => {
    const decision = evaluate(
      policy,
      pullRequest({
        author: { login: "renovate[bot]", isBot: true },
        files: [file("terraform/envs/dev/.terraform.lock.hcl", 30, 30)],
      }),
    );
    expect(decision.tier).toBe("high");
    expect(reasonKinds(decision)).toEqual(["rule", "agent"]);
    expect(decision.size.lines).toBe(0);
    expect(approverTeams(decision)).toEqual([["platform"]]);
  });

  it("keeps a runbook low", () => {
    const decision = evaluate(policy, pullRequest({ files: [file("runbooks/failover.md")] }));
    expect(decision.tier).toBe("low");
    expect(decision.conclusion).toBe("success");
  });
});

describe("examples/rollout.yml", () => {
  const policy = example("rollout.yml");
  const untested = {
    files: [file("src/app.ts")],
    ci: { ...GREEN_CI, checkRuns: [checkRun("test", { conclusion: "failure" })] },
  };

  it("is on trial: a PR that would fail concludes success and says what would fail", () => {
    const decision = evaluate(policy, pullRequest(untested));
    expect(decision).toMatchObject({ tier: "medium", conclusion: "success", mode: "evaluate", wouldFail: true });
    expect(unmet(decision)).toEqual(["approvals", "tests", "checks", "checks"]);
  });

  it("fails the same PR once switched to enforce", () => {
    const enforced = loadPolicy(readExample("rollout.yml").replace("\nmode: evaluate\n", "\nmode: enforce\n"));
    if (!enforced.ok) throw new Error(JSON.stringify(enforced.problems));
    expect(evaluate(enforced.policy, pullRequest(untested))).toMatchObject({ conclusion: "failure", mode: "enforce" });
  });

  it("lets lint be skipped, but only GitHub Actions' lint counts", () => {
    const decision = evaluate(
      policy,
      pullRequest({
        files: [file("src/app.ts"), file("test/app.test.ts")],
        reviews: [approval("erin")],
        ci: { ...GREEN_CI, checkRuns: [checkRun("test"), checkRun("lint", { conclusion: "skipped" })] },
      }),
    );
    expect(decision).toMatchObject({ conclusion: "success", wouldFail: false });
  });

  it("makes a workflow change high with the platform team", () => {
    const decision = evaluate(policy, pullRequest({ files: [file(".github/workflows/test.yml")] }));
    expect(decision.tier).toBe("high");
    expect(approverTeams(decision)).toEqual([["platform"]]);
  });
});

// ---------------------------------------------------------------------------------------------

/** The text under a heading, up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const level = /^#+/.exec(heading)![0].length;
  const lines = docs.split("\n");
  const start = lines.indexOf(heading);
  if (start === -1) throw new Error(`docs/policy.md has no heading "${heading}"`);
  let end = start + 1;
  while (end < lines.length && !new RegExp(`^#{1,${level}} `).test(lines[end]!)) end++;
  return lines.slice(start + 1, end).join("\n");
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A heading naming the key, or a table row whose first cell is the key (possibly a link). */
const headingOrRow = (key: string) => new RegExp(`^(#{1,6} .*\`${escape(key)}\`|\\| \\[?\`${escape(key)}\`)`, "m");
const tableRow = (key: string) => new RegExp(`^\\| \\[?\`${escape(key)}\``, "m");

function shapeKeys(node: SchemaNode): string[] {
  const schema = unwrap(node);
  const def = schema._zod.def;
  if (def.type === "array" && def.element) return shapeKeys(def.element);
  return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

describe("docs/policy.md", () => {
  it("shows the built-in default policy verbatim, in a yaml block under its heading", () => {
    const block = "```yaml\n" + BUILT_IN_POLICY_YAML + "```\n";
    expect(section("## Built-in default policy")).toContain(block);
  });

  it("documents every top-level key of the schema as a heading or a table entry", () => {
    const keys = Object.keys(policySchema.shape);
    expect(keys).toContain("version");
    expect(keys.filter((key) => !headingOrRow(key).test(docs))).toEqual([]);
    expect(keys.filter((key) => !docs.includes(`## \`${key}\``))).toEqual([]);
  });

  it("documents every key of each section in that section's table", () => {
    const missing: string[] = [];
    for (const [key, child] of Object.entries(policySchema.shape)) {
      const text = section(`## \`${key}\``);
      for (const nested of shapeKeys(child)) {
        if (!tableRow(nested).test(text)) missing.push(`${key}.${nested}`);
      }
    }
    const requirementText = section("### The requirement object");
    for (const nested of shapeKeys(requirementSchema)) {
      if (!tableRow(nested).test(requirementText)) missing.push(`<requirement>.${nested}`);
    }
    const approverGroup = (requirementSchema as unknown as SchemaNode)._zod.def.shape!.approvers!;
    for (const nested of shapeKeys(approverGroup)) {
      if (!tableRow(nested).test(requirementText)) missing.push(`<requirement>.approvers[].${nested}`);
    }
    expect(missing).toEqual([]);
  });

  it("documents the built-in defaults of every defaulted key with their values", () => {
    const parsed = loadPolicy("version: 1");
    if (!parsed.ok) throw new Error("version: 1 must load");
    const { tests, ticket, default_tier: defaultTier, approvals, labels } = parsed.policy;
    const testsSection = section("## `tests`");
    expect(testsSection).toContain(JSON.stringify(tests.source).replace(/,/g, ", "));
    expect(testsSection).toContain(JSON.stringify(tests.tests).replace(/,/g, ", "));
    expect(testsSection).toContain(`\`${tests.exempt_label}\``);
    expect(section("## `ticket`")).toContain(`\`${ticket.pattern}\``);
    expect(section("## `default_tier`")).toContain(`\`${defaultTier}\``);
    expect(section("## `approvals`")).toContain(`\`${approvals.stale}\``);
    expect(section("## `labels`")).toContain(`\`"${String(labels.prefix)}"\``);
  });

  it("states what each tier left out demands, as DEFAULT_TIER_REQUIREMENTS says", () => {
    const text = section("## `tiers`");
    for (const tier of TIERS) {
      const row = new RegExp(`^\\| \`${tier}\` \\| requirement \\| \`([^\`]+)\``, "m").exec(text);
      expect(row).not.toBeNull();
      expect(parse(row![1]!)).toEqual(DEFAULT_TIER_REQUIREMENTS[tier]);
    }
  });

  it("states the limits the code enforces", () => {
    expect(docs).toContain(`larger than ${MAX_POLICY_BYTES / 1024} KiB`);
    const ticket = section("## `ticket`");
    expect(ticket).toContain(`first ${MAX_TICKET_TITLE} characters of the title`);
    expect(ticket).toContain(`${MAX_TICKET_BRANCH} characters of the branch name`);
    const body = ticketTextLimits(compileTicketPattern(DEFAULT_TICKET_PATTERN).instructions).body;
    expect(ticket).toContain(`default pattern, the first ${body.toLocaleString("en-US")} characters of the body`);
  });
});
