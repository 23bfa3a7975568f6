/**
 * Everything in a policy that costs time to prepare (globs, login patterns, the ticket pattern),
 * prepared once per policy object and reused by every evaluation against it. All the policy's
 * globs live in one index, so each changed path is looked up once and comes back classified.
 */
import { minimatch } from "minimatch";
import {
  compileLoginPattern,
  compileTicketPattern,
  GLOB_OPTIONS,
  type LoginMatcher,
  type TicketMatcher,
} from "../policy/patterns.js";
import type { Policy } from "../policy/schema.js";
import { GlobIndex } from "./glob-index.js";
import type { ChangedFile } from "./types.js";

/** What the policy's globs say of one path. */
export interface PathClass {
  /** Indexes of the rules whose `paths` match it and whose `exclude` does not. */
  rules: number[];
  /** In `size.ignore`. */
  sizeIgnored: boolean;
  /** In `tests.source`. */
  testSource: boolean;
  /** In `tests.tests`. */
  testFile: boolean;
}

export interface CompiledPolicy {
  policy: Policy;
  classify(path: string): PathClass;
  agentAuthors: { pattern: string; regex: LoginMatcher }[];
  agentCoAuthors: { pattern: string; regex: LoginMatcher }[];
  ticket: TicketMatcher;
}

const INCLUDE = 0;
const EXCLUDE = 1;
const SIZE_IGNORE = 2;
const TEST_SOURCE = 3;
const TEST_FILE = 4;
type Tag = { set: number; rule: number };

const cache = new WeakMap<Policy, CompiledPolicy>();

export function compilePolicy(policy: Policy): CompiledPolicy {
  const cached = cache.get(policy);
  if (cached) return cached;

  const index = new GlobIndex<Tag>();
  const add = (globs: readonly string[], set: number, rule = -1) => {
    const tag = { set, rule };
    for (const glob of globs) index.add(glob, tag);
  };
  policy.rules.forEach((rule, i) => {
    add(rule.paths, INCLUDE, i);
    // A protected folder's own path: a submodule (gitlink), file or symlink that replaces the
    // folder `dir` is what `dir/**` protects, though no file lies under it. Not for `exclude`:
    // excluding must never unprotect more than it names.
    add(ownFolders(rule.paths), INCLUDE, i);
    add(rule.exclude ?? [], EXCLUDE, i);
  });
  add(policy.size.ignore, SIZE_IGNORE);
  add(policy.tests.source, TEST_SOURCE);
  add(policy.tests.tests, TEST_FILE);

  const compiled: CompiledPolicy = {
    policy,
    classify(path) {
      const result: PathClass = { rules: [], sizeIgnored: false, testSource: false, testFile: false };
      let excluded: number[] | undefined;
      index.forEachMatch(path, (tag) => {
        switch (tag.set) {
          case INCLUDE:
            if (!result.rules.includes(tag.rule)) result.rules.push(tag.rule);
            break;
          case EXCLUDE:
            (excluded ??= []).push(tag.rule);
            break;
          case SIZE_IGNORE:
            result.sizeIgnored = true;
            break;
          case TEST_SOURCE:
            result.testSource = true;
            break;
          default:
            result.testFile = true;
        }
      });
      if (excluded) result.rules = result.rules.filter((rule) => !excluded!.includes(rule));
      return result;
    },
    agentAuthors: policy.agents.authors.map((pattern) => ({ pattern, regex: compileLoginPattern(pattern) })),
    agentCoAuthors: policy.agents.co_authors.map((pattern) => ({ pattern, regex: compileLoginPattern(pattern) })),
    ticket: compileTicketPattern(policy.ticket.pattern),
  };
  cache.set(policy, compiled);
  return compiled;
}

/** `dir` for each glob (braces expanded) that protects a folder: `dir/**` or `dir/**` + `/*`. */
function ownFolders(globs: readonly string[]): string[] {
  const folders: string[] = [];
  for (const glob of globs) {
    for (const alternative of minimatch.braceExpand(glob, GLOB_OPTIONS)) {
      const folder = alternative.endsWith("/**/*")
        ? alternative.slice(0, -5)
        : alternative.endsWith("/**")
          ? alternative.slice(0, -3)
          : undefined;
      if (folder && folder !== "**" && !folder.endsWith("/**")) folders.push(folder);
    }
  }
  return folders;
}

/** The paths a file is matched by: a rename matches by its old and its new path. */
export function pathsOf(file: ChangedFile): string[] {
  return file.previousPath && file.previousPath !== file.path ? [file.path, file.previousPath] : [file.path];
}

/** A changed file with what the policy's globs say of each of its paths. */
export interface ClassifiedFile {
  file: ChangedFile;
  paths: string[];
  classes: PathClass[];
}
