/**
 * The playground's state (the form as the person filled it) and its two translations: into the
 * body of `POST /api/simulate`, and into the URL fragment of a share link (`#s=`: the state as
 * JSON, deflate-compressed, base64url). Runs in the browser and on the server (the check
 * summary's playground link, src/web/playground-link.ts); only web platform APIs.
 */
import { parseChangedPaths, type PathProblem } from "./changed-paths.js";
import { LOGIN, TEAM, type SimulateBody } from "./simulation.js";

export { parsePathLine } from "./changed-paths.js";

export interface PlaygroundState {
  policy: string;
  /**
   * Changed paths, one per line: `path`, `old -> new`, then optional `+added -deleted` and
   * `(status)`; or pasted `git diff --numstat` / `--name-status` output (src/web/changed-paths.ts).
   */
  paths: string;
  author: string;
  /** `Name <email>` values, one per line. */
  coAuthors: string;
  title: string;
  branch: string;
  body: string;
  /** Comma-separated. */
  labels: string;
  /** Comma-separated logins. */
  approvals: string;
  /** The repository's CODEOWNERS text (empty: none). Absent in links made before it existed. */
  codeowners?: string;
  /** Team memberships, one team per line: `org/team: login, login`. */
  teams?: string;
  /** Shown above the form: where the state came from (e.g. a PR, and what did not fit). */
  note?: string;
}

export const FRAGMENT_KEY = "s";
const FORMAT_VERSION = 1;
/** The pull request's fields of the form, in the page's order. */
export const FORM_FIELDS = [
  "paths",
  "author",
  "coAuthors",
  "title",
  "branch",
  "body",
  "labels",
  "approvals",
  "codeowners",
  "teams",
] as const;
const STATE_KEYS = ["policy", ...FORM_FIELDS, "note"] as const;
/** Keys a link may lack (older links, the check summary's): read as empty. */
const OPTIONAL_KEYS = new Set<string>(["note", "codeowners", "teams"]);

const ARROW = " -> ";

/** A file as one line of the paths box (parsePathLine reads it back). */
export function formatPathLine(file: {
  path: string;
  previousPath?: string;
  status?: string;
  additions?: number;
  deletions?: number;
}): string {
  const flat = (text: string) => text.replace(/[\r\n\u2028\u2029]/g, " ");
  const name =
    file.previousPath !== undefined && file.previousPath !== file.path
      ? `${flat(file.previousPath)}${ARROW}${flat(file.path)}`
      : flat(file.path);
  const counts = file.additions || file.deletions ? ` +${file.additions ?? 0} -${file.deletions ?? 0}` : "";
  const implied = file.previousPath !== undefined ? "renamed" : "modified";
  const status = file.status && file.status !== implied ? ` (${file.status})` : "";
  return `${name}${counts}${status}`;
}

const list = (text: string, separator: RegExp) =>
  text
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item !== "");

/** A line of the teams box that cannot be read: which line and why. */
export type TeamsProblem = PathProblem;

/** The teams box: `org/team: alice, bob` per line (`#` starts a comment). */
export function parseTeams(text: string): { teams: Record<string, string[]>; problems: TeamsProblem[] } {
  const teams: Record<string, string[]> = {};
  const problems: TeamsProblem[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") return;
    const match = /^@?([^\s:]+)\s*:\s*(.*)$/.exec(line);
    if (!match) return void problems.push({ line: index + 1, message: "expected org/team: login, login" });
    const team = match[1]!;
    if (!TEAM.test(team))
      return void problems.push({
        line: index + 1,
        message: `"${team}" is no team: write org/team, such as acme/security`,
      });
    const members = list(match[2]!, /[,\s]+/).map((login) => login.replace(/^@/, ""));
    const wrong = members.find((login) => !LOGIN.test(login));
    if (wrong !== undefined) return void problems.push({ line: index + 1, message: `"${wrong}" is no GitHub login` });
    teams[team] = [...(teams[team] ?? []), ...members];
  });
  return { teams, problems };
}

/** What the form says, as the body of `POST /api/simulate`, and the lines of it that were left out. */
export interface PlaygroundRequest {
  body: SimulateBody;
  pathProblems: PathProblem[];
  teamsProblems: TeamsProblem[];
}

export function playgroundRequest(state: PlaygroundState): PlaygroundRequest {
  const optional = (value: string) => (value.trim() === "" ? undefined : value.trim());
  const paths = parseChangedPaths(state.paths);
  const pr: SimulateBody["pull_request"] = { files: paths.files };
  const author = optional(state.author);
  if (author !== undefined) pr.author = author;
  const title = optional(state.title);
  if (title !== undefined) pr.title = title;
  if (state.body.trim() !== "") pr.body = state.body;
  const branch = optional(state.branch);
  if (branch !== undefined) pr.branch = branch;
  const coAuthors = list(state.coAuthors, /\r\n|\r|\n/);
  if (coAuthors.length) pr.co_authors = coAuthors;
  const labels = list(state.labels, /,/);
  if (labels.length) pr.labels = labels;
  const approvals = list(state.approvals, /[,\s]+/);
  if (approvals.length) pr.approvals = approvals;
  const body: SimulateBody = { policy: state.policy, pull_request: pr };
  if ((state.codeowners ?? "").trim() !== "") body.codeowners = state.codeowners;
  const teams = parseTeams(state.teams ?? "");
  if (Object.keys(teams.teams).length) body.teams = teams.teams;
  return { body, pathProblems: paths.problems, teamsProblems: teams.problems };
}

/** The body of `POST /api/simulate` for this state. */
export function simulateBody(state: PlaygroundState): SimulateBody {
  return playgroundRequest(state).body;
}

/** `s=<base64url of deflate-raw(JSON)>`: the fragment of a share link, without the `#`. */
export async function encodeState(state: PlaygroundState): Promise<string> {
  const json = JSON.stringify({ v: FORMAT_VERSION, ...state });
  const packed = await pipeThrough(new TextEncoder().encode(json), new CompressionStream("deflate-raw"));
  return `${FRAGMENT_KEY}=${toBase64Url(packed)}`;
}

/** The state in a fragment (with or without `#`), or undefined when it holds none or is damaged. */
export async function decodeState(fragment: string): Promise<PlaygroundState | undefined> {
  const value = new URLSearchParams(fragment.replace(/^#/, "")).get(FRAGMENT_KEY);
  if (!value) return undefined;
  try {
    const json = new TextDecoder().decode(
      await pipeThrough(fromBase64Url(value), new DecompressionStream("deflate-raw")),
    );
    const data = JSON.parse(json) as Record<string, unknown>;
    if (data.v !== FORMAT_VERSION) return undefined;
    const state: Record<string, string> = {};
    for (const key of STATE_KEYS) {
      const field = data[key];
      if (typeof field === "string") state[key] = field;
      else if (!OPTIONAL_KEYS.has(key)) state[key] = "";
    }
    return state as unknown as PlaygroundState;
  } catch {
    return undefined;
  }
}

async function pipeThrough(bytes: Uint8Array, transform: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  // The cast gives the bytes the ArrayBuffer (not shared) backing a Blob wants.
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
