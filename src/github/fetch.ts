/**
 * The fetch the app's Octokit uses: a timeout per attempt, and a JSON body that must parse.
 */
import { fetchWithTimeout } from "../config.js";

export class InvalidJsonError extends Error {
  override readonly name = "InvalidJsonError";
}

/**
 * The fetch the app's Octokit uses: each attempt gives up after `timeoutMs` (reading the body
 * included), and a successful response that says it is JSON but does not parse is a failed
 * attempt (Octokit would hand the raw text on as if it were the data).
 */
export function githubFetch(timeoutMs: number): typeof fetch {
  const timed = fetchWithTimeout(timeoutMs);
  return async (input, init) => {
    const response = await timed(input, init);
    const type = response.headers.get("content-type") ?? "";
    if (
      response.status >= 400 ||
      response.status === 204 ||
      response.status === 205 ||
      init?.method === "HEAD" ||
      !/^application\/json\b/i.test(type)
    ) {
      return response;
    }
    const text = await response.text();
    if (text !== "") {
      try {
        JSON.parse(text);
      } catch {
        throw new InvalidJsonError(
          `GitHub sent a response that is not valid JSON (${response.status}, ${text.length} characters)`,
        );
      }
    }
    const copy = new Response(text, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    Object.defineProperty(copy, "url", { value: response.url });
    return copy;
  };
}
