/**
 * What `guardrails check` found: the engine's decision, unchanged, with the policy it used and the
 * diff it looked at (the CLI, and the simulate API with the PR in its body). The human renderer
 * (src/cli/format.ts) and the JSON writer (json.ts) both read this.
 */
import type { Decision } from "../engine/types.js";

export interface DiffInfo {
  base: { ref: string; sha: string };
  head: { ref: string; sha: string; branch: string };
  mergeBase: string;
  /** Changed files in the diff (before `size.ignore`). */
  files: number;
  /** Renamed files: a rename matches rules by both paths, so a reason may name a file by its new path. */
  renames: { from: string; to: string }[];
}

export interface CheckReport {
  decision: Decision;
  policy: CheckedPolicySource;
  /** `--org-policy FILE`: whether it decided alone (the base has no policy) or as an enforced floor. */
  organizationPolicy?: { path: string; role: "fallback" | "floor" | "not enforced" };
  diff: DiffInfo;
  /** When the branch edits the policy file: where its problems point (HEAD_REF:.github/guardrails.yml). */
  proposedPolicyLabel?: string;
  /** --preview: the proposed policy's decision on this branch, or why there is none. */
  preview?: Preview;
}

/** `check --preview`: the proposed policy's decision on the same facts, or why there is none. */
export interface Preview {
  message: string;
  decision?: Decision;
}

/** Where the checked policy came from. */
export interface CheckedPolicySource {
  /** `ref`: the policy file at the base ref; `file`: --policy FILE; `built-in`: the default; `request`: the body of POST /api/simulate. */
  source: "ref" | "file" | "built-in" | "request";
  /** The file's path (repository path for `ref`, as given for `file`), null for the built-in. */
  path: string | null;
  /** The ref the policy was read at (also for `built-in`: the ref that had no policy file). */
  ref: string | null;
  /** The commit the ref resolved to. */
  sha: string | null;
}
