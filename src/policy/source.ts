/**
 * Where the policy that judged a PR was read on GitHub: every decision names it (contract: "Every
 * decision names the policy it used").
 */
export interface PolicySource {
  kind: "repository" | "organization" | "built-in";
  repository?: string;
  path?: string;
  commit?: string;
}
