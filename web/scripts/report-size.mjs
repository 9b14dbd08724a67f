// After `vite build`: writes .gz siblings (the frontend target serves them to gzip-capable
// browsers) and reports the compressed JavaScript the first load needs (index.html's module
// script and its modulepreloads), failing the build above the 300 KB budget of issue 7.
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 300 * 1024;
const dist = new URL("../dist/", import.meta.url).pathname;

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const gz = new Map();
for (const file of walk(dist)) {
  if (!/\.(js|css|html|svg|json)$/.test(file)) continue;
  const body = readFileSync(file);
  const packed = gzipSync(body, { level: 9 });
  gz.set(file.slice(dist.length - 1), packed.length);
  if (packed.length < body.length) writeFileSync(`${file}.gz`, packed);
}

const html = readFileSync(join(dist, "index.html"), "utf8");
const firstLoad = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
let total = 0;
for (const f of firstLoad) {
  total += gz.get(f) ?? 0;
  console.log(`  first load: ${f}  ${((gz.get(f) ?? 0) / 1024).toFixed(1)} KB gzip`);
}
const lazy = [...gz.keys()].filter((f) => f.endsWith(".js") && !firstLoad.includes(f));
for (const f of lazy) console.log(`  on demand:  ${f}  ${(gz.get(f) / 1024).toFixed(1)} KB gzip`);
console.log(`first-load JavaScript: ${(total / 1024).toFixed(1)} KB gzip (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error("over the first-load budget");
  process.exit(1);
}
