/**
 * The one reading of `Co-authored-by:` lines, shared by the app (commit messages from GitHub) and
 * the CLI (from git), so that both hand the engine the same facts for the same commits.
 */

/**
 * The values (`Name <email>`) of a commit message's `Co-authored-by:` lines, any letter case.
 * Every such line counts, not only those of the final trailer block as git's own parser reads
 * them: a trailer that a later paragraph pushed out of that block still names a co-author, and an
 * unread one could only lower the tier.
 */
export function coAuthorTrailers(message: string): string[] {
  const values: string[] = [];
  // Every line break JavaScript knows, so that no line hides inside another.
  for (const line of message.split(/\r\n|[\r\n\u2028\u2029]/)) {
    const value = /^\s*co-authored-by:(.*)$/i.exec(line)?.[1]!.trim();
    if (value) values.push(value);
  }
  return values;
}

/**
 * The co-authors of a PR's commits, `messages` oldest first: each value once, in the order first
 * met, so that the app and the CLI name the same co-author when several match a pattern.
 */
export function coAuthorsOf(messages: readonly string[]): string[] {
  return [...new Set(messages.flatMap(coAuthorTrailers))];
}
