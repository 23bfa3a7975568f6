/**
 * The facts that cost a request each (src/engine/lookups.ts says which), asked in one parallel
 * round; a person's permission is asked once per evaluation however often it is needed.
 */
import { canWrite, type Label, type Permission } from "../engine/types.js";
import type { Lookups } from "../engine/lookups.js";
import type { GitHub } from "../github/octokit.js";
import { fetchMembership, fetchPermission } from "../github/permissions.js";

export interface LookedUp {
  teamMembers: Record<string, string[]>;
  /** The labels with who applied the exempt label and their permission. */
  labels: Label[];
  /** Whether the checklist's editor may tick (write access or above). */
  editorMayTick: boolean;
}

export async function lookUp(
  github: GitHub,
  repo: { owner: string; repo: string },
  lookups: Lookups,
  labels: readonly Label[],
): Promise<LookedUp> {
  const permissions = new Map<string, Promise<Permission>>();
  const permissionOf = (login: string) => {
    const key = login.toLowerCase();
    let pending = permissions.get(key);
    if (!pending) permissions.set(key, (pending = fetchPermission(github, repo, login)));
    return pending;
  };
  const [members, labelPermission, editorPermission] = await Promise.all([
    Promise.all(
      lookups.memberships.map(async ({ team, login }) => ({
        team,
        login,
        member: await fetchMembership(github, repo.owner, team, login),
      })),
    ),
    lookups.exemptLabel ? permissionOf(lookups.exemptLabel.appliedBy) : undefined,
    lookups.tickEditor ? permissionOf(lookups.tickEditor) : undefined,
  ]);
  const teamMembers: Record<string, string[]> = {};
  for (const { team, login, member } of members) if (member) (teamMembers[team] ??= []).push(login);
  const exempt = lookups.exemptLabel;
  return {
    teamMembers,
    labels: labels.map((label) =>
      exempt && label.name === exempt.name && labelPermission
        ? { ...label, appliedBy: { login: exempt.appliedBy, permission: labelPermission } }
        : label,
    ),
    editorMayTick: canWrite(editorPermission),
  };
}
