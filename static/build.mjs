// Builds static/dist/ from node_modules: the branded GOV.UK Frontend CSS, its JS, htmx and our own JS.
// Run by `make assets`. Nothing in static/dist/ is committed.
import { copyFileSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, "static", "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const css = sass.compile(join(root, "static", "scss", "portal.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
});
writeFileSync(join(dist, "portal.css"), css.css);

const copies = [
  ["node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk-frontend.min.js"],
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["static/js/portal.js", "portal.js"],
  ["static/js/suggestions.js", "suggestions.js"],
  ["static/js/passkeys.js", "passkeys.js"], // issue 20, part 5: partners' passkeys
  ["static/js/receipts.js", "receipts.js"], // issue 20, part 4 (receipts)
  // issue 20, part 6: "Check this record" on the published arrangement page only
  ["static/js/record-check.js", "record-check.js"],
];
for (const [from, to] of copies) copyFileSync(join(root, from), join(dist, to));
console.log(`built static/dist: portal.css, ${copies.map(([, to]) => to).join(", ")}`);
