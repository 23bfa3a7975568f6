/**
 * The playground's state (the form as the person filled it) and its two translations: into the
 * body of `POST /api/simulate`, and into the URL fragment of a share link (`#s=`: the state as
 * JSON, deflate-compressed, base64url). Runs in the browser and on the server (the check
 * summary's playground link, src/web/playground-link.ts); only web platform APIs.
 */
import type { SimulateBody } from "./simulation.js";

export interface PlaygroundState {
  policy: string;
  /** Changed paths, one per line: `path`, `old -> new`, then optional `+added -deleted` and `(status)`. */
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
  /** Shown above the form: where the state came from (e.g. a PR, and what did not fit). */
  note?: string;
}

export const FRAGMENT_KEY = "s";
const FORMAT_VERSION = 1;
const STATE_KEYS = [
  "policy",
  "paths",
  "author",
  "coAuthors",
  "title",
  "branch",
  "body",
  "labels",
  "approvals",
  "note",
] as const;

const STATUSES = new Set(["added", "removed", "modified", "renamed", "copied", "changed", "unchanged"]);
const ARROW = " -> ";

type SimulatedFile = SimulateBody["pull_request"]["files"][number];

/** One line of the paths box as a file of the simulate body (undefined for a blank line). */
export function parsePathLine(line: string): SimulatedFile | undefined {
  let rest = line.trim();
  if (rest === "") return undefined;
  let additions: number | undefined;
  let deletions: number | undefined;
  let status: string | undefined;
  // Trailing `+N`, `-N` and `(status)` tokens, in any order.
  for (;;) {
    const match = /\s+(\+\d+|-\d+|\([a-z]+\))$/.exec(rest);
    if (!match) break;
    const token = match[1]!;
    if (token.startsWith("(")) {
      const word = token.slice(1, -1);
      if (!STATUSES.has(word) || status !== undefined) break;
      status = word;
    } else if (token.startsWith("+") && additions === undefined) additions = Number(token.slice(1));
    else if (token.startsWith("-") && deletions === undefined) deletions = Number(token.slice(1));
    else break;
    rest = rest.slice(0, match.index).trimEnd();
  }
  const arrow = rest.indexOf(ARROW);
  const file: SimulatedFile =
    arrow >= 0
      ? { path: rest.slice(arrow + ARROW.length).trim(), previous_path: rest.slice(0, arrow).trim() }
      : { path: rest };
  if (status !== undefined) file.status = status as SimulatedFile["status"];
  if (additions !== undefined) file.additions = additions;
  if (deletions !== undefined) file.deletions = deletions;
  return file;
}

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

/** The body of `POST /api/simulate` for this state. */
export function simulateBody(state: PlaygroundState): SimulateBody {
  const optional = (value: string) => (value.trim() === "" ? undefined : value.trim());
  const pr: SimulateBody["pull_request"] = {
    files: state.paths.split(/\r\n|\r|\n/).flatMap((line) => parsePathLine(line) ?? []),
  };
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
  return { policy: state.policy, pull_request: pr };
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
      else if (key !== "note") state[key] = "";
    }
    return state as unknown as PlaygroundState;
  } catch {
    return undefined;
  }
}

async function pipeThrough(bytes: Uint8Array, transform: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  // The casts bridge Node's and the DOM's typings of the same web streams.
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
