/**
 * Every example payload that @octokit/webhooks-examples has for every event the app subscribes to
 * is delivered to the app: none makes it throw or leaves an unhandled rejection, and the
 * deliveries the app does not act on make no GitHub call at all.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { examplePayloads } from "../support/test-probot.js";
import type { ExampleBase } from "../support/example-types.js";
import { POLICY, useFakeGitHubNetwork, World } from "./harness.js";

/** The events of app.yml, and for each the actions the app may call GitHub for. */
const SUBSCRIBED: Record<string, readonly string[] | "depends"> = {
  pull_request: ["opened", "reopened", "synchronize", "edited", "ready_for_review", "labeled", "unlabeled"],
  pull_request_review: ["submitted", "edited", "dismissed"],
  // Acts on `edited` only when it is the app's own checklist comment: never in the examples.
  issue_comment: [],
  // Re-runs act only on its own runs and suites (the examples belong to other apps); another app's
  // completed run or suite is a CI result that re-evaluates the PRs whose head it is; another app's
  // run created (a re-run) costs one read of the app's own run on that commit.
  check_run: ["completed", "created"],
  check_suite: ["completed"],
  // A commit status is a CI result: the open PRs whose head it is are looked up and evaluated.
  status: "depends",
  merge_group: ["checks_requested"],
  // Acts when the policy file may have changed.
  push: "depends",
};

/** What this test reads of a payload of any event. */
interface AnyEventPayload extends ExampleBase {
  number?: number;
  pull_request?: { number: number; head?: { sha?: string } };
  issue?: { number: number };
  changes?: object;
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

describe("every example payload of every subscribed event", () => {
  useFakeGitHubNetwork();
  beforeAll(() => {
    process.on("unhandledRejection", onUnhandled);
  });
  afterAll(() => {
    process.off("unhandledRejection", onUnhandled);
  });

  const cases = Object.keys(SUBSCRIBED).flatMap((event) =>
    (examplePayloads(event) as AnyEventPayload[]).map((payload, index) => ({
      event,
      index,
      action: payload.action ?? "",
      payload,
    })),
  );

  it("covers every subscribed event with at least one example", () => {
    for (const event of Object.keys(SUBSCRIBED)) expect(cases.some((c) => c.event === event)).toBe(true);
  });

  it.each(cases.map((c) => [`${c.event}${c.action ? `.${c.action}` : ""} #${c.index}`, c] as const))(
    "%s",
    async (_name, c) => {
      const world = new World({ policy: POLICY });
      const payload = world.stamp(c.payload);
      // The example's PR exists in the fake, so the events the app acts on run a full evaluation.
      const number = payload.pull_request?.number ?? payload.issue?.number ?? payload.number;
      if (typeof number === "number") {
        world.addPullRequest({
          number,
          headSha: payload.pull_request?.head?.sha ?? undefined,
          files: [{ filename: "src/app.ts", status: "modified", additions: 1, deletions: 0 }],
        });
      }
      await expect(world.receive(c.event, payload)).resolves.toBeUndefined();
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);

      const acts = SUBSCRIBED[c.event]!;
      const edited =
        c.event === "pull_request" &&
        c.action === "edited" &&
        !Object.keys(payload.changes ?? {}).some((k) => ["title", "body", "base"].includes(k));
      if (acts !== "depends" && (!acts.includes(c.action) || edited)) expect(world.calls()).toEqual([]);
      // Whatever it did, it never left a passing check on an error, and never more than one check per head.
      const heads = new Set(world.checkRuns().map((run) => run.headSha));
      expect(world.checkRuns()).toHaveLength(heads.size);
    },
  );
});
