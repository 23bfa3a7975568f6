/**
 * Many globs compiled once, then matched against many paths. A glob is only tested against a
 * path that can match it: globs are filed under their literal directory prefix (`src/auth/**`),
 * their exact path, their basename (`** /package-lock.json`), their extension (`** /*.md`) or a
 * directory name (`** /__tests__/**`), and a path looks up only its own directories, basename and
 * extensions. Only globs with no such handle (`** /*-generated.*`) are tried against every path.
 * A glob ending in `/**` is decided once per directory (`services/* /src/**`: every file of a
 * directory gets the same answer). The final word is the glob's own matcher (segment by segment,
 * linear in the path: src/policy/glob-matcher.ts), so the index changes speed, never the result.
 */
import { GLOBSTAR, Minimatch, minimatch } from "minimatch";
import {
  addMatchingWork,
  compileGlob,
  type CompiledGlob,
  type SegmentPattern,
  type ViewSlot,
} from "../policy/glob-matcher.js";
import { GLOB_OPTIONS } from "../policy/patterns.js";

interface Entry<T> {
  /** Matched segment by segment, never by a backtracking regular expression (src/policy/glob-matcher.ts). */
  regex: CompiledGlob;
  tag: T;
  /** The key it was found by already decides the match (`dir/**`, `** /*.md`, exact paths). */
  certain: boolean;
  /**
   * A glob ending in `/**` matches a file exactly when it matches any other file of the same
   * directory (the basename only fills the trailing `** `), so it is tested once per directory.
   */
  byDirectoryOnly: boolean;
}

const LITERAL = "[^/*?[\\]{}()!+@]+";
const EXTENSION_GLOB = new RegExp(`^\\*\\*/\\*(\\.${LITERAL})$`);
const BASENAME_GLOB = new RegExp(`^\\*\\*/(${LITERAL})$`);
/** `** /name/**`: any path with a directory segment `name`. */
const MAX_CACHED_DIRECTORIES = 20_000;
const SEGMENT_GLOB = new RegExp(`^\\*\\*/(${LITERAL})/\\*\\*$`);

export class GlobIndex<T> {
  private readonly anywhere: Entry<T>[] = [];
  /** Globs with no handle that end in `/**`: decided once per directory. */
  private readonly anywhereByDirectory: Entry<T>[] = [];
  private readonly byDirectory = new Map<string, Entry<T>[]>();
  private readonly byPath = new Map<string, Entry<T>[]>();
  private readonly byBasename = new Map<string, Entry<T>[]>();
  private readonly byExtension = new Map<string, Entry<T>[]>();
  private readonly bySegment = new Map<string, Entry<T>[]>();
  private readonly byDirectoryCache = new Map<string, Entry<T>[]>();
  private size = 0;
  /** Segment patterns by text, shared by the globs of the index (and so their answers on a path). */
  private readonly patterns = new Map<string, SegmentPattern>();
  /** The same globs by their prefix folder after folder: a directory is walked once, never sliced per depth. */
  private readonly prefixes: PrefixNode<T> = { children: new Map(), entries: [] };
  /** The longest extension filed (`.test.ts`): longer suffixes of a name are not looked up. */
  private maxExtensionLength = 0;

  /** Adds a glob (already validated by the policy schema) with the tag its matches report. */
  add(glob: string, tag: T): void {
    this.byDirectoryCache.clear();
    for (const alternative of minimatch.braceExpand(glob, GLOB_OPTIONS)) {
      // minimatch() needs a trailing `**` to match at least one segment (`src/**` does not match the
      // file `src`), but its regular expression lets it match none; `src/*/**` has the same
      // meaning for both, so the regular expression agrees with minimatch().
      const mm = new Minimatch(alternative, GLOB_OPTIONS);
      const row = mm.set[0];
      if (!row) continue;
      const regex = compileGlob(alternative, this.patterns);
      const literalPrefix: string[] = [];
      for (const segment of row) {
        if (typeof segment !== "string") break;
        literalPrefix.push(segment);
      }
      const plain = literalPrefix.every((segment) => segment !== "." && segment !== "..");
      const byDirectoryOnly = alternative.endsWith("/**");
      const entry = (certain: boolean): Entry<T> => ({ regex, tag, certain: certain && plain, byDirectoryOnly });
      this.size++;
      let match: RegExpExecArray | null;
      if (literalPrefix.length === row.length) push(this.byPath, literalPrefix.join("/"), entry(true));
      else if (literalPrefix.length > 0) {
        // `a/b/**`: every path under a/b/ (the directory lookup guarantees one more segment).
        const underPrefix = alternative === `${literalPrefix.join("/")}/**`;
        push(this.byDirectory, literalPrefix.join("/"), entry(underPrefix));
        let node = this.prefixes;
        for (const segment of literalPrefix) {
          let child = node.children.get(segment);
          if (!child) node.children.set(segment, (child = { children: new Map(), entries: [] }));
          node = child;
        }
        node.entries.push(this.byDirectory.get(literalPrefix.join("/"))!.at(-1)!);
      } else if (row[0] === GLOBSTAR && (match = EXTENSION_GLOB.exec(alternative))) {
        push(this.byExtension, match[1]!, entry(true));
        this.maxExtensionLength = Math.max(this.maxExtensionLength, match[1]!.length);
      } else if (row[0] === GLOBSTAR && (match = BASENAME_GLOB.exec(alternative)) && plainName(match[1]!))
        push(this.byBasename, match[1]!, entry(true));
      else if (row[0] === GLOBSTAR && (match = SEGMENT_GLOB.exec(alternative)) && plainName(match[1]!))
        push(this.bySegment, match[1]!, entry(true));
      else if (byDirectoryOnly) this.anywhereByDirectory.push(entry(false));
      else this.anywhere.push(entry(false));
    }
  }

  get globCount(): number {
    return this.size;
  }

  /** Calls `visit` with the tag of every glob that matches `path` (a tag may come more than once). */
  forEachMatch(path: string, visit: (tag: T) => void): void {
    // The path is cut into segments once, for every glob tried on it.
    const view: ViewSlot = { view: undefined };
    if (this.anywhere.length > 0) test(this.anywhere, path, view, visit);
    if (this.byPath.size > 0) test(this.byPath.get(path), path, view, visit);
    const lastSlash = path.lastIndexOf("/");
    if (lastSlash === -1) test(this.anywhereByDirectory, path, view, visit);
    else if (this.byDirectory.size > 0 || this.bySegment.size > 0 || this.anywhereByDirectory.length > 0) {
      // A stand-in file decides for the directory only when the name is an ordinary one.
      test(this.directoryCandidates(path.slice(0, lastSlash), ordinaryName(path, lastSlash + 1)), path, view, visit);
    }
    if (this.byBasename.size > 0 || this.byExtension.size > 0) {
      const basename = lastSlash === -1 ? path : path.slice(lastSlash + 1);
      if (this.byBasename.size > 0) test(this.byBasename.get(basename), path, view, visit);
      if (this.byExtension.size > 0) {
        // Only suffixes as long as a filed extension can be keys: a name of 2000 dots would
        // otherwise cost 2000 suffixes of up to 4000 characters, each hashed.
        const from = Math.max(0, basename.length - this.maxExtensionLength);
        for (let dot = basename.indexOf(".", from); dot !== -1; dot = basename.indexOf(".", dot + 1)) {
          addMatchingWork(1);
          test(this.byExtension.get(basename.slice(dot)), path, view, visit);
        }
      }
    }
  }

  /**
   * The globs filed under a directory's prefixes and segment names. Files of a PR share few
   * directories, so the list is built once per directory (a pure function of it) and kept.
   */
  private directoryCandidates(directory: string, decide: boolean): Entry<T>[] {
    let candidates = decide ? this.byDirectoryCache.get(directory) : undefined;
    if (candidates) return candidates;
    const found: Entry<T>[] = [...this.anywhereByDirectory];
    let segmentStart = 0;
    let node: PrefixNode<T> | undefined = this.prefixes;
    for (let end = directory.indexOf("/"); ; end = directory.indexOf("/", end + 1)) {
      const stop = end === -1 ? directory.length : end;
      // Each folder name is sliced once: the filed prefixes are walked folder by folder.
      const name = node || this.bySegment.size > 0 ? directory.slice(segmentStart, stop) : "";
      addMatchingWork(1);
      if (node) {
        node = node.children.get(name);
        if (node) found.push(...node.entries);
      }
      if (this.bySegment.size > 0) {
        const segment = this.bySegment.get(name);
        if (segment) found.push(...segment);
      } else if (!node) break;
      if (end === -1) break;
      segmentStart = end + 1;
    }
    if (!decide) return found;
    // Globs decided by the directory are tested here, once, on a stand-in file of it: those that
    // match stay as certain, the others go.
    let representative: string | undefined;
    const view: ViewSlot = { view: undefined };
    candidates = [];
    for (const entry of found) {
      if (entry.certain || !entry.byDirectoryOnly) candidates.push(entry);
      // (A literal of the same shape as `entry`: `test` stays monomorphic.)
      else if (entry.regex.test((representative ??= `${directory}/x`), view))
        candidates.push({ regex: entry.regex, tag: entry.tag, certain: true, byDirectoryOnly: true });
    }
    if (this.byDirectoryCache.size >= MAX_CACHED_DIRECTORIES) this.byDirectoryCache.clear();
    this.byDirectoryCache.set(directory, candidates);
    return candidates;
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

interface PrefixNode<T> {
  children: Map<string, PrefixNode<T>>;
  entries: Entry<T>[];
}

function test<T>(entries: Entry<T>[] | undefined, path: string, view: ViewSlot, visit: (tag: T) => void): void {
  if (!entries) return;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.certain || entry.regex.test(path, view)) visit(entry.tag);
  }
}

const plainName = (name: string) => name !== "." && name !== "..";

/** Whether the name starting at `start` is not "", "." or "..". */
function ordinaryName(path: string, start: number): boolean {
  const length = path.length - start;
  if (length > 2) return true;
  if (length === 0) return false;
  return path.charCodeAt(start) !== 46 || (length === 2 && path.charCodeAt(start + 1) !== 46);
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
