// Build the map component into the Python package: views/mapview/static/{index.html,map.js}
// plus SOURCE_HASH, the sha256 of the sources it was built from (tests/test_mapview.py
// recomputes it, so a source change without a rebuild fails CI). Run: npm ci && npm run build
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "..", "views", "mapview", "static");
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(here, "src", "index.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  legalComments: "none",
  outfile: join(out, "map.js"),
  logLevel: "warning",
});
copyFileSync(join(here, "src", "index.html"), join(out, "index.html"));
writeFileSync(join(out, "SOURCE_HASH"), `${sourceHash()}\n`);

// sha256 over "path\0content\0" of every source file, paths sorted (same as the Python test)
function sourceHash() {
  const files = ["build.mjs", "package.json", "package-lock.json"];
  for (const f of readdirSync(join(here, "src")).sort()) files.push(`src/${f}`);
  const h = createHash("sha256");
  for (const f of files.sort()) {
    h.update(`${f}\0`);
    h.update(readFileSync(join(here, f)));
    h.update("\0");
  }
  return h.digest("hex");
}
