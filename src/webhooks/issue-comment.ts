/**
 * `issue_comment` on a PR: an edit of the app's checklist comment by a person (ticks), and a new
 * comment whose first line is `/guardrails override <reason>` or `/guardrails override off`. Any
 * other comment costs nothing. Edits and deletions of a command are ignored: the record is the
 * signed state, not the comment (src/overrides/). A command whose author cannot have write access
 * is refused here, at the cost of one permission lookup at most (src/webhooks/commenter-access.ts).
 */
import type { Probot } from "probot";
import { recordOverrideRefused } from "../metrics/record.js";
import { parseOverrideCommand } from "../overrides/command.js";
import { COMMENT_MARKER } from "../state/checklist-state.js";
import { CommenterAccess } from "./commenter-access.js";
import type { WebhookContext } from "./context.js";

interface CommentAuthor {
  performed_via_github_app?: { id?: number; slug?: string | null } | null;
  user?: { login: string } | null;
}

function byThisApp(comment: CommentAuthor, { appId, botLogin }: WebhookContext): boolean {
  return (
    comment.performed_via_github_app?.id === appId ||
    (botLogin !== undefined && comment.user?.login.toLowerCase() === botLogin)
  );
}

export function onIssueComment(app: Probot, webhook: WebhookContext): void {
  const access = new CommenterAccess();
  app.on("issue_comment.edited", async (context) => {
    const { comment, issue, sender } = context.payload;
    if (!issue.pull_request || !comment.body?.includes(COMMENT_MARKER)) return;
    // The app's own re-renders and other bots' edits are not ticks by a person.
    if (sender.type === "Bot" || !byThisApp(comment, webhook)) return;
    const previousBody = (context.payload as { changes?: { body?: { from?: string } } }).changes?.body?.from;
    await webhook.scheduler.schedule(
      context,
      { ...context.repo(), number: issue.number },
      {
        event: "issue_comment.edited",
        tickEdit: {
          commentId: comment.id,
          editor: sender.login,
          editedBody: comment.body,
          ...(previousBody !== undefined ? { previousBody } : {}),
          at: comment.updated_at,
        },
      },
      false,
    );
  });

  app.on("issue_comment.created", async (context) => {
    const { comment, issue } = context.payload;
    if (!issue.pull_request) return;
    const command = parseOverrideCommand(comment.body);
    if (!command || byThisApp(comment, webhook)) return;
    const user = comment.user ?? context.payload.sender;
    // Someone without write access can neither grant nor withdraw: refused before any evaluation,
    // saying nothing on GitHub (src/webhooks/commenter-access.ts).
    const refusal = await access.refusal(context.octokit, context.repo(), user.login, comment.author_association);
    if (refusal) {
      recordOverrideRefused(refusal);
      context.log.info(
        { ...context.repo(), pr: issue.number, by: user.login, authorAssociation: comment.author_association },
        "override command refused: the commenter cannot have write access",
      );
      return;
    }
    const viaApp = comment.performed_via_github_app;
    await webhook.scheduler.schedule(
      context,
      { ...context.repo(), number: issue.number },
      {
        event: "issue_comment.created",
        overrideCommands: [
          {
            command,
            by: user.login,
            isBot: user.type === "Bot" || context.payload.sender.type === "Bot",
            commentId: comment.id,
            at: comment.created_at,
            // Posted through an integration acting for the person (refused: src/overrides/transition.ts).
            ...(viaApp ? { viaApp: viaApp.slug ?? String(viaApp.id) } : {}),
          },
        ],
      },
      false,
    );
  });
}
