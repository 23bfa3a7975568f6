/**
 * The two facts about a person that cost a request each: their permission on the repository and
 * their membership of one of the owner's teams. A 404 means none (not a collaborator, not a member).
 */
import type { Permission } from "../engine/types.js";
import type { GitHub } from "./octokit.js";

export async function fetchPermission(
  github: GitHub,
  repo: { owner: string; repo: string },
  username: string,
): Promise<Permission> {
  try {
    const response = await github.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", {
      ...repo,
      username,
    });
    const data = response.data as { permission?: string; role_name?: string };
    const known: Permission[] = ["admin", "maintain", "write", "triage", "read", "none"];
    const role = known.find((p) => p === data.role_name) ?? known.find((p) => p === data.permission);
    return role ?? "none";
  } catch (error) {
    if ((error as { status?: number }).status === 404) return "none";
    throw error;
  }
}

export async function fetchMembership(github: GitHub, org: string, team: string, username: string): Promise<boolean> {
  try {
    const response = await github.request("GET /orgs/{org}/teams/{team_slug}/memberships/{username}", {
      org,
      team_slug: team,
      username,
    });
    return (response.data as { state?: string }).state === "active";
  } catch (error) {
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}
