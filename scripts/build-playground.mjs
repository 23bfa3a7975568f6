// `npm run build`, after tsc: bundles the playground page (src/web/client) with CodeMirror and the
// engine into dist/playground/ (served by src/web/routes.ts). Nothing here is committed.
import { copyFileSync, mkdirSync } from "node:fs";
import { build } from "esbuild";

const out = "dist/playground";
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { playground: "src/web/client/main.ts" },
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["chrome109", "firefox115", "safari16"],
  minify: true,
  legalComments: "linked",
  loader: { ".yml": "text" },
  // The bundled CODEOWNERS reader measures its text with Buffer.byteLength: the page's own shim.
  inject: ["src/web/client/buffer-shim.ts"],
  outdir: out,
  logLevel: "warning",
});
await build({
  entryPoints: { playground: "src/web/client/style.css" },
  bundle: true,
  minify: true,
  outdir: out,
  logLevel: "warning",
});
copyFileSync("src/web/client/index.html", `${out}/index.html`);
