/**
 * A plain sentence for what went wrong while talking to GitHub, for the failing check's summary.
 * It names the request (method and path, never a token) and what an administrator can do.
 */
interface RequestLikeError {
  name?: string;
  status?: number;
  message?: string;
  request?: { method?: string; url?: string; request?: { retryCount?: number } };
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
  errors?: { message?: string; type?: string }[];
  /** Octokit wraps what fetch threw (a timeout, a body that is not JSON) as a 500 with this cause. */
  cause?: { name?: string; message?: string };
}

export function describeError(error: unknown): string {
  if (error instanceof Error && error.name === "HeadMovedError") return error.message;
  const e = (error ?? {}) as RequestLikeError;
  const where = e.request?.method && e.request.url ? ` on ${e.request.method} ${pathOf(e.request.url)}` : "";
  if (e.name === "GraphqlResponseError" && e.errors?.length) {
    return `GitHub's GraphQL API answered with errors: ${e.errors
      .map((x) => x.message ?? x.type)
      .slice(0, 3)
      .join("; ")}`;
  }
  const names = [e.name, e.cause?.name];
  if (names.includes("AbortError") || names.includes("TimeoutError") || /timed? ?out/i.test(e.message ?? "")) {
    return `GitHub did not answer in time${where}${afterRetries(e)}`;
  }
  if (names.includes("InvalidJsonError") || error instanceof SyntaxError) {
    return `GitHub sent a response that is not valid JSON${where}${afterRetries(e)}`;
  }
  // fetch itself failed (connection refused or dropped): Octokit reports it as a 500 without a response.
  if (e.cause && e.request && !e.response)
    return `GitHub could not be reached${where} (${firstSentence(e.message)})${afterRetries(e)}`;
  const status = e.status;
  if (typeof status === "number" && status > 0) {
    const retryAfter = e.response?.headers?.["retry-after"];
    const remaining = e.response?.headers?.["x-ratelimit-remaining"];
    if (
      status === 429 ||
      (status === 403 && (retryAfter !== undefined || remaining === "0" || /rate limit/i.test(e.message ?? "")))
    ) {
      return `GitHub's rate limit was reached${where}${retryAfter ? ` (retry after ${retryAfter} s)` : ""}`;
    }
    if (status === 401)
      return `GitHub rejected the app's credentials (401)${where}; check the app's private key and that the installation is active`;
    if (status === 403) {
      return `the app lacks a permission (403)${where}: ${firstSentence(e.message)}; an owner must accept the permissions the app requests (see app.yml)`;
    }
    if (status === 404)
      return `GitHub answered 404 Not Found${where}: the pull request, branch or repository may have been deleted, or the app cannot see it`;
    if (status >= 500) return `GitHub answered ${status}${where}${afterRetries(e)}`;
    return `GitHub answered ${status}${where}: ${firstSentence(e.message)}`;
  }
  return `internal error: ${firstSentence(e.message ?? String(error))}`;
}

/** How often the retry plugin tried again, when it did. */
function afterRetries(e: RequestLikeError): string {
  const count = e.request?.request?.retryCount ?? 0;
  return count > 0 ? `, after ${count} ${count === 1 ? "retry" : "retries"}` : "";
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split("?")[0] ?? url;
  }
}

function firstSentence(message: string | undefined): string {
  return (message ?? "").split("\n")[0]!.slice(0, 200);
}

/** An evaluation that failed and could not even write its failing check. */
export class CheckNotWrittenError extends Error {
  override readonly name = "CheckNotWrittenError";
  constructor(pullRequest: string, reason: string | undefined) {
    super(`${pullRequest}: no check could be written (${reason ?? "unknown error"})`);
  }
}
