/**
 * app.yml is what Probot's setup page sends to GitHub to register the app: it must be valid YAML
 * (a colon in a plain string once broke the setup page), subscribe to exactly the events the app
 * handles, and ask for exactly the permissions the README explains.
 */
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";

const root = new URL("../", import.meta.url);
const text = readFileSync(new URL("app.yml", root), "utf8");
const readme = readFileSync(new URL("README.md", root), "utf8");

describe("app.yml, the GitHub App manifest", () => {
  const document = parseDocument(text);
  const manifest = document.toJS() as {
    name: string;
    description: string;
    default_events: string[];
    default_permissions: Record<string, string>;
  };

  it("is valid YAML, without warnings", () => {
    expect(document.errors.map((e) => e.message)).toEqual([]);
    expect(document.warnings.map((w) => w.message)).toEqual([]);
    expect(manifest.name).toBe("Guardrails");
    expect(manifest.description).toMatch(/^Risk-tiered guardrails for pull requests: /);
  });

  it("subscribes to the events the app handles, which the README lists", () => {
    const events = [
      "check_run",
      "check_suite",
      "issue_comment",
      "merge_group",
      "pull_request",
      "pull_request_review",
      "push",
      "status",
    ];
    expect([...manifest.default_events].sort()).toEqual(events);
    const listed = /^Events: ([\s\S]*?)\. Everything else/m.exec(readme)?.[1] ?? "";
    expect([...listed.matchAll(/`(\w+)`/g)].map((m) => m[1]).sort()).toEqual(events);
  });

  it("asks for exactly the permissions of the README's table, at the same access", () => {
    const section = readme.slice(readme.indexOf("## Permissions"), readme.indexOf("Events: "));
    const rows = [...section.matchAll(/^\| ([A-Z][\w ]+?)(?: \(organisation\))? \| (read|write) \|/gm)].map(
      (m) => [manifestKey(m[1]!), m[2]!] as const,
    );
    expect(Object.fromEntries(rows)).toEqual(manifest.default_permissions);
    expect(rows.length).toBe(Object.keys(manifest.default_permissions).length);
  });
});

/** The manifest's key of a permission as GitHub's settings page names it ("Commit statuses" is `statuses`). */
function manifestKey(name: string): string {
  const key = name.toLowerCase().replace(/ /g, "_");
  return key === "commit_statuses" ? "statuses" : key;
}
