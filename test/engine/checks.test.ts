/**
 * The `checks` requirement (policy-v1 "Additions … 2026-12-07"): the newest run of each name on
 * the head commit (never Guardrails' own; only the pinned app's when `app` is set), else the
 * commit status of that context, must conclude with one of the entry's conclusions.
 */
import { describe, expect, it } from "@jest/globals";
import type { CheckRunFact, CiFacts, CommitStatusFact, Decision, RequirementResult } from "../../src/engine/types.js";
import type { PolicyInput } from "../../src/policy/schema.js";
import { file, policy, run } from "./fixtures.js";

type Checks = NonNullable<NonNullable<PolicyInput["tiers"]>["medium"]>["checks"];

const OWN = "guardrails-app";
const URL = "https://github.com/acme/web/actions/runs/1/job/2";

const checkRun = (name: string, extra: Partial<CheckRunFact> = {}): CheckRunFact => ({
  id: 1,
  name,
  appSlug: "github-actions",
  status: "completed",
  conclusion: "success",
  url: URL,
  ...extra,
});

const ci = (checkRuns: CheckRunFact[], statuses: CommitStatusFact[] = [], extra: Partial<CiFacts> = {}): CiFacts => ({
  checkRuns,
  statuses,
  complete: true,
  ownAppSlug: OWN,
  ...extra,
});

/** A medium PR whose tier demands exactly `checks`. */
const judge = (checks: Checks, facts?: CiFacts): Decision =>
  run(policy({ tiers: { low: {}, medium: { checks }, high: {} } }), {
    files: [file("src/app.ts")],
    ...(facts ? { ci: facts } : {}),
  });

const checksOf = (decision: Decision): RequirementResult[] => decision.requirements.filter((r) => r.kind === "checks");
const only = (decision: Decision): RequirementResult => {
  const found = checksOf(decision);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe("a checks entry judged on the head commit's check runs", () => {
  it.each<[string, Partial<CheckRunFact>, boolean, string]>([
    ["queued", { status: "queued", conclusion: null }, false, "waiting for `test` (queued)"],
    ["in progress", { status: "in_progress", conclusion: null }, false, "waiting for `test` (in progress)"],
    [
      "waiting for a deployment's approval",
      { status: "waiting", conclusion: null },
      false,
      "waiting for `test` (waiting for approval of a deployment)",
    ],
    [
      "concluded failure",
      { conclusion: "failure" },
      false,
      `\`test\` concluded failure ([details](${URL})); needs success`,
    ],
    [
      "concluded neutral",
      { conclusion: "neutral" },
      false,
      `\`test\` concluded neutral ([details](${URL})); needs success`,
    ],
    [
      "concluded skipped (not listed)",
      { conclusion: "skipped" },
      false,
      `\`test\` concluded skipped ([details](${URL})); needs success`,
    ],
    [
      "concluded cancelled",
      { conclusion: "cancelled" },
      false,
      `\`test\` concluded cancelled ([details](${URL})); needs success`,
    ],
    [
      "concluded timed_out",
      { conclusion: "timed_out" },
      false,
      `\`test\` concluded timed_out ([details](${URL})); needs success`,
    ],
    [
      "concluded startup_failure",
      { conclusion: "startup_failure" },
      false,
      `\`test\` concluded startup_failure ([details](${URL})); needs success`,
    ],
    ["concluded success", { conclusion: "success" }, true, "`test` concluded success"],
  ])("%s", (_name, extra, met, message) => {
    const decision = judge(["test"], ci([checkRun("test", extra)]));
    const result = only(decision);
    expect(result).toMatchObject({ met, message, local: false, sources: ["tier:medium"] });
    expect(result.check).toEqual({ name: "test", conclusions: ["success"] });
    expect(result.result).toMatchObject({
      source: "check_run",
      status: extra.status ?? "completed",
      app: "github-actions",
    });
    expect(decision.conclusion).toBe(met ? "success" : "failure");
    expect(result.howTo === "").toBe(met);
  });

  it("passes on a listed conclusion other than success", () => {
    const decision = judge(
      [{ name: "e2e", conclusions: ["success", "skipped"] }],
      ci([checkRun("e2e", { conclusion: "skipped" })]),
    );
    expect(only(decision)).toMatchObject({ met: true, message: "`e2e` concluded skipped" });
  });

  it("names the listed conclusions when the run concluded another", () => {
    const decision = judge(
      [{ name: "e2e", conclusions: ["success", "skipped"] }],
      ci([checkRun("e2e", { conclusion: "failure" })]),
    );
    expect(only(decision).message).toContain("needs success or skipped");
  });

  it("counts the newest run of a name (the highest id), whatever the list's order", () => {
    const runs = [
      checkRun("test", { id: 7, conclusion: "success" }),
      checkRun("test", { id: 9, status: "in_progress", conclusion: null }),
      checkRun("test", { id: 3, conclusion: "failure" }),
    ];
    expect(only(judge(["test"], ci(runs)))).toMatchObject({ met: false, message: "waiting for `test` (in progress)" });
    const rerun = [
      checkRun("test", { id: 7, conclusion: "failure" }),
      checkRun("test", { id: 8, conclusion: "success" }),
    ];
    expect(only(judge(["test"], ci(rerun))).met).toBe(true);
  });

  it("matches names exactly (case and spaces count)", () => {
    const decision = judge(["test"], ci([checkRun("Test"), checkRun("test ")]));
    expect(only(decision)).toMatchObject({ met: false, message: "waiting for `test`" });
  });

  it("never counts Guardrails' own run, even when a policy names it", () => {
    const own = checkRun("guardrails", { appSlug: OWN, conclusion: "success" });
    expect(only(judge(["guardrails"], ci([own]))).met).toBe(false);
    expect(only(judge(["guardrails"], ci([own], [], { ownAppSlug: "Guardrails-App" }))).met).toBe(false);
  });

  it("a run with no link is reported without one, and an unsafe link is dropped", () => {
    expect(only(judge(["test"], ci([checkRun("test", { conclusion: "failure", url: undefined })]))).message).toBe(
      "`test` concluded failure; needs success",
    );
    for (const url of ["javascript:alert(1)", "https://x.test/a) [y](https://evil.test", "https://x.test/a b"]) {
      expect(only(judge(["test"], ci([checkRun("test", { conclusion: "failure", url })]))).message).toBe(
        "`test` concluded failure; needs success",
      );
    }
  });

  it("shows a name with backticks as one code span", () => {
    const decision = judge(["a`b"], ci([]));
    expect(only(decision).message).toBe("waiting for `` a`b ``");
  });
});

describe("a pinned app", () => {
  const pinned: Checks = [{ name: "CodeQL", app: "github-advanced-security" }];

  it("counts only the pinned app's run", () => {
    const decision = judge(pinned, ci([checkRun("CodeQL", { appSlug: "github-advanced-security" })]));
    expect(only(decision)).toMatchObject({ met: true, result: { app: "github-advanced-security" } });
  });

  it("a run of that name from another app fails it, and says so", () => {
    const decision = judge(pinned, ci([checkRun("CodeQL", { appSlug: "imitation-app", conclusion: "success" })]));
    expect(only(decision)).toMatchObject({
      met: false,
      message:
        "waiting for `CodeQL` from the app github-advanced-security; a run of that name by imitation-app does not count (pinned to github-advanced-security)",
    });
    expect(decision.conclusion).toBe("failure");
  });

  it("the pinned app's run counts even when another app's run of that name is newer", () => {
    const runs = [
      checkRun("CodeQL", { id: 1, appSlug: "github-advanced-security", conclusion: "success" }),
      checkRun("CodeQL", { id: 2, appSlug: "imitation-app", conclusion: "failure" }),
    ];
    expect(only(judge(pinned, ci(runs))).met).toBe(true);
  });

  it("compares the slug case-insensitively", () => {
    const decision = judge(
      [{ name: "CodeQL", app: "GitHub-Advanced-Security" }],
      ci([checkRun("CodeQL", { appSlug: "github-advanced-security" })]),
    );
    expect(only(decision).met).toBe(true);
  });

  it("never falls back to a commit status (a status has no app to pin)", () => {
    const decision = judge(pinned, ci([], [{ context: "CodeQL", state: "success" }]));
    expect(only(decision).met).toBe(false);
  });
});

describe("the commit status fallback", () => {
  it.each<[string, CommitStatusFact, boolean, string]>([
    ["success", { context: "ci/jenkins", state: "success", url: URL }, true, "`ci/jenkins` commit status success"],
    ["pending", { context: "ci/jenkins", state: "pending" }, false, "waiting for `ci/jenkins` (commit status pending)"],
    [
      "failure",
      { context: "ci/jenkins", state: "failure", url: URL },
      false,
      `\`ci/jenkins\` commit status failure ([details](${URL})); needs success`,
    ],
    ["error", { context: "ci/jenkins", state: "error" }, false, "`ci/jenkins` commit status error; needs success"],
  ])("a status %s", (_name, status, met, message) => {
    const decision = judge(["ci/jenkins"], ci([], [status]));
    expect(only(decision)).toMatchObject({ met, message, result: { source: "status" } });
  });

  it("applies only when no run of that name exists", () => {
    const decision = judge(
      ["test"],
      ci([checkRun("test", { status: "queued", conclusion: null })], [{ context: "test", state: "success" }]),
    );
    expect(only(decision)).toMatchObject({ met: false, message: "waiting for `test` (queued)" });
  });

  it("Guardrails' own run does not hide a status of the same context", () => {
    const decision = judge(
      ["guardrails"],
      ci([checkRun("guardrails", { appSlug: OWN })], [{ context: "guardrails", state: "success" }]),
    );
    expect(only(decision).result).toMatchObject({ source: "status" });
  });

  it("neither a run nor a status: waiting for it", () => {
    const decision = judge(["test"], ci([checkRun("lint")], [{ context: "build", state: "success" }]));
    expect(only(decision)).toMatchObject({ met: false, message: "waiting for `test`" });
    expect(only(decision).result).toBeUndefined();
  });
});

describe("without CI facts, or with an incomplete read", () => {
  it("the CLI and the simulate API (no CI facts): unmet, judged on GitHub", () => {
    const decision = judge(["test", { name: "CodeQL", app: "github-advanced-security" }]);
    expect(checksOf(decision).map((r) => [r.met, r.local, r.message])).toEqual([
      [false, false, "`test` is judged on GitHub: CI results on the head commit cannot be seen here"],
      [
        false,
        false,
        "`CodeQL` from the app github-advanced-security is judged on GitHub: CI results on the head commit cannot be seen here",
      ],
    ]);
  });

  it("fails closed when not every run or status could be read, even with a passing run in view", () => {
    const decision = judge(["test"], ci([checkRun("test")], [], { complete: false }));
    expect(only(decision)).toMatchObject({
      met: false,
      message: "not every check run and commit status of the head commit could be read, so `test` cannot be judged",
    });
  });
});

describe("checks combine", () => {
  it("concatenate without duplicates, each entry with its sources", () => {
    const p = policy({
      rules: [{ name: "api", tier: "medium", paths: ["src/**"], require: { checks: ["test", "e2e"] } }],
      tiers: { low: {}, medium: { checks: ["test", { name: "test", conclusions: ["success", "skipped"] }] }, high: {} },
    });
    const decision = run(p, { files: [file("src/app.ts")], ci: ci([checkRun("test"), checkRun("e2e")]) });
    expect(checksOf(decision).map((r) => [r.check, r.sources, r.met])).toEqual([
      [{ name: "test", conclusions: ["success"] }, ["tier:medium", "rule:api"], true],
      [{ name: "test", conclusions: ["success", "skipped"] }, ["tier:medium"], true],
      [{ name: "e2e", conclusions: ["success"] }, ["rule:api"], true],
    ]);
  });

  it("an entry written as a name and as a mapping with the default conclusions is one entry", () => {
    const p = policy({
      tiers: {
        low: {},
        medium: { checks: ["test", { name: "test" }, { name: "test", conclusions: ["success"] }] },
        high: {},
      },
    });
    expect(checksOf(run(p, { files: [file("a.ts")], ci: ci([]) }))).toHaveLength(1);
  });

  it("come after the checklist and before the change requests", () => {
    const p = policy({ tiers: { low: {}, medium: { approvals: 1, checklist: ["x"], checks: ["test"] }, high: {} } });
    expect(run(p, { files: [file("a.ts")] }).requirements.map((r) => r.kind)).toEqual([
      "approvals",
      "checklist",
      "checks",
      "changes_requested",
    ]);
  });
});
