/** `guardrails check`: the local diff BASE...HEAD evaluated by the engine, explained. */
import { evaluate } from "../../engine/evaluate.js";
import { evaluateWithFloor, isFloor } from "../../engine/floor.js";
import { flag, parseCommandArgs, stringList, stringOption, type ParsedArgs } from "../args.js";
import { EXIT } from "../errors.js";
import { withJsonErrors } from "../error-schema.js";
import { gatherFacts, resolveRange } from "../facts.js";
import { renderHuman, styleFor } from "../format.js";
import { openRepository } from "../git.js";
import { CHECK_HELP } from "../help.js";
import type { Io } from "../io.js";
import { renderJson } from "../../report/json.js";
import { organizationPolicyFromFile, policyFromFile, policyFromRef, type LoadedPolicy } from "../policy-source.js";
import type { CheckReport } from "../../report/check-report.js";
import { previewOf, proposedPolicyOf } from "../proposed-policy.js";
import type { Policy } from "../../policy/schema.js";

const OPTIONS = {
  base: { type: "string" },
  head: { type: "string" },
  policy: { type: "string" },
  "org-policy": { type: "string" },
  json: { type: "boolean" },
  strict: { type: "boolean" },
  author: { type: "string" },
  title: { type: "string" },
  body: { type: "string" },
  branch: { type: "string" },
  label: { type: "string", multiple: true },
  preview: { type: "boolean" },
} as const;

export function checkCommand(args: string[], io: Io): number {
  const { values } = parseCommandArgs("check", args, OPTIONS, 0);
  // A script reading --json gets JSON on stdout whatever happens (the error also goes to stderr).
  return withJsonErrors(flag(values, "json"), io, () => check(values, io));
}

function check(values: ParsedArgs["values"], io: Io): number {
  if (values.help) {
    io.stdout(CHECK_HELP);
    return EXIT.ok;
  }
  const policyFile = stringOption(values, "policy");
  const git = openRepository(io.cwd);
  const range = resolveRange(git, { base: stringOption(values, "base"), head: stringOption(values, "head") });
  const own = policyFile !== undefined ? policyFromFile(policyFile) : policyFromRef(git, range.baseRef, range.baseSha);
  const orgFile = stringOption(values, "org-policy");
  const org = orgFile !== undefined ? organizationPolicyFromFile(orgFile) : undefined;
  // As the app: without a policy of its own the repository gets the organisation's; with one, the
  // organisation's applies too only when it says `enforce: true`.
  const alone = org !== undefined && own.source.source === "built-in";
  const loaded: LoadedPolicy = alone ? org : own;
  const floor = org !== undefined && !alone && isFloor(org.policy) ? org : undefined;
  const gathered = gatherFacts(git, range, {
    author: stringOption(values, "author"),
    title: stringOption(values, "title"),
    body: stringOption(values, "body"),
    branch: stringOption(values, "branch"),
    labels: stringList(values, "label"),
  });
  // As the app: a branch that edits the policy is judged by BASE's, and the head's must load.
  const proposed = proposedPolicyOf(git, range, false);
  const facts = proposed ? { ...gathered.facts, proposedPolicy: proposed.fact } : gathered.facts;
  const decide = (policy: Policy) => (floor ? evaluateWithFloor(policy, floor.policy, facts) : evaluate(policy, facts));

  const decision = decide(loaded.policy);
  const report: CheckReport = {
    decision,
    ...(proposed ? { proposedPolicyLabel: proposed.label } : {}),
    ...(flag(values, "preview") ? { preview: previewOf(proposed, decide) } : {}),
    policy: loaded.source,
    ...(orgFile !== undefined
      ? { organizationPolicy: { path: orgFile, role: alone ? "fallback" : floor ? "floor" : "not enforced" } }
      : {}),
    diff: gathered.diff,
  };
  io.stdout(
    flag(values, "json") ? renderJson(report) : renderHuman(report, styleFor({ isTTY: io.stdoutIsTTY }, io.env)),
  );

  // A policy on trial (mode: evaluate) never fails, here as on GitHub.
  const localUnmet = decision.requirements.some(
    (requirement) => requirement.local && !requirement.met && requirement.mode !== "evaluate",
  );
  return flag(values, "strict") && localUnmet ? EXIT.problems : EXIT.ok;
}
