// An accessibility audit of one page with axe-core (the npm package, read
// from node_modules: no network), for dashboard.mjs.
//
// How it gets into the page: the pages' CSP is `script-src 'self'` with no
// 'unsafe-inline'. Playwright's addScriptTag({ path }) reads the file and
// adds it as an inline <script>, which that CSP blocks (tried: it throws
// "Executing inline script violates ... 'script-src 'self''" and logs a
// CSP error in the console, which the last check of dashboard.mjs would
// count against the page). page.evaluate(source) runs the same text in the
// page's main world through the devtools protocol, which CSP does not
// govern, so the pages are audited under the very headers they ship with;
// bypassCSP on a context would audit pages with their CSP switched off.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

// WCAG 2.0 and 2.1, levels A and AA: the level the dashboard keeps
// (docs/dashboard.md, "Accessibility").
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

// What fails the test. Moderate and minor findings are printed, not fatal.
const FATAL = new Set(["serious", "critical"]);

// Exclusions: [rule id, CSS selector of the node, why]. A node is left out
// of that one rule only, and only when its selector matches. Empty: every
// finding so far had a cause that was fixed.
const EXCLUDED = [];

/// Runs axe-core on `page` as it is; returns one line per serious or
/// critical violation ("where: rule (impact) on selectors — help"), and
/// logs the lesser ones.
export async function axeAudit(page, where) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) {
    await page.evaluate(SOURCE);
  }
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    AXE_TAGS,
  );
  const lines = [];
  for (const v of result.violations) {
    const nodes = v.nodes.filter((n) => !EXCLUDED.some(([rule, sel]) => rule === v.id && n.target.join(" ") === sel));
    if (nodes.length === 0) continue;
    const targets = nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ");
    const more = nodes.length > 3 ? ` and ${nodes.length - 3} more` : "";
    // The first node's own reason, e.g. the two colours and their ratio.
    const why = [...nodes[0].any, ...nodes[0].all, ...nodes[0].none].map((c) => c.message).find(Boolean);
    const line = `${where}: ${v.id} (${v.impact}) on ${targets}${more}: ${v.help}${why ? ` (${why})` : ""}`;
    if (FATAL.has(v.impact)) lines.push(line);
    else console.log(`  axe, not fatal: ${line}`);
  }
  return lines;
}

/// Fails at once, listing them, if `page` as it is has serious or
/// critical violations: for a state that one check sets up and leaves
/// (a form with its errors, an open menu).
export async function assertAxeClean(page, where) {
  const lines = await axeAudit(page, where);
  if (lines.length > 0) throw new Error(`${lines.length} serious or critical violations:\n${lines.join("\n")}`);
}
