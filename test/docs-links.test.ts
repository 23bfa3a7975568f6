/**
 * The links between the README and docs/ lead somewhere: every relative link names a file that
 * exists, and every `#anchor` one of the target's headings as GitHub makes it (lower case,
 * punctuation dropped, spaces as hyphens, `-1` for a repeated heading).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "@jest/globals";

const root = fileURLToPath(new URL("../", import.meta.url));
const documents = [
  "README.md",
  ...readdirSync(join(root, "docs")).flatMap((f) => (f.endsWith(".md") ? [`docs/${f}`] : [])),
];

/** GitHub's anchors of a Markdown file's headings (outside code blocks). */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of text.split("\n")) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]!
      .toLowerCase()
      .replace(/<[^>]+>/g, "")
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    out.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return out;
}

/** Relative Markdown links `[text](target)` outside code blocks and inline code. */
function links(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z]+:/i.test(target));
}

describe("links between the README and docs/", () => {
  it.each(documents)("%s: every relative link and anchor exists", (document) => {
    const text = readFileSync(join(root, document), "utf8");
    const broken = links(text).filter((target) => {
      const [path, anchor] = target.split("#") as [string, string | undefined];
      const file = path === "" ? join(root, document) : join(root, dirname(document), decodeURI(path));
      if (!existsSync(file)) return true;
      if (anchor === undefined || !file.endsWith(".md")) return false;
      return !anchors(readFileSync(file, "utf8")).has(decodeURIComponent(anchor));
    });
    expect(broken.map((target) => `${relative(root, join(root, document))} -> ${target}`)).toEqual([]);
  });
});
