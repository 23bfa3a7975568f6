/**
 * A policy push re-evaluates every open PR it governs, paced over minutes or hours: a process that
 * dies part-way must not lose the PRs it had not reached. They are recorded as pending up front
 * (one write), and the restarted process resumes them through the same pacing.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FilePendingEvaluations } from "../../src/operations/pending-evaluations.js";
import type { WriteBudget } from "../../src/operations/fan-out.js";
import { FILES, LAX, POLICY, POLICY_PATH, sha, useFakeGitHubNetwork, World } from "../github/harness.js";

useFakeGitHubNetwork();

const directories: string[] = [];
afterEach(() => {
  for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A budget that lets `count` evaluations through and then never again (the process "dies" waiting). */
function stallingBudget(count: number): WriteBudget {
  let left = count;
  return {
    tryTake: async () => (left-- > 0 ? 0 : new Promise<number>(() => undefined)),
    giveBack: () => Promise.resolve(),
    add: () => Promise.resolve(),
  };
}

const until = async (done: () => boolean, what: string) => {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!done()) throw new Error(`timed out waiting for ${what}`);
};

describe("a policy push's fan-out cut short by a restart", () => {
  it("records every PR before the first goes out (the most recently updated go first), and the restarted process re-evaluates the rest through the pacing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "guardrails-fanout-"));
    directories.push(dir);
    const file = join(dir, "pending.json");
    const w = new World({
      policy: LAX,
      app: { pending: new FilePendingEvaluations(file), fanOutBudget: stallingBudget(2) },
    });
    const pulls = Array.from({ length: 8 }, (_, i) =>
      w.addPullRequest({
        number: 10 + i,
        files: FILES.high,
        headSha: sha(`pr ${i}`),
        updatedAt: new Date(Date.UTC(2026, 10, 1 + i)).toISOString(),
      }),
    );
    for (const pr of pulls) await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(pulls.map((pr) => w.checkRuns(pr.headSha)[0]!.conclusion)).toEqual(Array(8).fill("success"));

    // The policy tightens: every PR touching src/auth becomes high and fails.
    w.fake.setPolicy(w.repo, "master", POLICY);
    void w.receive("push", w.pushEvent("master", [{ modified: [POLICY_PATH] }]));
    // Two evaluations go out (the most recently updated PRs), then the budget holds the rest back.
    await until(
      () => pulls.filter((pr) => w.checkRuns(pr.headSha)[0]!.conclusion === "failure").length === 2,
      "the first two re-evaluations",
    );
    expect(pulls.slice(6).map((pr) => w.checkRuns(pr.headSha)[0]!.conclusion)).toEqual(["failure", "failure"]);
    const readFile = () => JSON.parse(readFileSync(file, "utf8")) as { target: { number: number }; paced?: boolean }[];
    await until(() => readFile().length === 6, "the two finished evaluations to leave the file");
    const recorded = readFile();
    expect(recorded.map((e) => e.target.number).sort()).toEqual([10, 11, 12, 13, 14, 15]);
    expect(recorded.every((e) => e.paced === true)).toBe(true);

    // The process dies while waiting; the restarted one finds the six in the file and paces them.
    const restarted = w.replica({ pending: new FilePendingEvaluations(file), fanOutBudget: undefined });
    void restarted;
    await until(
      () => pulls.every((pr) => w.checkRuns(pr.headSha)[0]!.conclusion === "failure"),
      "the resumed re-evaluations",
    );
    expect(pulls.map((pr) => w.checkRuns(pr.headSha)[0]!.title)).toEqual(
      Array(8).fill("High risk · missing: 1 more approval, checklist (0/2)"),
    );
    await until(() => (JSON.parse(readFileSync(file, "utf8")) as unknown[]).length === 0, "the pending file to empty");
  });
});
