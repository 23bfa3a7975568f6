/**
 * Issue 19 item 10: text that came from a policy, a PR or a commenter never pings anyone. The
 * sticky comment (an issue comment: GitHub notifies whoever it mentions) and the check's output
 * show `@login` and `@org/team` inert (a zero-width joiner after the `@`); ticking still works.
 */
import { describe, expect, it } from "@jest/globals";
import type { Decision } from "../../src/engine/types.js";
import { renderChecklistComment } from "../../src/render/checklist-comment.js";
import { renderDecision } from "../../src/render/check-output.js";
import { overrideCommentLines } from "../../src/overrides/render.js";
import { applyEdit, decodeState } from "../../src/state/checklist-state.js";

const LIVE_MENTION = /@[A-Za-z0-9]/;
const SECRET = "s";
const PR = { owner: "o", repo: "r", number: 2 };
const ITEM = "Ask @acme/security and @ciso to review";

describe("the sticky comment", () => {
  const state = {
    ticks: { [ITEM]: { by: "alice", at: "t" } },
    override: { by: "cto", at: "t", reason: "ping @acme/everyone", head: "a".repeat(40), via: ["user"] },
    refused: { by: "mallory", at: "t", head: "a".repeat(40), code: "x", message: "asked @acme/everyone" },
  };
  const body = renderChecklistComment(SECRET, PR, {
    tierLabel: "high risk",
    items: [ITEM, "Plain item"],
    state,
    organizationItems: [ITEM],
    overrideLines: overrideCommentLines(state),
  });

  it("mentions nobody: checklist items, who ticked, the override, the refusal", () => {
    const visible = body.split("\n").filter((l) => !l.startsWith("<!-- guardrails:state"));
    expect(visible.filter((l) => LIVE_MENTION.test(l))).toEqual([]);
    expect(body).toContain("@\u200dacme/security");
  });

  it("a tick in the rendered (neutralised) list still counts for the policy's item", () => {
    const decoded = decodeState(SECRET, PR, body);
    const edited = body.replace("- [ ] Plain item", "- [x] Plain item");
    const result = applyEdit(decoded, edited, [ITEM, "Plain item"], "bob", "t2");
    expect(result.state.ticks[ITEM]).toEqual({ by: "alice", at: "t" });
    expect(result.state.ticks["Plain item"]).toEqual({ by: "bob", at: "t2" });
  });
});

describe("the check's output", () => {
  it("mentions nobody: rule descriptions, requirement messages, the override's reason", () => {
    const decision: Decision = {
      tier: "high",
      conclusion: "success",
      reasons: [
        {
          kind: "rule",
          tier: "high",
          rule: "auth @acme/security",
          description: "owned by @acme/security",
          message: "matched @ciso",
          files: ["a"],
        },
      ],
      requirements: [
        {
          kind: "checklist",
          met: false,
          message: `unticked: ${ITEM}`,
          howTo: "ask @ciso",
          sources: ["tier:high"],
          local: false,
        },
      ],
      checklist: [ITEM],
      agentAuthored: false,
      policyChanged: false,
      mode: "enforce",
      wouldFail: true,
      size: { lines: 1, files: 1, ignoredFiles: 0 },
      override: {
        by: "cto",
        at: "t",
        reason: "ping @acme/everyone",
        head: "a".repeat(40),
        via: ["user"],
        bypassed: [],
      },
    };
    const output = renderDecision(
      decision,
      { kind: "repository", repository: "o/r", path: ".github/guardrails.yml" },
      { ticks: {} },
    );
    for (const text of [output.title, output.summary, output.text])
      expect(text.split("\n").filter((l) => LIVE_MENTION.test(l))).toEqual([]);
  });
});
