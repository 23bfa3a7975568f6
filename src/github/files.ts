/**
 * The changed files of a pull request, from the REST API (it gives a rename's old path). Pages are
 * fetched all at once when the file count is known; GitHub lists at most 3000 files, and a list
 * that stops short of the count is marked incomplete, which makes the PR high risk (fail closed).
 */
import type { ChangedFile, FileStatus } from "../engine/types.js";
import type { GitHub } from "./octokit.js";

export const FILES_PER_PAGE = 100;
/** GitHub's cap on the pulls files listing. */
export const MAX_LISTED_FILES = 3000;

export const pagesFor = (count: number) => Math.max(1, Math.ceil(Math.min(count, MAX_LISTED_FILES) / FILES_PER_PAGE));

interface RawFile {
  filename: string;
  previous_filename?: string;
  status: FileStatus;
  additions: number;
  deletions: number;
  /** `…/contents/<path>?ref=<head sha>`: which head the list was read at. */
  contents_url?: string;
}

export interface FileList {
  files: ChangedFile[];
  complete: boolean;
  /** The head shas the listed files were read at (from their contents_url). */
  heads: Set<string>;
}

export class FileLister {
  private readonly pages = new Map<number, Promise<{ files: ChangedFile[]; heads: string[] }>>();

  constructor(
    private readonly github: GitHub,
    private readonly pr: { owner: string; repo: string; number: number },
  ) {}

  /** Starts fetching pages 1..n (each at most once). */
  prefetch(count: number): void {
    // Its failure is reported by list(); a prefetch nobody lists (a closed PR) must not go unhandled.
    for (let page = 1; page <= pagesFor(count); page++) this.page(page).catch(() => undefined);
  }

  /** The list for a PR of `count` changed files (as GitHub counts them now). */
  async list(count: number): Promise<FileList> {
    const pageCount = pagesFor(count);
    const pages = await Promise.all(Array.from({ length: pageCount }, (_, i) => this.page(i + 1)));
    const files = pages.flatMap((page) => page.files);
    const expected = Math.min(count, MAX_LISTED_FILES);
    return {
      files,
      complete: count <= MAX_LISTED_FILES && files.length === expected,
      heads: new Set(pages.flatMap((page) => page.heads)),
    };
  }

  private page(page: number): Promise<{ files: ChangedFile[]; heads: string[] }> {
    let pending = this.pages.get(page);
    if (!pending) {
      pending = this.github
        .request("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", {
          owner: this.pr.owner,
          repo: this.pr.repo,
          pull_number: this.pr.number,
          per_page: FILES_PER_PAGE,
          page,
        })
        .then((response) => {
          const raw = response.data as RawFile[];
          const heads = raw
            .map((file) => /[?&]ref=([0-9a-f]{40})/.exec(file.contents_url ?? "")?.[1])
            .filter((sha): sha is string => sha !== undefined);
          return { files: raw.map(toChangedFile), heads };
        });
      // A page nobody awaits yet must not become an unhandled rejection; list() sees the error.
      pending.catch(() => undefined);
      this.pages.set(page, pending);
    }
    return pending;
  }
}

function toChangedFile(raw: RawFile): ChangedFile {
  return {
    path: raw.filename,
    ...(raw.previous_filename ? { previousPath: raw.previous_filename } : {}),
    status: raw.status,
    additions: raw.additions ?? 0,
    deletions: raw.deletions ?? 0,
  };
}
