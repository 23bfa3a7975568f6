/**
 * Issue 19 item 7: the pending-evaluation store (a file, or a Redis hash) held the full trigger,
 * with who commented, and a resumed entry was trusted like a signed webhook: whoever could write
 * the store granted overrides as anyone. An entry now carries an HMAC (a key derived from the
 * app's state secret, which the store's writer does not hold) over its installation, target and
 * trigger; a resumed entry whose signature fails keeps only the PR and the event's name, so its
 * evaluation reads GitHub afresh and grants nothing.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseOverrideCommand } from "../../src/overrides/command.js";
import { FilePendingEvaluations, type PendingEvaluation } from "../../src/operations/pending-evaluations.js";
import { signPending } from "../../src/operations/pending-signature.js";
import { TEST_STATE_SECRET } from "../support/test-probot.js";
import { FILES, POLICY, useFakeGitHubNetwork, World } from "../github/harness.js";

useFakeGitHubNetwork();

const directories: string[] = [];
afterEach(() => {
  for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const until = async (done: () => boolean, what: string) => {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!done()) throw new Error(`timed out waiting for ${what}`);
};

/** A PR that fails (high, no approval) under a policy that lets `cto` override, and an entry claiming cto's command. */
async function setUp() {
  const dir = mkdtempSync(join(tmpdir(), "guardrails-forged-"));
  directories.push(dir);
  const file = join(dir, "pending.json");
  const w = new World({ policy: `${POLICY}overrides:\n  users: [cto]\n`, ownerType: "Organization" });
  w.repo.collaborators = { cto: "admin", mallory: "write" };
  const pr = w.addPullRequest({ number: 2, files: FILES.high });
  await w.receive("pull_request", w.pullRequestEvent("opened", pr));
  expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  // Mallory's own comment; the entry says cto wrote it.
  const body = "/guardrails override INC-1 forged in the store";
  pr.comments.push({ id: 990_001, body, user: "mallory", byApp: false });
  const entry: PendingEvaluation = {
    installationId: w.fake.installationId,
    target: { owner: w.owner, repo: w.name, number: pr.number },
    trigger: {
      event: "issue_comment.created",
      overrideCommands: [
        {
          command: parseOverrideCommand(body)!,
          by: "cto",
          isBot: false,
          commentId: 990_001,
          at: new Date().toISOString(),
        },
      ],
    },
    joinable: false,
    at: Date.now(),
  };
  return { w, pr, file, entry };
}

async function resume(w: World, file: string, entries: PendingEvaluation[]) {
  writeFileSync(file, JSON.stringify(entries));
  w.replica({ pending: new FilePendingEvaluations(file) });
  await until(() => (JSON.parse(readFileSync(file, "utf8")) as unknown[]).length === 0, "the entry to be resumed");
  // The resumed evaluation settles before its entry leaves the file; let its writes land.
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe("a resumed pending evaluation carries no authority its writer could forge", () => {
  it("an entry written by hand with a forged override command grants no override", async () => {
    const { w, pr, file, entry } = await setUp();
    await resume(w, file, [entry]);
    const run = w.checkRuns(pr.headSha)[0]!;
    expect(run).toMatchObject({ conclusion: "failure" });
    expect(run.title).not.toContain("Overridden");
    expect(
      pr.comments
        .filter((c) => c.byApp)
        .map((c) => c.body)
        .join("\n"),
    ).not.toContain("INC-1");
  });

  it("the same entry with a signature made with another secret grants no override", async () => {
    const { w, pr, file, entry } = await setUp();
    await resume(w, file, [signPending("someone else's secret", entry)]);
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  });

  it("a signed entry moved to another PR's target grants no override there", async () => {
    const { w, pr, file, entry } = await setUp();
    const signed = signPending(TEST_STATE_SECRET, { ...entry, target: { ...entry.target, number: 99 } });
    await resume(w, file, [{ ...signed, target: entry.target }]);
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  });

  it("control: an entry the app signed itself is resumed as it was written (the command is judged)", async () => {
    const { w, pr, file, entry } = await setUp();
    await resume(w, file, [signPending(TEST_STATE_SECRET, entry)]);
    expect(w.checkRuns(pr.headSha)[0]!.title).toContain("Overridden");
  });

  it("an entry the previous version signed, with its one overrideCommand, is resumed with that command", async () => {
    const { w, pr, file, entry } = await setUp();
    const { overrideCommands, ...trigger } = entry.trigger;
    const legacy = { ...entry, trigger: { ...trigger, overrideCommand: overrideCommands![0] } as typeof trigger };
    await resume(w, file, [signPending(TEST_STATE_SECRET, legacy)]);
    expect(w.checkRuns(pr.headSha)[0]!.title).toContain("Overridden");
  });
});
