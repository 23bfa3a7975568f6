/**
 * The one reading of commit trailers (`Co-authored-by:`, `Assisted-by:`, …), shared by the app
 * (commit messages from GitHub) and the CLI (from git), so that both hand the engine the same
 * facts for the same commits.
 */
import type { CommitTrailer } from "./types.js";

// A trailer key as git writes them (letters, digits, dashes), then the colon; any indentation.
const TRAILER_LINE = /^\s*([A-Za-z0-9][A-Za-z0-9-]{0,99}):(.*)$/;
// Every line break JavaScript knows, so that no line hides inside another.
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029]/;

/**
 * Every `Key: value` line of a commit message with a value, any letter case. Every such line
 * counts, not only those of the final trailer block as git's own parser reads them: a trailer
 * that a later paragraph pushed out of that block still names a co-author, and an unread one
 * could only lower the tier. Which keys matter is the policy's (`agents.trailers`).
 */
export function messageTrailers(message: string): CommitTrailer[] {
  const trailers: CommitTrailer[] = [];
  for (const line of message.split(LINE_BREAK)) {
    const match = TRAILER_LINE.exec(line);
    const value = match?.[2]!.trim();
    if (value) trailers.push({ key: match![1]!, value });
  }
  return trailers;
}

/**
 * The trailers of a PR's commits, `messages` oldest first: each key (any case) and value once, in
 * the order first met, so that the app and the CLI name the same trailer when several match.
 */
export function trailersOf(messages: readonly string[]): CommitTrailer[] {
  const seen = new Set<string>();
  const out: CommitTrailer[] = [];
  for (const trailer of messages.flatMap(messageTrailers)) {
    const key = `${trailer.key.toLowerCase()}:${trailer.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(trailer);
  }
  return out;
}

/** The values (`Name <email>`) of a commit message's `Co-authored-by:` lines, any letter case. */
export function coAuthorTrailers(message: string): string[] {
  return valuesOf(messageTrailers(message), "Co-authored-by");
}

/** The co-authors of a PR's commits, `messages` oldest first: each value once, in the order first met. */
export function coAuthorsOf(messages: readonly string[]): string[] {
  return valuesOf(trailersOf(messages), "Co-authored-by");
}

/** The values of the trailers with `key`, compared case-insensitively. */
export function valuesOf(trailers: readonly CommitTrailer[], key: string): string[] {
  const wanted = key.toLowerCase();
  return trailers.filter((t) => t.key.toLowerCase() === wanted).map((t) => t.value);
}

// GitHub's no-reply address, `ID+login@users.noreply.github.com` (older accounts: `login@…`).
const NO_REPLY =
  /<(?:\d{1,12}\+)?([A-Za-z0-9][A-Za-z0-9-]{0,38}(?:_[A-Za-z0-9]{1,20})?(?:\[bot\])?)@users\.noreply\.github\.com>\s*$/i;

/** The login a `Co-authored-by` value names through GitHub's no-reply address; undefined for any other address. */
export function noReplyLogin(value: string): string | undefined {
  return NO_REPLY.exec(value)?.[1];
}
