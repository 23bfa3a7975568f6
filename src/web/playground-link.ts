/**
 * The check summary's link to the playground (PLAYGROUND_URL): this PR's changed paths, author,
 * title, branch, labels and approvals with the policy that decided it, all in the URL's fragment
 * (never sent to the server). A link stays under MAX_PLAYGROUND_URL_CHARS: paths that do not fit
 * are left out and the page says how many; a policy too large for any link gets no link.
 */
import type { PullRequestFacts } from "../engine/types.js";
import type { PolicySource } from "../policy/source.js";
import { MAX_OUTPUT_CHARS } from "../markdown.js";
import { encodeState, formatPathLine, type PlaygroundState } from "./playground-state.js";

/**
 * Readers differ: the link puts the deciding policy's text in a check that everyone who can read
 * the PR's repository reads. Only a policy of that repository itself (or the built-in default) may
 * go there; the organisation's policy lives in `.github`, which they may not be able to read, so a
 * PR it decides gets no link outside `.github` (an enforced floor's text is never carried either:
 * the page only notes that it applies).
 */
export function mayEmbedPolicy(source: PolicySource, repository: string): boolean {
  if (source.kind === "built-in") return true;
  return source.repository?.toLowerCase() === repository.toLowerCase();
}

/** Browsers take far longer URLs, but links are also copied, logged and pasted into chats. */
export const MAX_PLAYGROUND_URL_CHARS = 8000;

export interface PlaygroundLinkInput {
  /** The app's public URL (PLAYGROUND_URL). */
  baseUrl: string;
  /** The text of the policy that decided. */
  policy: string;
  facts: PullRequestFacts;
  /** e.g. `acme/web#42`, shown by the page. */
  pullRequest: string;
  /** An enforced organisation policy judged the PR too: the playground shows only `policy`. */
  withFloor?: boolean;
}

/** The Markdown paragraph for the summary, or undefined when even an empty PR does not fit a link. */
export async function playgroundLink(input: PlaygroundLinkInput): Promise<string | undefined> {
  const { facts } = input;
  const page = `${input.baseUrl.replace(/\/+$/, "")}/playground`;
  const lines = facts.files.map((file) => formatPathLine(file));
  const approvals = [
    ...new Set(
      facts.reviews.filter((r) => r.state === "APPROVED" && r.commitId === facts.headSha).map((r) => r.author),
    ),
  ];
  const state = (count: number): PlaygroundState => {
    const notes = [
      `${input.pullRequest} at ${facts.headSha.slice(0, 7)}: its changed paths and the policy that decided it.`,
    ];
    if (count < lines.length) notes.push(`Only the first ${count} of ${lines.length} changed paths fit in the link.`);
    if (!facts.filesComplete) notes.push("GitHub listed only part of the PR's files.");
    if (input.withFloor) notes.push("The organisation's enforced policy also applies to it and is not shown here.");
    return {
      policy: input.policy,
      paths: lines.slice(0, count).join("\n"),
      author: facts.author.login,
      coAuthors: facts.coAuthors.join("\n"),
      title: facts.title,
      branch: facts.headBranch,
      body: "",
      labels: facts.labels.map((l) => l.name).join(", "),
      approvals: approvals.join(", "),
      note: notes.join(" "),
    };
  };
  const urlFor = async (count: number) => `${page}#${await encodeState(state(count))}`;

  let url = await urlFor(lines.length);
  if (url.length > MAX_PLAYGROUND_URL_CHARS) {
    // The most paths that fit: compressed sizes grow with the count, so a binary search finds it.
    let low = 0;
    let high = lines.length - 1;
    let best: string | undefined;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const candidate = await urlFor(mid);
      if (candidate.length <= MAX_PLAYGROUND_URL_CHARS) {
        best = candidate;
        low = mid + 1;
      } else high = mid - 1;
    }
    if (best === undefined) return undefined;
    url = best;
  }
  return `[Try this pull request in the policy playground](${url}): change its paths or the policy and see the tier and requirements at once (nothing is sent to the server).`;
}

/**
 * The summary with the playground link appended, if it fits GitHub's limit. A link that cannot be
 * made never changes the decision: the summary is returned as it was.
 */
export async function withPlaygroundLink(
  summary: string,
  baseUrl: string,
  input: Omit<PlaygroundLinkInput, "baseUrl">,
): Promise<string> {
  const link = await playgroundLink({ ...input, baseUrl }).catch(() => undefined);
  if (link === undefined) return summary;
  const linked = `${summary}\n\n${link}`;
  return linked.length <= MAX_OUTPUT_CHARS ? linked : summary;
}
