/** `branch_protection_rule`: classic branch protection changed; the repository's enforcement health is read again at the next evaluation. */
import type { Probot } from "probot";
import type { EnforcementCache } from "../github/enforcement-source.js";

export function onBranchProtectionRule(app: Probot, cache: EnforcementCache): void {
  app.on("branch_protection_rule", (context) => {
    cache.invalidate(context.repo());
    return Promise.resolve();
  });
}
