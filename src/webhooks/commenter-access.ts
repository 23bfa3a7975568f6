/**
 * Whether an override command's author can hold write access, decided before any evaluation, so
 * an outsider's `/guardrails` comment costs at most one request instead of a full evaluation
 * (any account can comment on a public repository's PR, as often as it likes).
 *
 * The payload's `author_association` is computed without a viewer: a member whose organisation
 * membership is private, with write access through a team, arrives as CONTRIBUTOR, NONE or a
 * first-timer. So only OWNER, MEMBER and COLLABORATOR are taken at their word (they go on to the
 * full evaluation, which looks the permission up anyway); MANNEQUIN (an imported placeholder) is
 * refused outright; for the others GitHub is asked for the permission, and a "no write" answer is
 * remembered for a minute per repository and login. When GitHub cannot answer, the command goes
 * on to the evaluation, which decides (and fails closed).
 */
import type { Permission } from "../engine/types.js";
import type { GitHub } from "../github/octokit.js";
import { fetchPermission } from "../github/permissions.js";

const TAKEN_AT_THEIR_WORD = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);
const WRITE: readonly Permission[] = ["admin", "maintain", "write"];
const NO_WRITE_TTL_MS = 60_000;
const MAX_REMEMBERED = 1000;

export type CommandRefusal = "mannequin" | "association";

export class CommenterAccess {
  private readonly noWrite = new Map<string, number>();

  /** Why the command is refused without an evaluation, or undefined: evaluate it. */
  async refusal(
    github: GitHub,
    repo: { owner: string; repo: string },
    login: string,
    association: string,
    now = Date.now(),
  ): Promise<CommandRefusal | undefined> {
    if (TAKEN_AT_THEIR_WORD.has(association)) return undefined;
    if (association === "MANNEQUIN") return "mannequin";
    const key = `${repo.owner}/${repo.repo}:${login}`.toLowerCase();
    const until = this.noWrite.get(key);
    if (until !== undefined && until > now) return "association";
    const permission = await fetchPermission(github, repo, login).catch(() => undefined);
    if (permission === undefined || WRITE.includes(permission)) return undefined;
    this.noWrite.delete(key);
    this.noWrite.set(key, now + NO_WRITE_TTL_MS);
    while (this.noWrite.size > MAX_REMEMBERED) this.noWrite.delete(this.noWrite.keys().next().value as string);
    return "association";
  }
}
