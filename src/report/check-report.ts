/**
 * What `guardrails check` found: the engine's decision, unchanged, with the policy it used and the
 * diff it looked at. The human renderer (format.ts) and the JSON writer (json.ts) both read this.
 */
import type { Decision } from "../engine/types.js";
import type { PolicySource } from "./policy-source.js";

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
  policy: PolicySource;
  /** `--org-policy FILE`: whether it decided alone (the base has no policy) or as an enforced floor. */
  organizationPolicy?: { path: string; role: "fallback" | "floor" | "not enforced" };
  diff: DiffInfo;
}
