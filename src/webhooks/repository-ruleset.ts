/** `repository_ruleset`: a ruleset of the repository was created, edited or deleted; its enforcement health is read again at the next evaluation. */
import type { Probot } from "probot";
import type { EnforcementCache } from "../github/enforcement-source.js";

export function onRepositoryRuleset(app: Probot, cache: EnforcementCache): void {
  app.on("repository_ruleset", (context) => {
    cache.invalidate(context.repo());
    return Promise.resolve();
  });
}
