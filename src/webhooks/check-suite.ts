/** `check_suite.rerequested` of the app's suite: its PRs are evaluated again, writing the check even when nothing changed. */
import type { Probot } from "probot";
import type { WebhookContext } from "./context.js";
import { pullRequestsOf } from "./pull-requests-of.js";

export function onCheckSuite(app: Probot, { scheduler, appId }: WebhookContext): void {
  app.on("check_suite.rerequested", async (context) => {
    const suite = context.payload.check_suite;
    if (suite.app?.id !== undefined && suite.app.id !== appId) return;
    const numbers = await pullRequestsOf(context, suite.pull_requests, null, suite.head_sha);
    await Promise.all(
      numbers.map((number) =>
        scheduler.schedule(
          context,
          { ...context.repo(), number, headSha: suite.head_sha },
          { event: "check_suite.rerequested", force: true },
          false,
        ),
      ),
    );
  });
}
