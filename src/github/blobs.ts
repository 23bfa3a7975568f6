/** A blob's text by its id, read from the repository that holds it (a blob never changes). */
import type { GitHub } from "./octokit.js";

export async function fetchBlobText(
  github: GitHub,
  location: { repository: string; blobOid?: string },
): Promise<string> {
  const [owner, repo] = location.repository.split("/") as [string, string];
  const response = await github.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", {
    owner,
    repo,
    file_sha: location.blobOid!,
  });
  const blob = response.data as { content: string; encoding: string };
  return blob.encoding === "base64" ? Buffer.from(blob.content, "base64").toString("utf8") : blob.content;
}
