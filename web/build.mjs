// Builds the app into dist/ (or the directory given with --out): one
// bundle per page with the shared code split into a chunk, the stylesheet,
// and the pages. The output is the same for the same sources and the
// versions in package-lock.json, which the staleness test relies on.
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const i = process.argv.indexOf("--out");
const out = i > 0 ? process.argv[i + 1] : join(here, "dist");

await rm(out, { recursive: true, force: true });
await mkdir(join(out, "assets"), { recursive: true });
await build({
  absWorkingDir: here,
  entryPoints: ["src/player.ts", "src/host.ts", "src/screen.ts", "src/app.css"],
  outdir: join(out, "assets"),
  bundle: true,
  splitting: true,
  format: "esm",
  target: ["es2022", "chrome100", "firefox100", "safari15"],
  minify: true,
  chunkNames: "[name]-[hash]",
  legalComments: "eof",
  charset: "utf8",
  logLevel: "warning",
});
for (const page of ["index", "host", "screen"]) {
  await copyFile(join(here, "src", "pages", `${page}.html`), join(out, `${page}.html`));
}
