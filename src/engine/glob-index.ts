/**
 * Many globs compiled once, then matched against many paths. A glob is only tested against a
 * path that can match it: globs are filed under their literal directory prefix (`src/auth/**`),
 * their exact path, their basename (`** /package-lock.json`) or their extension (`** /*.md`), and
 * a path looks up only its own directories, basename and extensions. Only globs with no such
 * handle (`** /__tests__/**`) are tried against every path. The final word is always minimatch's
 * own regular expression, so the index changes speed, never the result.
 */
import { GLOBSTAR, Minimatch, minimatch } from "minimatch";
import { GLOB_OPTIONS } from "../policy/patterns.js";

interface Entry<T> {
  regex: RegExp;
  tag: T;
}

const LITERAL = "[^/*?[\\]{}()!+@]+";
const EXTENSION_GLOB = new RegExp(`^\\*\\*/\\*(\\.${LITERAL})$`);
const BASENAME_GLOB = new RegExp(`^\\*\\*/(${LITERAL})$`);

export class GlobIndex<T> {
  private readonly anywhere: Entry<T>[] = [];
  private readonly byDirectory = new Map<string, Entry<T>[]>();
  private readonly byPath = new Map<string, Entry<T>[]>();
  private readonly byBasename = new Map<string, Entry<T>[]>();
  private readonly byExtension = new Map<string, Entry<T>[]>();
  private size = 0;

  /** Adds a glob (already validated by the policy schema) with the tag its matches report. */
  add(glob: string, tag: T): void {
    for (const alternative of minimatch.braceExpand(glob, GLOB_OPTIONS)) {
      // minimatch() needs a trailing `**` to match at least one segment (`src/**` does not match the
      // file `src`), but its regular expression lets it match none; `src/*/**` has the same
      // meaning for both, so the regular expression agrees with minimatch().
      const mm = new Minimatch(alternative.endsWith("/**") ? `${alternative.slice(0, -3)}/*/**` : alternative, GLOB_OPTIONS);
      const regex = mm.makeRe();
      const row = mm.set[0];
      if (regex === false || !row) continue;
      const entry = { regex, tag };
      this.size++;
      const literalPrefix: string[] = [];
      for (const segment of row) {
        if (typeof segment !== "string") break;
        literalPrefix.push(segment);
      }
      let match: RegExpExecArray | null;
      if (literalPrefix.length === row.length) push(this.byPath, literalPrefix.join("/"), entry);
      else if (literalPrefix.length > 0) push(this.byDirectory, literalPrefix.join("/"), entry);
      else if (row[0] === GLOBSTAR && (match = EXTENSION_GLOB.exec(alternative))) push(this.byExtension, match[1]!, entry);
      else if (row[0] === GLOBSTAR && (match = BASENAME_GLOB.exec(alternative))) push(this.byBasename, match[1]!, entry);
      else this.anywhere.push(entry);
    }
  }

  get globCount(): number {
    return this.size;
  }

  /** Calls `visit` with the tag of every glob that matches `path` (a tag may come more than once). */
  forEachMatch(path: string, visit: (tag: T) => void): void {
    const test = (entries: Entry<T>[] | undefined) => {
      if (!entries) return;
      for (const entry of entries) if (entry.regex.test(path)) visit(entry.tag);
    };
    test(this.anywhere);
    test(this.byPath.get(path));
    if (this.byDirectory.size > 0) {
      for (let slash = path.indexOf("/"); slash !== -1; slash = path.indexOf("/", slash + 1)) {
        test(this.byDirectory.get(path.slice(0, slash)));
      }
    }
    const basename = path.slice(path.lastIndexOf("/") + 1);
    test(this.byBasename.get(basename));
    if (this.byExtension.size > 0) {
      for (let dot = basename.indexOf("."); dot !== -1; dot = basename.indexOf(".", dot + 1)) {
        test(this.byExtension.get(basename.slice(dot)));
      }
    }
  }

  /** Whether any glob matches `path`. */
  matches(path: string): boolean {
    let found = false;
    this.forEachMatch(path, () => {
      found = true;
    });
    return found;
  }
}

function push<T>(map: Map<string, Entry<T>[]>, key: string, entry: Entry<T>): void {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}

/** A GlobIndex of one list of globs that answers only yes or no. */
export function globSet(globs: readonly string[]): GlobIndex<true> {
  const index = new GlobIndex<true>();
  for (const glob of globs) index.add(glob, true);
  return index;
}
