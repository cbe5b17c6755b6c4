// Adal's dashboard in a real browser: Debian's Chromium, headless, driven
// by playwright-core (no browser downloads). Runs against a deployment
// already serving the demo tenant (`adal demo`, or `adal demo --seed-only`
// then `adal serve --api-only` + `adal worker`).
//
//   BASE_URL=http://127.0.0.1:8080 node dashboard.mjs
//
// Environment: BASE_URL (required), SCREENSHOTS (directory; default
// ./screenshots; "off" takes none), CHROMIUM (default Debian's
// /usr/bin/chromium-headless-shell if installed, else /usr/bin/chromium),
// ADAL_DEMO_PASSWORD.
// Exits non-zero on the first failed check, naming it.

import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { assertAxeClean, axeAudit } from "./axe.mjs";

const BASE = (process.env.BASE_URL || "").replace(/\/$/, "");
if (!BASE) {
  console.error("BASE_URL is required");
  process.exit(2);
}
const SHOTS = process.env.SCREENSHOTS || join(import.meta.dirname, "screenshots");
const PASSWORD = process.env.ADAL_DEMO_PASSWORD || "adal-demo-password";
const MISSING = "\u26a0MISSING:";
const LANGS = ["en", "ru", "kk"];
const ACCOUNTS = {
  platform_admin: "platform@adal.demo",
  agency_auditor: "auditor@agency.demo",
  tenant_admin: "admin@demo.kz",
  compliance_officer: "compliance@demo.kz",
  procurement_officer: "procurement@demo.kz",
  hr_officer: "hr@demo.kz",
  employee: "employee@demo.kz",
};

const browser = await chromium.launch({
  // The headless shell is Chromium's engine without the desktop browser
  // around it: the same pages, about half the CPU (docs/performance.md).
  executablePath:
    process.env.CHROMIUM ||
    (existsSync("/usr/bin/chromium-headless-shell") ? "/usr/bin/chromium-headless-shell" : "/usr/bin/chromium"),
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
  ],
});

let step = "start";
async function check(name, fn) {
  step = name;
  const t0 = Date.now();
  await fn();
  console.log(`ok - ${name} (${Date.now() - t0} ms)`);
}

async function newPage(opts = {}) {
  const ctx = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: "en-US",
    ...opts,
  });
  const page = await ctx.newPage();
  const errors = [];
  // CSP violations and script errors show up as console errors.
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  page.consoleErrors = errors;
  return page;
}

async function signIn(page, role, password = PASSWORD) {
  await page.goto(`${BASE}/login`);
  await page.fill("#email", ACCOUNTS[role]);
  await page.fill("#password", password);
  await Promise.all([page.waitForNavigation(), page.click("main button[type=submit]")]);
}

// The navigation groups screens in menus (<details>): open the menu that
// holds the link, as a user would, then follow it.
async function navClick(page, selector) {
  const link = page.locator(selector).first();
  const menu = link.locator("xpath=ancestor::details[1]");
  if ((await menu.count()) > 0 && !(await menu.evaluate((d) => d.open))) {
    await menu.locator(":scope > summary").click();
  }
  await Promise.all([page.waitForNavigation(), link.click()]);
}

async function noMissing(page, where) {
  const html = await page.content();
  assert.ok(!html.includes(MISSING), `untranslated key on ${where}: ${html.slice(html.indexOf(MISSING), html.indexOf(MISSING) + 60)}`);
}

async function shot(page, lang, name) {
  // Full-page screenshots are for people to look at, and about a third of
  // the script's time: the black-box test takes them on one deployment.
  if (SHOTS === "off") return;
  const dir = join(SHOTS, lang);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  try {
    await page.screenshot({ path, fullPage: true });
  } catch {
    // Chromium sometimes cannot capture a whole page while the machine is
    // busy ("Unable to capture screenshot"). A screenshot is for people to
    // look at, not a check: try once more, then keep the visible part.
    await page.waitForTimeout(500);
    await page.screenshot({ path, fullPage: true }).catch(() => page.screenshot({ path }));
  }
}

async function errorStatus(page, url) {
  const r = await page.goto(url);
  return r.status();
}

function today() {
  return new Date().toISOString().slice(0, 10);
}

// A valid IIN from its first eleven digits (the domain's check digit).
function iin(first11) {
  const d = [...first11].map(Number);
  let c = d.reduce((a, x, i) => a + x * (i + 1), 0) % 11;
  if (c === 10) {
    const w = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    c = d.reduce((a, x, i) => a + x * w[i], 0) % 11;
  }
  assert.notEqual(c, 10, "pick other digits: no check digit exists");
  return first11 + c;
}

try {
  // ---------------------------------------------------------------- sign in
  let tenant;
  const pages = {};
  await check("every role signs in and sees its role (and its organisation)", async () => {
    for (const role of Object.keys(ACCOUNTS)) {
      const page = await newPage();
      await signIn(page, role);
      const shown = await page.getAttribute("#user-role", "data-role");
      assert.equal(shown, role, `role shown after signing in as ${role}`);
      const url = new URL(page.url());
      if (["tenant_admin", "compliance_officer", "procurement_officer", "hr_officer", "employee"].includes(role)) {
        assert.match(url.pathname, /^\/t\/[0-9a-f-]{36}\//, `${role} lands in the tenant`);
        tenant = url.pathname.split("/")[2];
        assert.equal((await page.textContent("#tenant-name")).trim(), "Demo Energy JSC");
      }
      if (role === "agency_auditor") assert.equal(url.pathname, "/agency");
      if (role === "platform_admin") assert.equal(url.pathname, "/platform", "the operator lands on the organisations");
      if (role === "compliance_officer" || role === "tenant_admin") assert.match(url.pathname, /\/overview$/);
      if (role === "employee") assert.match(url.pathname, /\/my$/);
      // Each role lands on its main job.
      if (role === "hr_officer") assert.match(url.pathname, /\/hr-actions$/);
      if (role === "procurement_officer") assert.match(url.pathname, /\/procurements$/);
      pages[role] = page;
    }
  });
  const T = `${BASE}/t/${tenant}`;
  const officer = pages.compliance_officer;
  const employee = pages.employee;

  await check("security headers and cookies", async () => {
    const r = await officer.goto(`${T}/overview`);
    const h = r.headers();
    assert.match(h["content-security-policy"], /default-src 'self'/);
    assert.match(h["content-security-policy"], /frame-ancestors 'none'/);
    assert.doesNotMatch(h["content-security-policy"], /unsafe-inline/);
    assert.equal(h["x-content-type-options"], "nosniff");
    assert.ok(h["referrer-policy"]);
    const cookies = await officer.context().cookies();
    const session = cookies.find((c) => c.name === "adal_session");
    assert.ok(session, "session cookie set");
    assert.equal(session.httpOnly, true);
    assert.equal(session.secure, true);
    assert.equal(session.sameSite, "Lax");
    // Scripts cannot read it.
    assert.equal(await officer.evaluate(() => document.cookie.includes("adal_session")), false);
  });

  await check("a wrong password is refused", async () => {
    const page = await newPage();
    await signIn(page, "employee", "not-the-password");
    assert.ok(await page.isVisible("#login-error"));
    assert.equal(new URL(page.url()).pathname, "/login");
    await page.context().close();
  });

  await check("keyboard only: sign in with Tab and Enter", async () => {
    const page = await newPage();
    await page.goto(`${BASE}/login`);
    // The email field has the focus on arrival. Chromium applies
    // `autofocus` after the page has loaded, a moment after `goto` returns
    // when the machine is busy: wait for it (a page without it never gets
    // there, and fails here).
    await page.waitForFunction(() => document.activeElement?.id === "email", null, { timeout: 5000 });
    await page.keyboard.type(ACCOUNTS.employee);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.id), "password");
    await page.keyboard.type(PASSWORD);
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    assert.equal(await page.getAttribute("#user-role", "data-role"), "employee");
    // The first Tab reaches the skip link, and it leads to the content.
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.className), "skip");
    // Following an in-page link changes the URL without a navigation
    // event: wait for it rather than read it at once (a race seen in CI).
    await page.keyboard.press("Enter");
    await page.waitForURL(/#main$/, { timeout: 5000 });
    assert.match(page.url(), /#main$/);
    await page.context().close();
  });

  // ------------------------------------------------------- employee files
  const openInCell = async (l, i) => {
    await officer.goto(`${T}/risk-map`);
    const cell = officer.locator(`#heatmap text[data-likelihood="${l}"][data-impact="${i}"]`);
    return Number((await cell.textContent()).trim());
  };
  const before33 = await openInCell(3, 3);
  const beforeTotal = Number(await (async () => {
    await officer.goto(`${T}/overview`);
    return (await officer.textContent("#open-total")).trim();
  })());

  let findingId;
  let recordUrl;
  let personUrl;
  await check("an employee files a gift; errors show next to their fields", async () => {
    await employee.goto(`${T}/my`);
    await navClick(employee, `nav a[href="/t/${tenant}/gifts/new"]`);
    // Every field has a label.
    for (const id of ["f-giver_name", "f-giver_bin", "f-description", "f-value_kzt", "f-date", "f-occasion", "f-direction-received"]) {
      assert.equal(await employee.locator(`label[for="${id}"]`).count(), 1, `label for ${id}`);
    }
    await employee.fill("#f-giver_name", "");
    await employee.fill("#f-value_kzt", "12.345");
    await employee.fill("#f-date", "2099-01-01");
    await employee.fill("#f-giver_bin", "123");
    const [resp] = await Promise.all([employee.waitForNavigation(), employee.click("form.filing button[type=submit]")]);
    assert.equal(resp.status(), 422);
    for (const f of ["giver_name", "value_kzt", "date", "giver_bin", "description", "occasion"]) {
      const err = employee.locator(`#f-${f}-error`);
      assert.ok(await err.isVisible(), `error shown for ${f}`);
      assert.equal(await employee.getAttribute(`#f-${f}`, "aria-invalid"), "true");
    }
    // The entered values survive the round trip.
    assert.equal(await employee.inputValue("#f-value_kzt"), "12.345");
    await assertAxeClean(employee, "the gift form with its errors");

    await employee.fill("#f-giver_name", "Browser Test LLP");
    await employee.fill("#f-giver_bin", "");
    await employee.fill("#f-description", "Tablet computer");
    await employee.fill("#f-value_kzt", "250000.00");
    await employee.fill("#f-date", today());
    await employee.fill("#f-occasion", "Supplier visit");
    await Promise.all([employee.waitForNavigation(), employee.click("form.filing button[type=submit]")]);
    assert.match(employee.url(), /\/my\?filed=1$/);
    assert.ok(await employee.isVisible("#filed"));
    // The worker evaluates it; the finding appears on the employee's page.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const item = employee.locator("#filings > li").first();
      const text = await item.textContent();
      if (text.includes("Tablet computer") && (await item.locator("li[data-finding]").count()) > 0) {
        findingId = await item.locator("li[data-finding]").first().getAttribute("data-finding");
        break;
      }
      assert.ok(Date.now() < deadline, "the filed gift got a finding within 60 s");
      await new Promise((r) => setTimeout(r, 500));
      await employee.reload();
    }
    assert.match(await employee.textContent("#filings > li"), /250,000\.00/);
  });

  await check("the finding appears on the compliance officer's risk map", async () => {
    assert.equal(await openInCell(3, 3), before33 + 1);
    const row = officer.locator('#risk-cells tr[data-likelihood="3"][data-impact="3"]');
    assert.equal(Number((await row.locator("td").nth(3).textContent()).trim()), before33 + 1);
    // The cell links to the findings behind it.
    await Promise.all([officer.waitForNavigation(), officer.click('#heatmap a:has(text[data-likelihood="3"][data-impact="3"])')]);
    assert.match(officer.url(), /likelihood=3&impact=3/);
    assert.equal(await officer.locator(`#findings tr[data-finding="${findingId}"]`).count(), 1);
    await officer.goto(`${T}/overview`);
    assert.equal(Number((await officer.textContent("#open-total")).trim()), beforeTotal + 1);
    // The cells are reachable and followed with the keyboard alone.
    await officer.goto(`${T}/risk-map`);
    // The legend tells the map's bands from the findings' severity.
    assert.deepEqual(
      await officer.$$eval("#scales li[data-band]", (lis) => lis.map((l) => l.dataset.band)),
      ["low", "medium", "high", "critical"],
    );
    assert.match(await officer.textContent('#scales li[data-band="high"]'), /10–16/);
    let inMap = false;
    for (let i = 0; i < 60 && !inMap; i++) {
      await officer.keyboard.press("Tab");
      inMap = await officer.evaluate(() => !!document.activeElement.closest("#heatmap svg"));
    }
    assert.ok(inMap, "Tab reaches a heat-map cell");
    await Promise.all([officer.waitForNavigation(), officer.keyboard.press("Enter")]);
    assert.match(officer.url(), /\/findings\?status=open&likelihood=\d&impact=\d/);
    // The ranked list of high-risk positions: the demo's high-risk
    // position is on it, ranked, with its findings' score in order.
    await officer.goto(`${T}/risk-map`);
    const ranked = officer.locator("#positions-ranked tbody tr");
    assert.ok((await ranked.count()) >= 1);
    assert.match(await officer.textContent("#positions-ranked"), /Procurement specialist/);
    const scores = await ranked.evaluateAll((rows) => rows.map((r) => Number(r.lastElementChild.textContent)));
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a), "ranked by score");
  });

  await check("an employee discloses a conflict of interest; the relative and the procurement are asked for", async () => {
    await employee.goto(`${T}/my`);
    await navClick(employee, `nav a[href="/t/${tenant}/conflicts/new"]`);
    for (const id of ["f-description", "f-party_name", "f-party_iin", "f-party_bin", "f-procurement_ocid", "f-arose_on", "f-situation", "f-party_relation", "f-proposed_resolution-recusal"]) {
      assert.equal(await employee.locator(`label[for="${id}"]`).count(), 1, `label for ${id}`);
    }
    await employee.selectOption("#f-situation", "relative_in_procurement");
    await employee.fill("#f-description", "My brother directs a bidder");
    await employee.fill("#f-party_name", "Aidos Serikov");
    await employee.fill("#f-arose_on", today());
    await employee.check("#f-proposed_resolution-recusal");
    const [resp] = await Promise.all([employee.waitForNavigation(), employee.click("form.filing button[type=submit]")]);
    assert.equal(resp.status(), 422);
    for (const f of ["party_name", "procurement_ocid"]) {
      assert.ok(await employee.locator(`#f-${f}-error`).isVisible(), `error shown for ${f}`);
    }
    assert.equal(await employee.inputValue("#f-party_name"), "Aidos Serikov");
    await employee.selectOption("#f-party_relation", "sibling");
    await employee.fill("#f-procurement_ocid", "ocds-browser-1");
    await Promise.all([employee.waitForNavigation(), employee.click("form.filing button[type=submit]")]);
    assert.match(employee.url(), /\/my\?filed=conflict$/);
    assert.ok(await employee.isVisible("#filed"));
    assert.ok((await employee.locator("#filings > li").first().getAttribute("data-submission")).length > 0);
  });

  await check("an employee cannot reach the compliance screens by link or by URL", async () => {
    await employee.goto(`${T}/my`);
    for (const p of ["overview", "risk-map", "findings", "people", "org", "settings", "hr-actions", "procurements", "imports", "rules"]) {
      assert.equal(await employee.locator(`nav a[href="/t/${tenant}/${p}"]`).count(), 0, `no link to ${p}`);
    }
    for (const p of ["overview", "risk-map", "findings", `findings/${findingId}`, "people", "org", "settings", "hr-actions", "procurements", "imports", "rules", "rules/parameters", "rules/new", "rules/v/1"]) {
      assert.equal(await errorStatus(employee, `${T}/${p}`), 403, `${p} is forbidden`);
      assert.equal(await employee.getAttribute("#error", "data-status"), "403");
    }
    assert.equal(await errorStatus(employee, `${BASE}/agency`), 403);
    // Another tenant's id, a made-up id, a malformed id: not found.
    assert.equal(await errorStatus(employee, `${BASE}/t/00000000-0000-7000-8000-000000000000/overview`), 404);
    assert.equal(await errorStatus(employee, `${BASE}/t/not-a-uuid/my`), 404);
    assert.equal(await errorStatus(employee, `${BASE}/no/such/page`), 404);
    // A triage POST with the employee's own valid CSRF token is still refused.
    await employee.goto(`${T}/my`);
    const csrf = await employee.getAttribute("form.lang input[name=csrf]", "value");
    const r = await employee.request.post(`${T}/findings/${findingId}/resolve`, { form: { csrf, reason: "mine" }, maxRedirects: 0 });
    assert.equal(r.status(), 403);
  });

  await check("forms without the session's CSRF token are refused", async () => {
    const r = await officer.request.post(`${T}/findings/${findingId}/resolve`, { form: { reason: "no token" }, maxRedirects: 0 });
    assert.equal(r.status(), 403);
    const r2 = await officer.request.post(`${T}/findings/${findingId}/resolve`, { form: { csrf: "0".repeat(64), reason: "bad token" }, maxRedirects: 0 });
    assert.equal(r2.status(), 403);
    await officer.goto(`${T}/findings/${findingId}`);
    assert.equal(await officer.getAttribute("#finding", "data-status"), "open");
  });

  await check("the compliance officer triages: assign, comment, resolve with a reason", async () => {
    await officer.goto(`${T}/findings/${findingId}`);
    // The finding says what it is about: its filing and who filed it.
    assert.match(await officer.textContent("#finding-filing"), /\S/);
    assert.match(await officer.textContent("#finding-filed-by"), /\S/);
    // Only people who may work on it are offered: not the employee who
    // filed it, nor the HR officer, whose role cannot open it.
    const offered = await officer.locator("#assignee-select option").allTextContents();
    assert.ok(!offered.some((o) => /Nurlan Employee|Madina HR/.test(o)), offered.join(" | "));
    const me = await officer.locator("#assignee-select option", { hasText: "Daniyar Compliance" }).getAttribute("value");
    await officer.selectOption("#assignee-select", me);
    await Promise.all([officer.waitForNavigation(), officer.click("form[action$='/assign'] button")]);
    assert.match(await officer.textContent("#assignee"), /Daniyar Compliance/);
    await officer.goto(`${T}/findings?assigned=me`);
    assert.equal(await officer.locator(`#findings tr[data-finding="${findingId}"]`).count(), 1);
    // The list says whom each finding concerns: here, who filed the gift.
    assert.match(await officer.textContent(`#findings tr[data-finding="${findingId}"] td.concerns`), /Nurlan Employee/);
    await officer.goto(`${T}/findings/${findingId}`);
    await officer.fill("#comment-body", "Asked the employee to return it.");
    await Promise.all([officer.waitForNavigation(), officer.click("form[action$='/comment'] button")]);
    assert.match(await officer.textContent("#comments"), /Asked the employee to return it\./);
    // A reason is required: the browser asks for one, and blank text
    // gets past the browser but not the server.
    await officer.fill("#close-reason", "   ");
    const [bad] = await Promise.all([officer.waitForNavigation(), officer.click("#resolve")]);
    assert.equal(bad.status(), 422);
    assert.ok(await officer.isVisible("#close-reason-error"));
    await officer.fill("#close-reason", "The tablet was returned to the supplier.");
    await Promise.all([officer.waitForNavigation(), officer.click("#resolve")]);
    assert.equal(await officer.getAttribute("#finding", "data-status"), "resolved");
    assert.match(await officer.textContent("#reason"), /returned to the supplier/);
    assert.equal(await officer.locator("#resolve").count(), 0, "a closed finding has no close form");
    // The finding becomes a case, linked to it; once.
    await Promise.all([officer.waitForNavigation(), officer.click("#open-case")]);
    assert.match(officer.url(), /\/cases\/[0-9a-f-]{36}$/);
    assert.equal(await officer.locator('#case-links li[data-kind="finding"]').count(), 1);
    const caseUrl = officer.url();
    await officer.goto(`${T}/findings/${findingId}`);
    await Promise.all([officer.waitForNavigation(), officer.click("#open-case")]);
    assert.equal(officer.url(), caseUrl, "the finding's case, not a second one");
    // Off the risk map and the overview.
    assert.equal(await openInCell(3, 3), before33);
    await officer.goto(`${T}/overview`);
    assert.equal(Number((await officer.textContent("#open-total")).trim()), beforeTotal);
    // The employee sees the new status.
    await employee.goto(`${T}/my`);
    assert.match(await employee.textContent(`li[data-finding="${findingId}"]`), /Resolved/);
  });

  await check("another finding is marked as a false positive", async () => {
    await officer.goto(`${T}/findings?status=open`);
    const first = officer.locator("#findings tbody tr").first();
    const id = await first.getAttribute("data-finding");
    await officer.goto(`${T}/findings/${id}`);
    await officer.fill("#close-reason", "The giver is not a counterparty.");
    await Promise.all([officer.waitForNavigation(), officer.click("#false-positive")]);
    assert.equal(await officer.getAttribute("#finding", "data-status"), "false_positive");
    await officer.goto(`${T}/findings?status=false_positive`);
    assert.equal(await officer.locator(`#findings tr[data-finding="${id}"]`).count(), 1);
    // Reopened with a reason, kept among the comments.
    await officer.goto(`${T}/findings/${id}`);
    await officer.fill("#reopen-reason", "The giver bids after all.");
    await Promise.all([officer.waitForNavigation(), officer.click("#reopen")]);
    assert.equal(await officer.getAttribute("#finding", "data-status"), "open");
    assert.match(await officer.textContent("#comments"), /The giver bids after all\./);
    assert.equal(await officer.locator("#reopen").count(), 0, "an open finding has no reopen form");
  });

  await check("the findings list exports what its filters select: CSV, JSON and XLSX", async () => {
    await officer.goto(`${T}/findings?status=open`);
    for (const f of ["csv", "json", "xlsx"]) {
      const href = await officer.getAttribute(`#export-findings-${f}`, "href");
      assert.equal(href, `/t/${tenant}/exports/${f}/findings?status=open`, `the ${f} link carries the filter`);
    }
    // The CSV link downloads a file whose first line is the header.
    const [download] = await Promise.all([officer.waitForEvent("download"), officer.click("#export-findings-csv")]);
    assert.equal(download.suggestedFilename(), "findings.csv");
    const csv = readFileSync(await download.path(), "utf8");
    assert.equal(csv.split("\n")[0], "id,submission_id,rule_id,area,severity,likelihood,impact,status,created_at,explanation");
    // Every open finding of every page, and no other.
    const total = Number(await officer.getAttribute("#findings-pager-rows", "data-total"));
    const json = await officer.request.get(`${T}/exports/json/findings?status=open`);
    assert.equal(json.status(), 200);
    assert.match(json.headers()["content-disposition"], /attachment; filename="findings\.json"/);
    const items = await json.json();
    assert.equal(items.length, total);
    assert.ok(items.every((i) => i.status === "open"), "only open findings");
    const xlsx = await officer.request.get(`${T}/exports/xlsx/findings?status=open`);
    assert.equal(xlsx.status(), 200);
    assert.equal(xlsx.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert.equal((await xlsx.body()).subarray(0, 2).toString(), "PK", "a zip file");
    // Who may not read a list has no link to it and a 404 for its address.
    await employee.goto(`${T}/my`);
    assert.equal(await employee.locator("a[href*='/exports/']").count(), 0);
    assert.equal(await errorStatus(employee, `${T}/exports/csv/people`), 404);
    assert.equal(await errorStatus(officer, `${T}/exports/csv/horses`), 404);
  });

  // A declaration may add findings of its own: after the counts above.
  const lastYear = new Date().getUTCFullYear() - 1;
  await check("an employee declares assets and income: rows are added without script, errors sit by their cells", async () => {
    await employee.goto(`${T}/my`);
    await navClick(employee, `nav a[href="/t/${tenant}/declarations/new"]`);
    // The demo employee's account is Nurlan Employee on file, whose
    // declaration for last year the demo already holds: the form fills in
    // their IIN, says last year's is filed, and presets no year.
    assert.equal(await employee.inputValue("#d-year"), "", "no year preset: last year's is filed");
    assert.match(await employee.textContent("#decl-filed"), new RegExp(String(lastYear)));
    assert.equal(await employee.inputValue("#d-person_iin"), iin("85050530001"), "their IIN is filled in");
    for (const id of ["d-year", "d-person_iin", "d-real_estate-0-kind", "d-real_estate-0-value_kzt", "d-vehicles-0-make_model", "d-accounts-0-currency", "d-liabilities-0-creditor_iin", "d-income-0-source"]) {
      assert.equal(await employee.locator(`label[for="${id}"]`).count(), 1, `label for ${id}`);
    }
    // The demo employee's account is Nurlan Employee on file: they declare
    // for themselves only, and the demo already holds last year's
    // declaration, so this one is for the year before.
    await employee.fill("#d-year", String(lastYear - 1));
    // "Add a row" posts the form back with one more row, keeping what was typed.
    await employee.fill("#d-person_iin", iin("85050530001"));
    await employee.selectOption("#d-income-0-source", "salary");
    await employee.fill("#d-income-0-payer_name", "Demo Energy JSC");
    await employee.fill("#d-income-0-amount_kzt", "7 200 000");
    assert.equal(await employee.locator("#d-income-1-source").count(), 0);
    const [grown] = await Promise.all([employee.waitForNavigation(), employee.click("#add-income")]);
    assert.equal(grown.status(), 200);
    assert.equal(await employee.locator("#form-errors").count(), 0, "adding a row checks nothing yet");
    assert.equal(await employee.inputValue("#d-income-0-payer_name"), "Demo Energy JSC");
    await employee.selectOption("#d-income-1-source", "rental");
    await employee.fill("#d-income-1-payer_name", "A tenant");
    await employee.fill("#d-income-1-amount_kzt", "lots");
    await employee.selectOption("#d-real_estate-0-kind", "apartment");
    await employee.fill("#d-real_estate-0-address", "Astana, Kabanbay Batyr 1");
    await employee.fill("#d-real_estate-0-value_kzt", "12.345");
    const [bad] = await Promise.all([employee.waitForNavigation(), employee.click("#decl-submit")]);
    assert.equal(bad.status(), 422);
    for (const id of ["d-real_estate-0-value_kzt", "d-income-1-amount_kzt"]) {
      assert.ok(await employee.locator(`#${id}-error`).isVisible(), `error by ${id}`);
      assert.equal(await employee.getAttribute(`#${id}`, "aria-invalid"), "true");
    }
    assert.equal(await employee.locator(".field-error").count(), 2, "only the bad cells are marked");
    assert.equal(await employee.inputValue("#d-income-1-amount_kzt"), "lots");
    await employee.fill("#d-real_estate-0-value_kzt", "45 000 000");
    await employee.fill("#d-income-1-amount_kzt", "1200000.00");
    await Promise.all([employee.waitForNavigation(), employee.click("#decl-submit")]);
    assert.match(employee.url(), /\/my\?filed=declaration$/);
    assert.ok(await employee.isVisible("#filed"));
    assert.match(await employee.textContent("#filings > li"), new RegExp(String(lastYear - 1)));
  });

  await check("an employee corrects a declaration: the form comes filled in with what was filed, the earlier version is kept and linked", async () => {
    await employee.goto(`${T}/my`);
    const filed = employee.locator("#filings > li", { hasText: String(lastYear - 1) }).first();
    await Promise.all([employee.waitForNavigation(), filed.locator("h2 a").click()]);
    const oldUrl = employee.url();
    assert.equal(await employee.getAttribute("#record", "data-kind"), "asset_declaration");
    await Promise.all([employee.waitForNavigation(), employee.click("#record-correct")]);
    assert.ok(await employee.isVisible("#decl-correcting"));
    // What was filed, back in its cells.
    assert.equal(await employee.inputValue("#d-year"), String(lastYear - 1));
    assert.equal(await employee.inputValue("#d-income-0-payer_name"), "Demo Energy JSC");
    assert.equal(await employee.inputValue("#d-income-1-payer_name"), "A tenant");
    assert.equal(await employee.inputValue("#d-real_estate-0-address"), "Astana, Kabanbay Batyr 1");
    // A bad amount is refused beside its cell, still as a correction.
    await employee.fill("#d-income-1-amount_kzt", "much");
    const [bad] = await Promise.all([employee.waitForNavigation(), employee.click("#decl-submit")]);
    assert.equal(bad.status(), 422);
    assert.ok(await employee.isVisible("#d-income-1-amount_kzt-error"));
    assert.ok(await employee.isVisible("#decl-correcting"));
    await employee.fill("#d-income-1-amount_kzt", "1300000.00");
    await Promise.all([employee.waitForNavigation(), employee.click("#decl-submit")]);
    assert.match(employee.url(), /\/my\?filed=correction$/);
    assert.ok(await employee.isVisible("#filed"));
    // The earlier version says it was replaced and links the new one,
    // which links back; it cannot be corrected again.
    await employee.goto(oldUrl);
    assert.ok(await employee.isVisible("#record-superseded"));
    assert.equal(await employee.locator("#record-correct").count(), 0);
    await Promise.all([employee.waitForNavigation(), employee.click("#record-superseded a")]);
    assert.ok(await employee.isVisible("#record-corrects"));
    assert.match(await employee.textContent('#record-content [data-member="income"]'), /1[\s\u00a0\u202f,.]?300[\s\u00a0\u202f,.]?000/);
    assert.equal(await errorStatus(employee, `${T}/declarations/new?corrects=${oldUrl.split("/").pop()}`), 409);
    assert.equal(await errorStatus(employee, `${T}/declarations/new?corrects=00000000-0000-7000-8000-000000000000`), 404);
    assert.equal(await errorStatus(employee, `${T}/declarations/new?corrects=junk`), 404);
    // The form for a new one links the correction of the year on file.
    await employee.goto(`${T}/declarations/new`);
    assert.match(await employee.getAttribute("#decl-correct", "href"), /\/declarations\/new\?corrects=[0-9a-f-]{36}$/);
  });

  await check("the employee's home shows the declaration deadlines", async () => {
    await employee.goto(`${T}/my`);
    const open = employee.locator(`#deadline-table tr[data-year="${lastYear}"]`);
    assert.equal(await open.count(), 1);
    // Filed (by the demo, then by this test): on time or late depending on today.
    assert.match(await open.getAttribute("data-state"), /^(on_time|late)$/);
    assert.equal((await open.locator("td.due").textContent()).trim(), `31.05.${lastYear + 1}`);
    const next = employee.locator(`#deadline-table tr[data-year="${lastYear + 1}"]`);
    assert.equal(await next.getAttribute("data-state"), "not_yet_due");
    assert.equal((await next.locator("td.due").textContent()).trim(), `31.05.${lastYear + 2}`);
  });

  await check("the overview shows findings per week as a chart with its table, and overdue declarations", async () => {
    await officer.goto(`${T}/overview`);
    assert.ok(await officer.isVisible("#trend svg"));
    assert.match(await officer.textContent("#trend svg title"), /\S/);
    const rows = officer.locator("#trend-table tbody tr");
    assert.equal(await rows.count(), 12);
    // This week's gift finding is in the last week, in the chart and the table alike.
    const last = rows.last();
    const week = await last.getAttribute("data-week");
    const total = Number((await last.locator("td").last().textContent()).trim());
    assert.ok(total >= 1, "this week's findings counted");
    assert.equal(Number(await officer.getAttribute(`#trend g[data-week="${week}"]`, "data-total")), total);
    assert.ok((await officer.locator(`#trend g[data-week="${week}"] rect[data-severity]`).count()) >= 1);
    assert.ok(Number((await officer.textContent("#overdue-missing")).trim()) >= 0);
    assert.ok(Number((await officer.textContent("#overdue-late")).trim()) >= 0);
  });

  await check("the Agency reads every tenant, clearly read-only", async () => {
    const auditor = pages.agency_auditor;
    await auditor.goto(`${BASE}/agency`);
    const row = auditor.locator("#tenants tbody tr", { hasText: "Demo Energy JSC" });
    assert.equal(await row.count(), 1);
    assert.ok(Number(await row.locator("td[data-open]").getAttribute("data-open")) >= 0);
    const overdue = Number(await row.locator("td[data-overdue]").getAttribute("data-overdue"));
    // Risk by area: each area with open findings, its count and highest
    // band, named in words; together they are the open findings.
    const areas = row.locator("td.areas li[data-area]");
    assert.ok((await areas.count()) >= 1, "the demo's open findings by area");
    let sum = 0;
    for (const li of await areas.all()) {
      sum += Number(await li.getAttribute("data-count"));
      assert.ok(["low", "medium", "high", "critical"].includes(await li.getAttribute("data-band")));
      const area = await li.getAttribute("data-area");
      assert.ok(!(await li.textContent()).trim().startsWith(`${area}:`), `${area}: its name in words, not its key`);
    }
    assert.equal(sum, Number(await row.locator("td[data-open]").getAttribute("data-open")));
    assert.match(await row.locator("th").textContent(), /read-only/);
    await Promise.all([auditor.waitForNavigation(), row.locator("a").click()]);
    assert.ok(await auditor.isVisible("#read-only"));
    assert.ok(await auditor.isVisible("#open-total"));
    // The posture's overdue declarations are the overview's missing and late ones.
    const missing = Number((await auditor.textContent("#overdue-missing")).trim());
    const late = Number((await auditor.textContent("#overdue-late")).trim());
    assert.equal(overdue, missing + late);
    await auditor.goto(`${T}/risk-map`);
    assert.ok(await auditor.isVisible("#read-only"));
    // The cartogram: the demo's region holds its open findings; its tile
    // drills down to the region's organisations, and on to the overview.
    await auditor.goto(`${BASE}/agency/cartogram`);
    assert.equal(await auditor.locator("#cartogram g.tile").count(), 20, "a tile per region and city");
    const tile = auditor.locator('#cartogram g.tile[data-region="astana"]');
    assert.ok(Number(await tile.getAttribute("data-tenants")) >= 1);
    const tileOpen = Number(await tile.getAttribute("data-open"));
    assert.ok(tileOpen >= 1, "the demo's open findings are on Astana's tile");
    assert.equal(Number(await auditor.locator('#cartogram-regions tr[data-region="astana"] td.num').first().textContent()), Number(await tile.getAttribute("data-tenants")));
    assert.equal(await auditor.locator('#cartogram g.tile[data-region="ulytau"]').getAttribute("data-level"), "empty");
    await Promise.all([auditor.waitForNavigation(), tile.locator("xpath=..").click()]);
    assert.match(auditor.url(), /\/agency\/cartogram\?region=astana/);
    assert.ok(await auditor.isVisible("#cartogram-selection"));
    const demoRow = auditor.locator("#cartogram-tenants tbody tr", { hasText: "Demo Energy JSC" });
    assert.equal(await demoRow.count(), 1);
    const csv = await auditor.request.get(`${BASE}/agency/cartogram.csv?region=astana`);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()["content-type"], /text\/csv/);
    assert.match(await csv.text(), /^group,key,tenants,open_findings,high_risk_findings,high_risk_positions,level,severity_low,[a-z_,]*,cases_substantiated\r\nregion,astana,/);
    // The selection by the Guidelines' areas: the areas' open findings,
    // and the grades, add up to the region's (on this same page).
    const regionOpen = Number(await auditor.locator('#cartogram g.tile[data-region="astana"]').getAttribute("data-open"));
    const areaSum = (await auditor.locator("#cartogram-by-area tbody tr[data-area] td.num").allTextContents()).reduce((a, x) => a + Number(x), 0);
    assert.equal(areaSum, regionOpen, "the areas add up to the open findings");
    const bySeverity = (await auditor.locator("#cartogram-grades tbody tr td:nth-of-type(1)").allTextContents()).reduce((a, x) => a + Number(x), 0);
    assert.equal(bySeverity, regionOpen, "the severities add up to the open findings");
    assert.ok(await auditor.isVisible('#cartogram-accountability tr[data-measure="overdue"]'));
    await auditor.goto(`${BASE}/agency/cartogram?region=atlantis`);
    assert.ok(await auditor.isVisible("#region-error"), "an unknown region is named as such");
    await auditor.goto(`${BASE}/agency/cartogram?region=astana`);
    await Promise.all([auditor.waitForNavigation(), demoRow.locator("a").click()]);
    assert.ok(await auditor.isVisible("#open-total"));
    assert.equal(await errorStatus(pages.compliance_officer, `${BASE}/agency/cartogram`), 403);
    await auditor.goto(`${T}/findings/${findingId}`);
    assert.equal(await auditor.locator("section.triage").count(), 0, "no triage forms for the Agency");
    const csrf = await auditor.getAttribute("form.lang input[name=csrf]", "value");
    const r = await auditor.request.post(`${T}/findings/${findingId}/comment`, { form: { csrf, body: "agency" }, maxRedirects: 0 });
    assert.equal(r.status(), 403);
    assert.equal(await errorStatus(auditor, `${T}/gifts/new`), 403);
    // The adopted standard, read-only: no forms, and their URLs are 403.
    await auditor.goto(`${T}/rules`);
    assert.ok(await auditor.isVisible("#active-version"));
    assert.equal(await auditor.locator("main form").count(), 0, "no editor forms for the Agency");
    assert.equal(await errorStatus(auditor, `${T}/rules/parameters`), 403);
    assert.equal(await errorStatus(auditor, `${T}/rules/new`), 403);
  });

  // ---------------------------------------------------------- rule editor
  const submitAndWait = (page, selector) => Promise.all([page.waitForNavigation(), page.click(selector)]);
  const versionOf = (page) => Number(new URL(page.url()).pathname.match(/\/rules\/v\/(\d+)$/)[1]);
  // "Activate" asks first; "Activate version N" on the question does it.
  const activateConfirmed = async (version) => {
    await submitAndWait(officer, "#activate-submit");
    assert.equal(await officer.getAttribute("#activate-confirm-what", "data-version"), String(version));
    assert.equal(await officer.getAttribute("#version-status", "data-status"), "draft", "not activated by the first click");
    await submitAndWait(officer, "#activate-confirm-submit");
  };
  const dryRunAndActivate = async (version) => {
    assert.equal(await officer.getAttribute("#version-status", "data-status"), "draft");
    await officer.fill("#dry-run-n", "20");
    await submitAndWait(officer, "#dry-run-submit");
    assert.ok(Number(await officer.getAttribute("#dry-run-summary", "data-submissions")) > 0, "the demo's submissions were evaluated");
    await activateConfirmed(version);
    assert.ok(await officer.isVisible("#rules-activated"), "activated");
    assert.equal(await officer.getAttribute("#active-version", "data-version"), String(version));
  };
  await check("the compliance officer changes a parameter: a bad value is refused beside it; the draft is dry-run and activated", async () => {
    await officer.goto(`${T}/overview`);
    await navClick(officer, `nav a[href="/t/${tenant}/rules"]`);
    assert.ok(await officer.isVisible('tr[data-rule="gift-over-mci-limit"]'));
    assert.match(await officer.textContent('tr[data-rule="gift-over-mci-limit"]'), /limit_mci = 2 MCI/);
    await submitAndWait(officer, "#edit-parameters");
    const input = 'input[name="p.gift-over-mci-limit.limit_mci"]';
    assert.equal(await officer.inputValue(input), "2");
    // Typed inputs: a number with its bounds, unit and range in words; a
    // switch for yes/no; a list read as chips, one value per line.
    assert.equal(await officer.getAttribute(input, "type"), "number");
    assert.equal(await officer.getAttribute(input, "min"), "1");
    assert.equal(await officer.getAttribute(input, "max"), "1000");
    assert.equal((await officer.textContent('fieldset[data-rule="gift-over-mci-limit"] .with-unit .unit')).trim(), "MCI");
    const hint = await officer.textContent("#f-gift-over-mci-limit-limit_mci-hint");
    assert.match(hint, /From 1 to 1000/);
    assert.doesNotMatch(hint, /allowed: |– —/);
    const sw = "#f-no-compliance-unit-include_private";
    assert.equal(await officer.getAttribute(sw, "type"), "checkbox");
    assert.equal(await officer.getAttribute(sw, "role"), "switch");
    assert.equal(await officer.isChecked(sw), false);
    assert.equal(await officer.locator('input[type=hidden][name="p.no-compliance-unit.include_private"]').count(), 1, "an unchecked switch still says off");
    assert.deepEqual(await officer.locator("#f-R018-procurement_methods-chips li").allTextContents(), ["open", "selective"]);
    assert.equal(await officer.inputValue("#f-R018-procurement_methods"), "open\nselective");
    // With app.js the chips follow what is typed.
    await officer.fill("#f-R018-procurement_methods", "open, selective\nlimited");
    assert.deepEqual(await officer.locator("#f-R018-procurement_methods-chips li").allTextContents(), ["open", "selective", "limited"]);
    await officer.fill("#f-R018-procurement_methods", "open\nselective");
    assert.ok(await officer.isVisible('table.param-map[id="f-R003-procurement_method_details"] input[name="p.R003.procurement_method_details.k0"]'), "a table of names, not JSON");
    assert.equal(await officer.locator('form.parameters input[type=text][value="{}"], form.parameters input[value="false"]:not([type=hidden])').count(), 0, "no JSON to type");
    await officer.fill(input, "0");
    await submitAndWait(officer, "#parameters-submit");
    assert.ok(await officer.isVisible("#f-gift-over-mci-limit-limit_mci-error"), "the error is beside its input");
    assert.equal(await officer.getAttribute(input, "aria-invalid"), "true");
    assert.equal(await officer.inputValue(input), "0", "what was typed stays");
    await officer.fill(input, "5");
    await submitAndWait(officer, "#parameters-submit");
    assert.ok(await officer.isVisible("#draft-created"));
    const v = versionOf(officer);
    // Activation asks first: which version replaces which, what changes;
    // "Cancel" goes back with the draft still a draft.
    const active = Number(await officer.request.get(`${T}/rules`).then((r) => r.text()).then((t) => t.match(/id="active-version" data-version="(\d+)"/)[1]));
    await submitAndWait(officer, "#activate-submit");
    assert.equal(await officer.getAttribute("#activate-confirm-what", "data-replaces"), String(active));
    assert.match(await officer.textContent("#activate-confirm-what"), new RegExp(`Version ${v} will replace version ${active}`));
    assert.equal(await officer.getAttribute("#activate-confirm-changes", "data-rules"), "1");
    assert.equal(await officer.getAttribute("#activate-confirm-changes", "data-params"), "1");
    assert.match(await officer.textContent("#activate-confirm-submit"), new RegExp(`Activate version ${v}`));
    assert.equal(await officer.locator("#activate-form").count(), 0, "the question replaces the button");
    await shot(officer, "en", "rules-activate-confirm");
    await submitAndWait(officer, "#activate-cancel");
    assert.equal(versionOf(officer), v);
    assert.equal(await officer.getAttribute("#version-status", "data-status"), "draft");
    // A form posted without the answer only asks, even forged.
    const csrf = await officer.getAttribute("#activate-form input[name=csrf]", "value");
    const unconfirmed = await officer.request.post(`${T}/rules/v/${v}/activate`, { form: { csrf }, maxRedirects: 0 });
    assert.equal(unconfirmed.status(), 200);
    assert.match(await unconfirmed.text(), /id="activate-confirm-form"/);
    await officer.reload();
    assert.equal(await officer.getAttribute("#version-status", "data-status"), "draft", "still a draft");
    await dryRunAndActivate(v);
    assert.match(await officer.textContent('tr[data-rule="gift-over-mci-limit"]'), /limit_mci = 5 MCI/);
    await shot(officer, "en", "rules");
  });

  const ruleFixtures = (bigExpect) => `[[fixtures]]
name = "a watch worth 180,000"
expect = "${bigExpect}"
submission = { kind = "gift", payload = { direction = "received", giver_name = "Alpha LLP", description = "Watch", value_kzt = "180000.00", date = "2026-03-01", occasion = "Jubilee" } }

[[fixtures]]
name = "flowers worth 6,000"
expect = "clear"
submission = { kind = "gift", payload = { direction = "received", giver_name = "A friend", description = "Flowers", value_kzt = "6000.00", date = "2026-03-08", occasion = "8 March" } }
`;
  const script = (limit) => `// Gifts received worth more than 100,000 tenge.
let limit = ${limit};
if submission.direction == "received" && money(submission.value_kzt) > limit {
    \`Gift "\${submission.description}" is worth more than 100,000 tenge\`
}
`;
  await check("the compliance officer writes a rule: a syntax error at its line and column, fixed, fixtures run, gate refuses a failing one, dry run and activation", async () => {
    await officer.goto(`${T}/rules`);
    await submitAndWait(officer, "#write-rule");
    for (const id of ["r-id", "r-title", "r-area", "r-guideline_section", "r-severity", "r-likelihood", "r-impact", "r-script", "r-fixtures"]) {
      assert.equal(await officer.locator(`label[for="${id}"]`).count(), 1, `label for ${id}`);
    }
    await officer.fill("#r-id", "gift-over-100k");
    await officer.fill("#r-title", "Gift worth more than 100,000 tenge");
    await officer.selectOption("#r-area", "conflict_of_interest");
    await officer.selectOption("#r-severity", "high");
    await officer.fill("#r-script", script(""));
    await officer.fill("#r-fixtures", ruleFixtures("finding"));
    await submitAndWait(officer, "#rule-check");
    const at = officer.locator("#r-script-error .at");
    assert.equal(await at.getAttribute("data-line"), "2", "the error is on line 2");
    assert.ok(Number(await at.getAttribute("data-column")) > 0);
    assert.match(await at.textContent(), /line 2, column \d+/);
    assert.match(await officer.textContent("#r-script-error pre"), /let limit = ;/);
    await shot(officer, "en", "rule-syntax-error");
    await officer.fill("#r-script", script('money("100000.00")'));
    await submitAndWait(officer, "#rule-check");
    assert.ok(await officer.isVisible("#rule-compiles"));
    // A fixture expecting the wrong outcome fails, with expected and actual.
    await officer.fill("#r-fixtures", ruleFixtures("clear"));
    await submitAndWait(officer, "#rule-test");
    assert.equal(await officer.getAttribute("#fixture-results", "data-failed"), "1");
    assert.equal(await officer.getAttribute('tr[data-fixture="a watch worth 180,000"]', "data-pass"), "false");
    // Saved anyway, the fixture gate refuses to activate it.
    await submitAndWait(officer, "#rule-save");
    await activateConfirmed(versionOf(officer));
    assert.equal(await officer.getAttribute("#rules-refused", "data-error"), "fixtures_failed");
    assert.match(await officer.textContent("#rules-refused"), /a watch worth 180,000/);
    assert.equal(await officer.getAttribute("#version-status", "data-status"), "draft");
    // Fixed, every fixture passes; saved, dry-run and activated.
    await officer.goto(`${T}/rules/new`);
    await officer.fill("#r-id", "gift-over-100k");
    await officer.fill("#r-title", "Gift worth more than 100,000 tenge");
    await officer.selectOption("#r-area", "conflict_of_interest");
    await officer.selectOption("#r-severity", "high");
    await officer.fill("#r-script", script('money("100000.00")'));
    await officer.fill("#r-fixtures", ruleFixtures("finding"));
    await officer.fill("#r-guideline_section", "Conflict of interest: gifts");
    await submitAndWait(officer, "#rule-test");
    assert.equal(await officer.getAttribute("#fixture-results", "data-failed"), "0");
    assert.equal(await officer.getAttribute("#fixture-results", "data-passed"), "2");
    await shot(officer, "en", "rule-fixtures");
    await submitAndWait(officer, "#rule-save");
    const v = versionOf(officer);
    await officer.fill("#dry-run-n", "50");
    await submitAndWait(officer, "#dry-run-submit");
    // The demo's smart watch (180,000 tenge) is a new finding of the new rule.
    assert.ok(Number(await officer.getAttribute('#dry-run-table tr[data-rule="gift-over-100k"] td[data-appear]', "data-appear")) >= 1);
    // Below the counts, the findings themselves, under the rule's title:
    // the filing, its severity and the explanation.
    assert.match(await officer.textContent('#dry-run-table tr[data-rule="gift-over-100k"]'), /Gift worth more than 100,000 tenge/);
    const found = officer.locator('details.dry-rule[data-rule="gift-over-100k"]');
    assert.match(await found.locator("summary").textContent(), /^Gift worth more than 100,000 tenge/);
    await found.locator("summary").click();
    const watch = found.locator('tr[data-effect="appear"]').filter({ hasText: /is worth more than 100,000 tenge/ }).first();
    assert.ok(await watch.isVisible(), "the new finding is listed with its explanation");
    assert.match(await watch.locator("td.filing").textContent(), /Gift/);
    assert.match(await watch.textContent(), /High/);
    await shot(officer, "en", "rule-dry-run");
    await activateConfirmed(v);
    assert.ok(await officer.isVisible("#rules-activated"));
    assert.equal(await officer.getAttribute("#active-version", "data-version"), String(v));
    assert.ok(await officer.isVisible('tr[data-rule="gift-over-100k"]'));
    assert.equal((await officer.textContent('tr[data-rule="gift-over-100k"] td.guideline')).trim(), "Conflict of interest: gifts");
  });

  // A rule whose findings no later check counts; enabled again at the end,
  // so the standard in force is as before apart from the version number.
  const leftOut = "rapid-rehiring";
  const leftOutSection = "HR processes: hiring and dismissal";
  let leftOutVersion;
  await check("the compliance officer leaves a library rule out with a reason, activates it, and enables it again; guideline sections are shown", async () => {
    await officer.goto(`${T}/rules`);
    assert.equal((await officer.textContent(`table.rules tr[data-rule="${leftOut}"] td.guideline`)).trim(), leftOutSection);
    assert.equal(await officer.locator("#disabled-rules").count(), 0, "nothing left out yet");
    for (const id of ["d-rule", "d-reason"]) {
      assert.equal(await officer.locator(`label[for="${id}"]`).count(), 1, `label for ${id}`);
    }
    // Without a reason: refused beside the reason, the choice kept, nothing made.
    await officer.selectOption("#d-rule", leftOut);
    const [blank] = await Promise.all([officer.waitForNavigation(), officer.click("#disable-submit")]);
    assert.equal(blank.status(), 422);
    assert.ok(await officer.isVisible("#d-reason-error"));
    assert.equal(await officer.getAttribute("#d-reason", "aria-invalid"), "true");
    assert.equal(await officer.inputValue("#d-rule"), leftOut, "the choice stays");
    const versions = await officer.locator("#rule-set-versions tbody tr").count();
    // Forged forms: a rule the library does not have, or enabling a rule
    // that is not left out, get their error on the page, never a 500.
    const csrf = await officer.getAttribute("#disable-rule input[name=csrf]", "value");
    const forged = await officer.request.post(`${T}/rules/disable`, { form: { csrf, rule: "no-such-rule", reason: "x" }, maxRedirects: 0 });
    assert.equal(forged.status(), 422);
    assert.match(await forged.text(), /id="d-rule-error"/);
    const notLeftOut = await officer.request.post(`${T}/rules/enable`, { form: { csrf, rule: leftOut }, maxRedirects: 0 });
    assert.equal(notLeftOut.status(), 422);
    assert.match(await notLeftOut.text(), /id="enable-error"/);
    // Without the session's token: refused.
    const noToken = await officer.request.post(`${T}/rules/disable`, { form: { rule: leftOut, reason: "x" }, maxRedirects: 0 });
    assert.equal(noToken.status(), 403);
    // With a reason: a draft without the rule, everything else kept.
    const reason = "Our own policy already forbids rehiring within a year";
    await officer.fill("#d-reason", reason);
    await submitAndWait(officer, "#disable-submit");
    assert.ok(await officer.isVisible("#draft-created"));
    const v = versionOf(officer);
    leftOutVersion = v;
    assert.equal(v, versions + 1, "one draft made, none by the refused forms");
    assert.equal(await officer.locator(`table.rules tr[data-rule="${leftOut}"]`).count(), 0, "not among the draft's rules");
    assert.equal((await officer.textContent(`#disabled-rules tr[data-rule="${leftOut}"] td.reason`)).trim(), reason);
    assert.ok(await officer.isVisible('tr[data-rule="gift-over-100k"]'), "own rules kept");
    assert.match(await officer.textContent('tr[data-rule="gift-over-mci-limit"]'), /limit_mci = 5 MCI/, "overrides kept");
    await dryRunAndActivate(v);
    // In force: listed among the rules left out, with its reason and section.
    const row = officer.locator(`#disabled-rules tr[data-rule="${leftOut}"]`);
    assert.equal((await row.locator("td.reason").textContent()).trim(), reason);
    assert.equal((await row.locator("td.guideline").textContent()).trim(), leftOutSection);
    assert.equal(await officer.locator(`#d-rule option[value="${leftOut}"]`).count(), 0, "no longer offered to leave out");
    await shot(officer, "en", "rules-left-out");
    // Readers see it, with no form.
    const admin = pages.tenant_admin;
    await admin.goto(`${T}/rules`);
    assert.equal((await admin.textContent(`#disabled-rules tr[data-rule="${leftOut}"] td.reason`)).trim(), reason);
    assert.equal(await admin.locator("main form").count(), 0, "no editor forms for the tenant admin");
    // Enabled again: a draft with the rule back, then in force.
    await submitAndWait(officer, `#enable-${leftOut}`);
    assert.ok(await officer.isVisible("#draft-created"));
    const v2 = versionOf(officer);
    assert.equal(await officer.locator("#disabled-rules").count(), 0);
    assert.ok(await officer.isVisible(`table.rules tr[data-rule="${leftOut}"]`));
    await dryRunAndActivate(v2);
    assert.ok(await officer.isVisible(`table.rules tr[data-rule="${leftOut}"]`));
    assert.equal(await officer.locator("#disabled-rules").count(), 0);
    assert.ok(await officer.isVisible('tr[data-rule="gift-over-100k"]'));
  });

  await check("the tenant admin sees users and roles, departments and positions", async () => {
    const admin = pages.tenant_admin;
    await admin.goto(`${T}/people`);
    for (const role of ["employee", "compliance_officer", "tenant_admin"]) {
      assert.ok((await admin.locator(`#people td[data-role="${role}"]`).count()) >= 1, role);
    }
    await admin.goto(`${T}/org`);
    assert.match(await admin.textContent("#departments"), /Procurement/);
    assert.match(await admin.textContent("#positions"), /Procurement specialist/);
  });

  await check("the tenant admin adds a department, a position and an account, changes a role and disables the account", async () => {
    const admin = pages.tenant_admin;
    const submit = async (button) => {
      const [r] = await Promise.all([admin.waitForNavigation(), admin.click(button)]);
      return r.status();
    };
    // Every input of every admin form has a label.
    const labelled = (form) =>
      admin.locator(`${form} input:not([type=hidden]), ${form} select`).evaluateAll((els) => els.every((e) => e.labels && e.labels.length > 0));

    // A department: blank is refused beside the field, then saved.
    await admin.goto(`${T}/org`);
    await Promise.all([admin.waitForNavigation(), admin.click("#new-department")]);
    assert.ok(await labelled("#department-form"));
    assert.equal(await submit("#department-submit"), 422);
    assert.ok(await admin.isVisible("#f-name-error"));
    assert.equal(await admin.getAttribute("#f-name", "aria-invalid"), "true");
    await admin.fill("#f-name", "Internal audit");
    assert.equal(await submit("#department-submit"), 200);
    assert.ok(await admin.isVisible("#admin-saved"));
    assert.match(await admin.textContent("#departments"), /Internal audit/);

    // A position in it, on the high-risk list.
    await Promise.all([admin.waitForNavigation(), admin.click("#new-position")]);
    assert.ok(await labelled("#position-form"));
    await admin.fill("#f-title", "Internal auditor");
    await admin.selectOption("#f-department_id", { label: "Internal audit" });
    await admin.selectOption("#f-risk_level", "4");
    await admin.check("#f-high_risk");
    assert.equal(await submit("#position-submit"), 200);
    const row = admin.locator("#positions tr", { hasText: "Internal auditor" });
    assert.match(await row.textContent(), /Internal audit/);
    assert.match(await row.textContent(), /4/);

    // Moving the parent department under its own child is refused.
    await admin.click("#departments a:text-is('Internal audit')");
    await admin.waitForURL(/\/departments\//);
    const auditUrl = admin.url();
    await admin.goto(`${T}/org`);
    await Promise.all([admin.waitForNavigation(), admin.click("#new-department")]);
    await admin.fill("#f-name", "Audit desk");
    await admin.selectOption("#f-parent_id", { label: "Internal audit" });
    assert.equal(await submit("#department-submit"), 200);
    await admin.goto(auditUrl);
    await admin.selectOption("#f-parent_id", { label: "Audit desk" });
    assert.equal(await submit("#department-submit"), 422);
    assert.match(await admin.textContent("#f-parent_id-error"), /sub-department/);

    // An account: errors beside their fields with the values kept, then created.
    await admin.goto(`${T}/people`);
    await Promise.all([admin.waitForNavigation(), admin.click("#new-user")]);
    assert.ok(await labelled("#user-form"));
    await admin.fill("#f-email", "not-an-address");
    await admin.fill("#f-display_name", "Aigerim Auditor");
    await admin.fill("#f-password", "short");
    assert.equal(await submit("#user-submit"), 422);
    for (const f of ["email", "password"]) assert.ok(await admin.isVisible(`#f-${f}-error`), f);
    assert.equal(await admin.inputValue("#f-display_name"), "Aigerim Auditor");
    await admin.fill("#f-email", "aigerim@demo.kz");
    await admin.fill("#f-password", "aigerim-long-password");
    await admin.selectOption("#f-role", "hr_officer");
    await admin.selectOption("#f-position_id", { label: "Internal auditor" });
    assert.equal(await submit("#user-submit"), 200);
    const person = admin.locator('#people tr[data-email="aigerim@demo.kz"]');
    assert.equal(await person.locator("td[data-role]").getAttribute("data-role"), "hr_officer");

    // The new account signs in with its role; a role change applies at once.
    const aigerim = await newPage();
    await aigerim.goto(`${BASE}/login`);
    await aigerim.fill("#email", "aigerim@demo.kz");
    await aigerim.fill("#password", "aigerim-long-password");
    await Promise.all([aigerim.waitForNavigation(), aigerim.click("main button[type=submit]")]);
    assert.equal(await errorStatus(aigerim, `${T}/hr-actions`), 200);
    await person.locator("th a").click();
    await admin.waitForURL(/\/users\//);
    await admin.selectOption("#f-role", "employee");
    assert.equal(await submit("#user-submit"), 200);
    assert.equal(await errorStatus(aigerim, `${T}/hr-actions`), 403);

    // Disabled: the open session ends and the row says so.
    await person.locator("th a").click();
    await admin.waitForURL(/\/users\//);
    await admin.check("#f-disabled");
    assert.equal(await submit("#user-submit"), 200);
    assert.equal(await person.locator("td[data-disabled]").getAttribute("data-disabled"), "true");
    await aigerim.goto(`${T}/my`);
    assert.match(aigerim.url(), /\/login$/);
    await aigerim.context().close();

    // The admin cannot demote or disable themselves.
    await admin.locator(`#people tr[data-email="${ACCOUNTS.tenant_admin}"] th a`).click();
    await admin.waitForURL(/\/users\//);
    await admin.selectOption("#f-role", "employee");
    await admin.check("#f-disabled");
    assert.equal(await submit("#user-submit"), 422);
    assert.ok(await admin.isVisible("#f-role-error"));
    assert.ok(await admin.isVisible("#f-disabled-error"));
    // Nothing else may open these forms.
    for (const path of ["users/new", "departments/new", "positions/new"]) {
      assert.equal(await errorStatus(pages.employee, `${T}/${path}`), 403, path);
      assert.equal(await errorStatus(pages.compliance_officer, `${T}/${path}`), 403, path);
    }
  });

  await check("the tenant admin edits the MCI by year; a bad value is refused beside its cell", async () => {
    const admin = pages.tenant_admin;
    await admin.goto(`${T}/overview`);
    await navClick(admin, `nav a[href="/t/${tenant}/settings"]`);
    const rows = admin.locator("#settings-mci tbody tr");
    const n = await rows.count();
    assert.ok(n >= 2, "the stored years and a blank row");
    const blank = n - 1;
    assert.equal(await admin.inputValue(`#s-mci-${blank}-year`), "");
    await admin.fill(`#s-mci-${blank}-year`, "2031");
    await admin.fill(`#s-mci-${blank}-value`, "-12");
    const [bad] = await Promise.all([admin.waitForNavigation(), admin.click("#settings-submit")]);
    assert.equal(bad.status(), 422);
    assert.ok(await admin.isVisible(`#s-mci-${blank}-value-error`));
    assert.equal(await admin.getAttribute(`#s-mci-${blank}-value`, "aria-invalid"), "true");
    assert.equal(await admin.inputValue(`#s-mci-${blank}-year`), "2031", "typed values kept");
    await admin.fill(`#s-mci-${blank}-value`, "5 100");
    await Promise.all([admin.waitForNavigation(), admin.click("#settings-submit")]);
    assert.match(admin.url(), /\/settings\?saved=1$/);
    assert.ok(await admin.isVisible("#settings-saved"));
    const saved = admin.locator("#settings-mci tbody tr", { has: admin.locator('input[value="2031"]') });
    assert.equal(await saved.count(), 1);
    assert.match(await saved.locator("input[name$='.value']").inputValue(), /^5100(\.00)?$/);
    // Only the admin: not the employee, not the compliance officer, not the Agency.
    for (const role of ["employee", "compliance_officer", "agency_auditor"]) {
      assert.equal(await errorStatus(pages[role], `${T}/settings`), 403, `${role} cannot open the settings`);
    }
    const csrf = await employee.getAttribute("form.lang input[name=csrf]", "value");
    const r = await employee.request.post(`${T}/settings`, { form: { csrf, alert_threshold: "low" }, maxRedirects: 0 });
    assert.equal(r.status(), 403);
  });

  await check("findings are due by severity: the officer's queue, the due column and date, the days in the settings", async () => {
    await officer.goto(`${T}/overview`);
    assert.ok(await officer.isVisible("#my-queue"), "the compliance officer's queue");
    assert.match((await officer.textContent("#queue-overdue")).trim(), /^\d+$/);
    await Promise.all([officer.waitForNavigation(), officer.click('#my-queue a[href$="?due=overdue"]')]);
    assert.equal(await officer.inputValue("#due"), "overdue", "the overdue filter is applied");
    await officer.goto(`${T}/findings`);
    assert.equal(await officer.inputValue("#sort"), "", "open first, most overdue first, by default");
    const dues = await officer.$$eval("#findings tbody td.due", (tds) => tds.map((t) => t.textContent.trim()));
    assert.ok(dues.length > 0 && dues.every((d) => /^\d{2}\.\d{2}\.\d{4}/.test(d)), `due dates ${dues}`);
    const statuses = await officer.$$eval("#findings tbody tr", (trs) => trs.map((t) => t.dataset.status));
    const firstClosed = statuses.findIndex((s) => s !== "open");
    assert.ok(firstClosed === -1 || statuses.slice(firstClosed).every((s) => s !== "open"), `open first: ${statuses}`);
    await officer.click("#findings tbody td a");
    await officer.waitForSelector("#finding-due");
    // The officer moves the due date by hand, with a reason; without one
    // it is refused beside the field and nothing changes.
    const kzDay = (days) => new Date(Date.now() + 5 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
    const shown = (iso) => iso.split("-").reverse().join(".");
    const dueBefore = await officer.textContent("#finding-due");
    await officer.fill("#due-on", kzDay(30));
    const [noReason] = await Promise.all([officer.waitForNavigation(), officer.click("#due-submit")]);
    assert.equal(noReason.status(), 422);
    assert.ok(await officer.isVisible("#due-reason-error"));
    assert.equal(await officer.textContent("#finding-due"), dueBefore);
    await officer.fill("#due-on", kzDay(30));
    await officer.fill("#due-reason", "Waiting for the bank's statement");
    await Promise.all([officer.waitForNavigation(), officer.click("#due-submit")]);
    assert.match(await officer.textContent("#finding-due"), new RegExp(shown(kzDay(30)).replace(/\./g, "\\.")));
    assert.match(await officer.textContent("#comments"), /Waiting for the bank's statement/);
    // The tenant admin sets the days; a bad one is refused beside its field.
    const admin = pages.tenant_admin;
    await admin.goto(`${T}/settings`);
    assert.equal(await admin.inputValue("#s-triage_days-high"), "7", "the default for high");
    await admin.fill("#s-triage_days-high", "0");
    const [r] = await Promise.all([admin.waitForNavigation(), admin.click("#settings-submit")]);
    assert.equal(r.status(), 422);
    assert.ok(await admin.isVisible("#s-triage_days-high-error"));
    assert.equal(await admin.getAttribute("#s-triage_days-high", "aria-invalid"), "true");
    await admin.fill("#s-triage_days-high", "5");
    await Promise.all([admin.waitForNavigation(), admin.click("#settings-submit")]);
    assert.match(admin.url(), /\/settings\?saved=1$/);
    assert.equal(await admin.inputValue("#s-triage_days-high"), "5", "stored");
  });

  await check("search: a name finds the person on file, the filings about them and their findings; the employee has no search", async () => {
    await navClick(officer, `nav a[href="/t/${tenant}/search"]`);
    await officer.fill("#q", "N");
    let [r] = await Promise.all([officer.waitForNavigation(), officer.click("#search-submit")]);
    assert.equal(r.status(), 422, "one character is too short");
    assert.ok(await officer.isVisible("#q-error"));
    await officer.fill("#q", "Nurlan");
    [r] = await Promise.all([officer.waitForNavigation(), officer.click("#search-submit")]);
    assert.equal(r.status(), 200);
    const iin = await officer.getAttribute("#search-people tbody tr", "data-iin");
    assert.match(iin || "", /^\d{12}$/, "Nurlan Employee is on file");
    // The IIN finds the same person and the same filings.
    const filingsByName = await officer.locator(".search-filings tbody tr").count();
    await officer.goto(`${T}/search?q=${iin}`);
    assert.equal(await officer.getAttribute("#search-people tbody tr", "data-iin"), iin);
    assert.equal(await officer.locator(".search-filings tbody tr").count(), filingsByName);
    await officer.goto(`${T}/search?q=zzzz-nobody`);
    assert.ok(await officer.isVisible("#search-nothing"));
    assert.equal(await employee.locator(`nav a[href="/t/${tenant}/search"]`).count(), 0);
    assert.equal(await errorStatus(employee, `${T}/search?q=Nurlan`), 403);
    // The person's page: who they are, what they declared, and every
    // record about them the officer may read, each linked.
    await officer.goto(`${T}/search?q=${iin}`);
    await Promise.all([officer.waitForNavigation(), officer.click("#search-people tbody th a")]);
    personUrl = officer.url();
    assert.match(personUrl, /\/people\/[0-9a-f-]{36}$/);
    assert.equal(await officer.getAttribute("#person", "data-iin"), iin);
    assert.match(await officer.textContent("#person-name"), /Nurlan Employee/);
    assert.equal(await officer.locator("#person-records tbody tr").count(), filingsByName);
    await Promise.all([officer.waitForNavigation(), officer.click("#person-records tbody tr td a")]);
    assert.match(officer.url(), /\/filings\/[0-9a-f-]{36}$/);
    assert.equal(await errorStatus(employee, personUrl), 403);
    assert.equal(await errorStatus(officer, `${T}/people/00000000-0000-7000-8000-000000000000`), 404);
  });

  await check("the compliance officer comments on two findings at once; nothing ticked is refused", async () => {
    await officer.goto(`${T}/findings`);
    await officer.selectOption("#bulk-action", "comment");
    await officer.fill("#bulk-reason", "Checked together with the supplier's file");
    let [r] = await Promise.all([officer.waitForNavigation(), officer.click("#bulk-submit")]);
    assert.equal(r.status(), 422, "nothing ticked");
    assert.ok(await officer.isVisible("#bulk-error"));
    await officer.goto(`${T}/findings`);
    const boxes = officer.locator("#findings tbody td.pick input[type=checkbox]");
    assert.ok((await boxes.count()) >= 2);
    const label = await boxes.first().getAttribute("aria-label");
    assert.ok(label && label.length > 10, `each box says which finding: ${label}`);
    const ids = [];
    for (const i of [0, 1]) {
      await boxes.nth(i).check();
      ids.push(await boxes.nth(i).evaluate((b) => b.closest("tr").dataset.finding));
    }
    await officer.selectOption("#bulk-action", "comment");
    await officer.fill("#bulk-reason", "Checked together with the supplier's file");
    [r] = await Promise.all([officer.waitForNavigation(), officer.click("#bulk-submit")]);
    assert.equal(r.status(), 200);
    assert.equal(await officer.locator('#bulk-results tr[data-outcome="done"]').count(), 2);
    for (const id of ids) {
      await officer.goto(`${T}/findings/${id}`);
      assert.match(await officer.textContent("#comments"), /Checked together with the supplier's file/);
    }
  });

  await check("the tenant admin sets the days to answer a feedback report; a bad value is refused beside the field", async () => {
    const admin = pages.tenant_admin;
    const days = "#s-feedback_answer_days";
    await admin.goto(`${T}/settings`);
    assert.equal(await admin.locator(`label[for="s-feedback_answer_days"]`).count(), 1);
    assert.equal(await admin.inputValue(days), "15", "the value in force: the default");
    for (const bad of ["400", "ten"]) {
      await admin.fill(days, bad);
      const [r] = await Promise.all([admin.waitForNavigation(), admin.click("#settings-submit")]);
      assert.equal(r.status(), 422, bad);
      assert.ok(await admin.isVisible("#s-feedback_answer_days-error"), bad);
      assert.equal(await admin.getAttribute(days, "aria-invalid"), "true");
      assert.equal(await admin.inputValue(days), bad, "what was typed stays");
    }
    await admin.fill(days, "30");
    await Promise.all([admin.waitForNavigation(), admin.click("#settings-submit")]);
    assert.match(admin.url(), /\/settings\?saved=1$/);
    assert.equal(await admin.inputValue(days), "30");
    await admin.reload();
    assert.equal(await admin.inputValue(days), "30", "stored");
    // Back to the default, for the dataset runs of later checks.
    await admin.fill(days, "15");
    await Promise.all([admin.waitForNavigation(), admin.click("#settings-submit")]);
    assert.equal(await admin.inputValue(days), "15");
  });

  let importId;
  await check("the HR officer uploads a people CSV with one bad row and reads the row report", async () => {
    const hr = pages.hr_officer;
    await hr.goto(`${T}/my`);
    await navClick(hr, `nav a[href="/t/${tenant}/hr-actions"]`);
    assert.match(await hr.textContent("#hr-actions"), /Aruzhan Bolatkyzy/);
    await navClick(hr, `nav a[href="/t/${tenant}/imports"]`);
    assert.equal(await hr.locator('label[for="i-file"]').count(), 1);
    await hr.selectOption("#i-kind", "people");
    const csv = `iin,full_name,started_on\n${iin("92020240007")},Asel Imported,2024-01-15\n123,Bad Row,2024-01-15\n`;
    await hr.setInputFiles("#i-file", { name: "people.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await Promise.all([hr.waitForNavigation(), hr.click("#import-submit")]);
    assert.match(hr.url(), /\/imports\/[0-9a-f-]{36}$/);
    importId = hr.url().split("/").pop();
    // The worker applies it; the page shows how far it got and reads
    // itself again until it is done: nobody presses reload.
    await hr.waitForSelector('#import[data-status="done"]', { timeout: 60_000 });
    assert.equal((await hr.textContent("#import-accepted")).trim(), "1");
    assert.equal((await hr.textContent("#import-rejected")).trim(), "1");
    const bad = hr.locator("#import-report tbody tr");
    assert.equal(await bad.count(), 1);
    assert.equal(await bad.getAttribute("data-row"), "3");
    assert.equal(await bad.getAttribute("data-column"), "iin");
    await hr.goto(`${T}/imports`);
    assert.equal(await hr.locator(`#imports tr[data-import="${importId}"]`).count(), 1);
    // The employee can neither upload nor read it.
    // As in the API: an import of a kind one may not import does not exist.
    assert.equal(await errorStatus(employee, `${T}/imports/${importId}`), 404);
    await employee.goto(`${T}/my`);
    const csrf = await employee.getAttribute("form.lang input[name=csrf]", "value");
    const r = await employee.request.post(`${T}/imports`, {
      multipart: { csrf, kind: "people", file: { name: "p.csv", mimeType: "text/csv", buffer: Buffer.from(csv) } },
      maxRedirects: 0,
    });
    assert.equal(r.status(), 403);
    // Without the session's CSRF token, the HR officer's upload is refused too.
    const r2 = await hr.request.post(`${T}/imports`, {
      multipart: { kind: "people", file: { name: "p.csv", mimeType: "text/csv", buffer: Buffer.from(csv) } },
      maxRedirects: 0,
    });
    assert.equal(r2.status(), 403);
  });

  await check("the procurement officer lists procurements with their tenderers and suppliers", async () => {
    const p = pages.procurement_officer;
    await p.goto(`${T}/my`);
    await navClick(p, `nav a[href="/t/${tenant}/procurements"]`);
    assert.ok((await p.locator("#procurements tbody tr[data-ocid]").count()) >= 1);
    assert.ok((await p.locator("#procurements li[data-bin]").count()) >= 1, "a tenderer with its BIN");
    // The red flags the demo's dataset run raised on its tender (ten days
    // to bid, one bid), each with why on hover.
    const demo = p.locator('#procurements tr[data-ocid="ocds-demo-2026-001"]');
    for (const code of ["R003", "R018"]) {
      const flag = demo.locator(`li[data-flag="${code}"][data-on="process"]`);
      assert.equal(await flag.count(), 1, `${code} on the demo tender`);
      assert.match(await flag.locator("abbr").getAttribute("title"), /ocds-demo-2026-001/);
    }
    // The Agency reads it, with no upload form anywhere.
    const auditor = pages.agency_auditor;
    await auditor.goto(`${T}/procurements`);
    assert.ok(await auditor.isVisible("#read-only"));
    // Only the filters, which change nothing.
    assert.equal(await auditor.locator("main form").count(), 1);
    assert.equal(await auditor.getAttribute("main form", "method"), "get");
    assert.equal(await errorStatus(auditor, `${T}/imports`), 403);
  });

  // The JSON API, with a token of `role`'s own (as an HR or procurement
  // system would post records).
  const api = async (page, role) => {
    const r = await page.request.post(`${BASE}/api/v1/auth/login`, { data: { email: ACCOUNTS[role], password: PASSWORD } });
    assert.equal(r.status(), 200, "API sign-in");
    const headers = { Authorization: `Bearer ${(await r.json()).token}` };
    return {
      get: async (path) => page.request.get(`${BASE}/api/v1${path}`, { headers }),
      post: async (path, data) => page.request.post(`${BASE}/api/v1${path}`, { headers, data }),
    };
  };
  const submitFilters = (page, form) => Promise.all([page.waitForNavigation(), page.click(`${form} button[type=submit]`)]);
  const rowsOf = async (page, pager) => {
    const p = page.locator(`#${pager}-rows`);
    return { first: Number(await p.getAttribute("data-first")), last: Number(await p.getAttribute("data-last")), total: Number(await p.getAttribute("data-total")) };
  };

  await check("the HR officer filters HR actions by action, person and dates, and pages through them", async () => {
    const hr = pages.hr_officer;
    const hrApi = await api(hr, "hr_officer");
    const positions = await (await hrApi.get(`/tenants/${tenant}/positions`)).json();
    const position = positions.find((p) => !p.high_risk).id;
    const dana = iin("88030340012");
    const yerlan = iin("87040430013");
    for (const [who, name, on] of [[dana, "Dana Filterova", "2025-03-01"], [yerlan, "Yerlan Filterov", "2025-04-01"]]) {
      const r = await hrApi.post(`/tenants/${tenant}/hr-actions`, {
        action: "dismissal", person: { iin: who, full_name: name }, position_id: position,
        effective_on: on, decided_on: on, reason: "End of contract",
        decision_makers: [{ full_name: "Aigul Director", role: "director" }],
      });
      assert.equal(r.status(), 202, await r.text());
    }
    await hr.goto(`${T}/hr-actions`);
    for (const id of ["action", "person", "from", "to", "limit"]) {
      assert.equal(await hr.locator(`#hr-filters label[for="${id}"]`).count(), 1, `${id} has a label`);
    }
    assert.ok((await rowsOf(hr, "hr-pager")).total >= 3);
    // By action: the two dismissals only; the choice stays selected.
    await hr.selectOption("#action", "dismissal");
    await submitFilters(hr, "#hr-filters");
    assert.equal(new URL(hr.url()).searchParams.get("action"), "dismissal");
    assert.equal(await hr.inputValue("#action"), "dismissal");
    assert.equal(await hr.locator("#hr-actions tbody tr").count(), 2);
    assert.equal(await hr.locator('#hr-actions tbody tr:not([data-action="dismissal"])').count(), 0);
    // By part of the name, any case, then by IIN; by dates (both included).
    await hr.fill("#person", "dana filter");
    await submitFilters(hr, "#hr-filters");
    assert.equal(await hr.inputValue("#person"), "dana filter");
    assert.deepEqual(await hr.locator("#hr-actions tbody th").allTextContents(), ["Dana Filterova"]);
    await hr.fill("#person", yerlan);
    await submitFilters(hr, "#hr-filters");
    assert.deepEqual(await hr.locator("#hr-actions tbody th").allTextContents(), ["Yerlan Filterov"]);
    await hr.goto(`${T}/hr-actions?from=2025-03-02&to=2025-04-01`);
    assert.deepEqual(await hr.locator("#hr-actions tbody th").allTextContents(), ["Yerlan Filterov"]);
    assert.equal(await hr.inputValue("#from"), "2025-03-02");
    // Nothing matches: an empty list that says so, the text kept.
    await hr.goto(`${T}/hr-actions`);
    await hr.fill("#person", "Nobody Such");
    await submitFilters(hr, "#hr-filters");
    assert.equal(await hr.locator("#hr-actions tbody tr").count(), 0);
    assert.equal((await rowsOf(hr, "hr-pager")).total, 0);
    assert.equal(await hr.inputValue("#person"), "Nobody Such");
    // A bad IIN and a bad page size are refused beside their fields.
    const bad = await hr.goto(`${T}/hr-actions?person=12345&limit=0`);
    assert.equal(bad.status(), 422);
    assert.ok(await hr.isVisible("#person-error"));
    assert.ok(await hr.isVisible("#limit-error"));
    assert.equal(await hr.getAttribute("#person", "aria-invalid"), "true");
    assert.equal(await hr.inputValue("#person"), "12345");
    // Pages of one row: next and previous keep the filters.
    await hr.goto(`${T}/hr-actions?action=dismissal&limit=1`);
    assert.deepEqual(await rowsOf(hr, "hr-pager"), { first: 1, last: 1, total: 2 });
    assert.equal(await hr.locator("#hr-pager-prev").count(), 0);
    const first = await hr.textContent("#hr-actions tbody th");
    await Promise.all([hr.waitForNavigation(), hr.click("#hr-pager-next")]);
    const u = new URL(hr.url()).searchParams;
    assert.deepEqual([u.get("action"), u.get("limit"), u.get("offset")], ["dismissal", "1", "1"]);
    assert.deepEqual(await rowsOf(hr, "hr-pager"), { first: 2, last: 2, total: 2 });
    assert.notEqual(await hr.textContent("#hr-actions tbody th"), first);
    assert.equal(await hr.locator("#hr-pager-next").count(), 0);
    await Promise.all([hr.waitForNavigation(), hr.click("#hr-pager-prev")]);
    assert.equal(await hr.textContent("#hr-actions tbody th"), first);
    assert.equal(await hr.inputValue("#limit"), "1");
  });

  await check("anyone searches the convicted-persons registry without signing in, in any spelling; a bad IIN is refused beside its field", async () => {
    const anon = await newPage();
    await anon.goto(`${BASE}/login`);
    await Promise.all([anon.waitForNavigation(), anon.click("#registry-link")]);
    assert.match(anon.url(), /\/registry$/);
    assert.ok(await anon.isVisible("#registry-ask"), "nothing is listed before a search");
    assert.equal(await anon.locator("#registry-results").count(), 0);
    // The demo's entry is written in Cyrillic; a Latin search finds it.
    await anon.fill("#name", "marat ospanov");
    await Promise.all([anon.waitForNavigation(), anon.click("#registry-submit")]);
    assert.deepEqual(await anon.locator("#registry-results tbody th").allTextContents(), ["Оспанов Марат Серикович"]);
    const row = anon.locator("#registry-results tbody tr").first();
    assert.match(await row.textContent(), /366 part 2/);
    assert.match(await row.textContent(), /Imprisonment/);
    await anon.goto(`${BASE}/registry?iin=${iin("90011530001")}`);
    assert.equal(await anon.locator("#registry-results tbody tr").count(), 1);
    await anon.goto(`${BASE}/registry?name=Nobody%20Suchperson`);
    assert.ok(await anon.isVisible("#registry-none"));
    const bad = await anon.goto(`${BASE}/registry?iin=12345`);
    assert.equal(bad.status(), 422);
    assert.ok(await anon.isVisible("#iin-error"));
    assert.equal(await anon.inputValue("#iin"), "12345");
    await anon.context().close();
  });

  await check("the HR officer screens a candidate: each match with its score and reason", async () => {
    const hr = pages.hr_officer;
    await hr.goto(`${T}/hr-actions`);
    await navClick(hr, 'nav a[href$="/screening"]');
    // By IIN: certain, whatever the name.
    await hr.fill("#iin", iin("90011530001"));
    await hr.fill("#full_name", "Someone Else");
    await Promise.all([hr.waitForNavigation(), hr.click("#screening-submit")]);
    const m = hr.locator("#screening-matches tbody tr");
    assert.equal(await m.count(), 1);
    assert.equal(await m.first().getAttribute("data-score"), "100");
    assert.equal((await m.first().locator("td.reason").textContent()).trim(), "The entry records the same IIN.");
    // By name only, in another spelling: a lead, with why.
    await hr.fill("#iin", iin("85050540001"));
    await hr.fill("#full_name", "Saule Akhmetova");
    await Promise.all([hr.waitForNavigation(), hr.click("#screening-submit")]);
    assert.equal(await m.count(), 1);
    assert.equal(await m.first().getAttribute("data-matched-by"), "name");
    assert.equal(await m.first().getAttribute("data-score"), "56");
    assert.match(await m.first().locator("td.reason").textContent(), /2 of 3 name parts agree; it records no date of birth/);
    // Nobody: said plainly. A bad IIN: refused beside it, the name kept.
    await hr.fill("#iin", iin("85050540001"));
    await hr.fill("#full_name", "Aigerim Nobody");
    await Promise.all([hr.waitForNavigation(), hr.click("#screening-submit")]);
    assert.ok(await hr.isVisible("#screening-clear"));
    await hr.fill("#iin", "123");
    await Promise.all([hr.waitForNavigation(), hr.click("#screening-submit")]);
    assert.ok(await hr.isVisible("#iin-error"));
    assert.equal(await hr.inputValue("#full_name"), "Aigerim Nobody");
    assert.equal(await errorStatus(pages.employee, `${T}/screening`), 403);
  });

  await check("the HR officer records a hiring on screen: every blank named at once, the screening asked for and done from the form, the registry's match shown", async () => {
    const hr = pages.hr_officer;
    const positions = await (await (await api(hr, "hr_officer")).get(`/tenants/${tenant}/positions`)).json();
    const risky = positions.find((p) => p.high_risk);
    assert.ok(risky, "the demo has a high-risk position");
    await hr.goto(`${T}/hr-actions`);
    await Promise.all([hr.waitForNavigation(), hr.click("#hr-new")]);
    assert.match(hr.url(), /\/hr-actions\/new$/);
    // The service's "today" is Kazakhstan's (UTC+5).
    const kzToday = new Date(Date.now() + 5 * 3600e3).toISOString().slice(0, 10);
    assert.equal(await hr.inputValue("#hr-decided_on"), kzToday, "decided today unless said otherwise");
    assert.match(await hr.textContent(`#hr-position_id option[value="${risky.id}"]`), /high-risk/);
    // Nothing filled in: each required input says so, all at once.
    await hr.fill("#hr-decided_on", "");
    const empty = await Promise.all([hr.waitForNavigation(), hr.click("#hr-submit")]);
    assert.equal(empty[0].status(), 422);
    for (const id of ["action", "person-full_name", "person-iin", "position_id", "effective_on", "decided_on", "decision_makers-0-full_name", "decision_makers-0-role"]) {
      assert.ok(await hr.isVisible(`#hr-${id}-error`), `${id} is named`);
    }
    assert.equal(await hr.getAttribute("#hr-person-iin", "aria-invalid"), "true");
    // Hiring into the high-risk position without screening: the service's
    // own check, beside the screening.
    await hr.check("#hr-action-hiring");
    await hr.fill("#hr-person-full_name", "Saule Akhmetova");
    await hr.fill("#hr-person-iin", iin("85050540001"));
    await hr.selectOption("#hr-position_id", risky.id);
    await hr.fill("#hr-effective_on", today());
    await hr.fill("#hr-decided_on", today());
    await hr.fill("#hr-decision_makers-0-full_name", "Aigul Director");
    await hr.fill("#hr-decision_makers-0-role", "director");
    const unscreened = await Promise.all([hr.waitForNavigation(), hr.click("#hr-submit")]);
    assert.equal(unscreened[0].status(), 422);
    assert.equal(await hr.getAttribute("#hr-screening-error", "data-codes"), "screening.required");
    assert.equal(await hr.inputValue("#hr-person-full_name"), "Saule Akhmetova", "what was typed is kept");
    // The registry check from the form: its match with score and reason,
    // and what it established filled in.
    await Promise.all([hr.waitForNavigation(), hr.click("#hr-screen")]);
    const m = hr.locator("#hr-screening-result #screening-matches tbody tr");
    assert.equal(await m.count(), 1);
    assert.equal(await m.first().getAttribute("data-score"), "56");
    assert.ok(await hr.isChecked("#hr-screening-checks-convicted_registry"));
    assert.ok(await hr.isChecked("#hr-screening-result-concerns"));
    assert.equal(await hr.inputValue("#hr-screening-completed_on"), kzToday);
    await hr.check("#hr-screening-checks-references");
    await hr.fill("#hr-screening-note", "A namesake in the registry; born on another date.");
    // One more decision maker row; nothing typed is lost.
    await Promise.all([hr.waitForNavigation(), hr.click("#hr-more")]);
    assert.equal(await hr.locator("#hr-form-makers fieldset.maker-row").count(), 3);
    assert.equal(await hr.inputValue("#hr-decision_makers-0-role"), "director");
    assert.ok(await hr.isChecked("#hr-screening-checks-references"));
    await Promise.all([hr.waitForNavigation(), hr.click("#hr-submit")]);
    assert.match(hr.url(), /\/hr-actions\?recorded=1$/);
    assert.ok(await hr.isVisible("#hr-recorded"));
    const row = hr.locator('#hr-actions tbody tr[data-action="hiring"]', { hasText: "Saule Akhmetova" });
    assert.equal(await row.count(), 1);
    assert.match(await row.textContent(), /Concerns/);
    // Not for an employee, by link or by URL.
    assert.equal(await errorStatus(pages.employee, `${T}/hr-actions/new`), 403);
  });

  await check("a record on file reads in the reader's words; the compliance unit decides on a disclosure and the employee reads the decision", async () => {
    // The employee opens their disclosure from their filings.
    await employee.goto(`${T}/my`);
    const disclosure = employee.locator("#filings > li", { hasText: "My brother directs a bidder" }).first();
    await Promise.all([employee.waitForNavigation(), disclosure.locator("h2 a").click()]);
    recordUrl = employee.url();
    assert.match(recordUrl, /\/filings\/[0-9a-f-]{36}$/);
    assert.equal(await employee.getAttribute("#record", "data-kind"), "conflict_of_interest");
    const content = await employee.textContent("#record-content");
    for (const words of ["Situation", "My brother directs a bidder", "Aidos Serikov", "brother or sister", "ocds-browser-1"]) {
      assert.ok(content.includes(words), `${words} in ${content}`);
    }
    assert.ok(!content.includes("relative_in_procurement") && !content.includes("sibling"), "closed values in words, never codes");
    assert.ok(await employee.isVisible("#decisions-none"));
    assert.equal(await employee.locator("#decision-form").count(), 0, "the declarant does not decide");
    // The compliance officer decides: blanks refused beside their inputs,
    // then recorded.
    await officer.goto(recordUrl);
    assert.match(await officer.textContent("#record-filed-by"), /Nurlan/);
    const blank = await Promise.all([officer.waitForNavigation(), officer.click("#decision-submit")]);
    assert.equal(blank[0].status(), 422);
    assert.ok(await officer.isVisible("#decision-error"));
    assert.ok(await officer.isVisible("#decision-note-error"));
    await officer.check("#decision-recusal");
    await officer.fill("#decision-note", "Step aside from evaluating ocds-browser-1; the deputy chairs.");
    await Promise.all([officer.waitForNavigation(), officer.click("#decision-submit")]);
    assert.match(officer.url(), /\?decided=1$/);
    assert.ok(await officer.isVisible("#decision-recorded"));
    assert.equal(await officer.locator('#decisions-list li[data-decision="recusal"]').count(), 1);
    // The employee reads it with its reason.
    await employee.goto(recordUrl);
    assert.match(await employee.textContent("#decisions-list"), /the deputy chairs/);
    // Whoever may not read the record, and a made-up id: the same 404.
    assert.equal(await errorStatus(pages.hr_officer, recordUrl), 404);
    assert.equal(await errorStatus(employee, `${T}/filings/00000000-0000-7000-8000-000000000000`), 404);
    const forged = await employee.request.post(`${recordUrl}/decision`, { form: { decision: "no_conflict", note: "mine", csrf: "x" } });
    assert.ok([403, 404].includes(forged.status()), `a forged decision is refused: ${forged.status()}`);
    // From a finding to the record it was found in.
    await officer.goto(`${T}/findings/${findingId}`);
    await Promise.all([officer.waitForNavigation(), officer.click("#finding-filing a")]);
    assert.match(officer.url(), /\/filings\/[0-9a-f-]{36}$/);
    assert.ok(await officer.isVisible("#record-findings"));
  });

  await check("the compliance officer reads the annual analysis of corruption risks, prints and downloads it; the Agency reads every organisation's", async () => {
    const co = pages.compliance_officer;
    const year = new Date(Date.now() + 5 * 3600 * 1000).getUTCFullYear();
    await co.goto(`${T}/overview`);
    await navClick(co, 'nav a[href$="/annual-report"]');
    // The last full year by default; this year's has the demo's findings.
    assert.equal(await co.inputValue("#year"), String(year - 1));
    await co.selectOption("#year", String(year));
    await Promise.all([co.waitForNavigation(), co.click("#annual-year button[type=submit]")]);
    const report = co.locator("#annual-report");
    assert.equal(await report.getAttribute("data-year"), String(year));
    // Earlier checks' filings may still be evaluated (a separate worker):
    // wait until the year's count holds still, so the downloads agree.
    let total = Number(await report.getAttribute("data-findings"));
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      await co.reload();
      const now = Number(await report.getAttribute("data-findings"));
      if (now === total) break;
      total = now;
    }
    assert.ok(total >= 1, "the demo's findings are this year's");
    assert.equal(Number(await co.textContent('#annual-findings tr[data-measure="total"] td')), total);
    assert.ok(await co.isVisible("#annual-partial"), "a running year says so");
    assert.ok((await co.locator("#annual-risks tbody tr").count()) >= 1);
    assert.ok((await co.locator("#annual-positions tbody tr").count()) >= 1, "the demo's high-risk position");
    assert.ok(await co.isVisible("#annual-signoff"));
    assert.equal(await co.locator("#annual-heatmap svg").count(), 1);
    // Printing leaves the navigation and the forms out.
    await co.emulateMedia({ media: "print" });
    assert.ok(!(await co.isVisible("nav")) && !(await co.isVisible("#annual-year")));
    assert.ok(await co.isVisible("#annual-report"));
    await co.emulateMedia({ media: "screen" });
    const csv = await co.request.get(`${T}/annual-report.csv?year=${year}`);
    assert.equal(csv.status(), 200);
    const csvText = await csv.text();
    assert.ok(csvText.startsWith("section,item,measure,value\r\n"), csvText.slice(0, 80));
    assert.ok(csvText.includes(`\r\nfindings,all,total,${total}\r\n`), "the CSV's total is the page's");
    const pdf = await co.request.get(`${T}/annual-report.pdf?year=${year}`);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()["content-type"], "application/pdf");
    const json = await (await co.request.get(`${T}/annual-report.json?year=${year}`)).json();
    assert.equal(json.findings.total, total);
    const bad = await co.goto(`${T}/annual-report?year=1999`);
    assert.equal(bad.status(), 422);
    assert.ok(await co.isVisible("#year-error"));
    assert.equal(await errorStatus(pages.employee, `${T}/annual-report`), 403);
    // The Agency: every organisation in a line, each opening its report.
    const auditor = pages.agency_auditor;
    await auditor.goto(`${BASE}/agency`);
    await navClick(auditor, 'nav a[href="/agency/annual-reports"]');
    await auditor.selectOption("#year", String(year));
    await Promise.all([auditor.waitForNavigation(), auditor.click("#annual-year button[type=submit]")]);
    const line = auditor.locator(`#annual-summary tbody tr[data-tenant="${tenant}"]`);
    // Findings only ever add up within the year.
    const summarised = Number(await line.locator("td.num").first().textContent());
    assert.ok(summarised >= total, `${summarised} >= ${total}`);
    await Promise.all([auditor.waitForNavigation(), line.locator("a").click()]);
    assert.ok(Number(await auditor.locator("#annual-report").getAttribute("data-findings")) >= summarised);
    assert.ok(await auditor.isVisible("#read-only"));
    const summaryCsv = await auditor.request.get(`${BASE}/agency/annual-reports.csv?year=${year}`);
    assert.equal(summaryCsv.status(), 200);
    assert.match(await summaryCsv.text(), /^tenant_id,name,bin,region,sector,findings,/);
    assert.equal(await errorStatus(co, `${BASE}/agency/annual-reports`), 403);
  });

  await check("the platform operator creates an organisation, suspends and reactivates it, and keeps the Agency's accounts", async () => {
    const op = pages.platform_admin;
    await op.goto(`${BASE}/platform`);
    const demo = op.locator(`#platform-tenants tr[data-tenant="${tenant}"]`);
    assert.equal(await demo.getAttribute("data-status"), "active");
    assert.ok(Number((await demo.locator("td.num").first().textContent()).split("/")[1]) >= 5, "the demo's accounts");
    // A new organisation: errors beside their fields, then created.
    await navClick(op, 'nav a[href="/platform/tenants/new"]');
    await op.fill("#bin", "123");
    const bad = await Promise.all([op.waitForNavigation(), op.click("#tenant-submit")]);
    assert.equal(bad[0].status(), 422);
    assert.ok(await op.isVisible("#form-errors"));
    for (const id of ["name", "bin", "admin_email", "admin_password"]) {
      assert.ok(await op.isVisible(`#${id}-error`), `${id} has its error`);
    }
    assert.equal(await op.inputValue("#bin"), "123", "what was typed is kept");
    await op.fill("#name", "Browser Test LLP");
    // A BIN's check digit is computed as an IIN's.
    await op.fill("#bin", iin("20034000125"));
    await op.selectOption("#sector", "private");
    await op.selectOption("#region", "shymkent");
    await op.fill("#admin_email", "admin@browser-test.kz");
    await op.fill("#admin_display_name", "Browser Admin");
    await op.fill("#admin_password", PASSWORD);
    await Promise.all([op.waitForNavigation(), op.click("#tenant-submit")]);
    assert.match(op.url(), /\/platform\?done=created$/);
    const row = op.locator("#platform-tenants tbody tr", { hasText: "Browser Test LLP" });
    assert.equal(await row.getAttribute("data-status"), "active");
    // Suspended: a reason is needed; its people cannot sign in.
    const bare = await Promise.all([op.waitForNavigation(), row.locator("form.suspend button").click()]);
    assert.equal(bare[0].status(), 422);
    assert.ok(await op.isVisible("#reason-error"));
    await row.locator("input[name=reason]").fill("Contract ended");
    await Promise.all([op.waitForNavigation(), row.locator("form.suspend button").click()]);
    assert.match(op.url(), /done=suspended/);
    assert.equal(await row.getAttribute("data-status"), "suspended");
    assert.match(await row.textContent(), /Contract ended/);
    const outsider = await newPage();
    await outsider.goto(`${BASE}/login`);
    await outsider.fill("#email", "admin@browser-test.kz");
    await outsider.fill("#password", PASSWORD);
    const refused = await Promise.all([outsider.waitForNavigation(), outsider.click("form.narrow button[type=submit]")]);
    assert.equal(refused[0].status(), 403);
    assert.equal(await outsider.getAttribute("#login-error", "data-suspended"), "true");
    await Promise.all([op.waitForNavigation(), row.locator("button", { hasText: "Reactivate" }).click()]);
    assert.equal(await row.getAttribute("data-status"), "active");
    await signIn(outsider, "tenant_admin");
    await outsider.context().close();
    // The Agency's accounts: a new one works at once.
    await navClick(op, 'nav a[href="/platform/agency-accounts"]');
    assert.ok((await op.locator("#agency-accounts tbody tr").count()) >= 1);
    await op.fill("#email", "not-an-email");
    const badAccount = await Promise.all([op.waitForNavigation(), op.click("#account-submit")]);
    assert.equal(badAccount[0].status(), 422);
    assert.ok(await op.isVisible("#email-error") && await op.isVisible("#password-error"));
    await op.fill("#email", "inspector@agency.demo");
    await op.fill("#display_name", "Inspector");
    await op.fill("#password", PASSWORD);
    await Promise.all([op.waitForNavigation(), op.click("#account-submit")]);
    assert.match(op.url(), /done=account/);
    const account = op.locator("#agency-accounts tbody tr", { hasText: "inspector@agency.demo" });
    assert.equal(await account.getAttribute("data-status"), "active");
    const inspector = await newPage();
    await inspector.goto(`${BASE}/login`);
    await inspector.fill("#email", "inspector@agency.demo");
    await inspector.fill("#password", PASSWORD);
    await Promise.all([inspector.waitForNavigation(), inspector.click("form.narrow button[type=submit]")]);
    assert.equal(new URL(inspector.url()).pathname, "/agency", "the new auditor works without a restart");
    await Promise.all([op.waitForNavigation(), account.locator("button").click()]);
    assert.equal(await account.getAttribute("data-status"), "disabled");
    await inspector.goto(`${BASE}/agency/cartogram`);
    assert.match(new URL(inspector.url()).pathname, /^\/login/, "signed out when disabled");
    await inspector.context().close();
    // Nobody else reaches these screens.
    assert.equal(await errorStatus(pages.agency_auditor, `${BASE}/platform`), 403);
    assert.equal(await errorStatus(pages.tenant_admin, `${BASE}/platform/agency-accounts`), 403);
  });

  await check("the tenant admin sees in the audit log who from the Agency read what and when", async () => {
    const admin = pages.tenant_admin;
    await admin.goto(`${T}/overview`);
    await navClick(admin, 'nav a[href$="/audit"]');
    assert.ok((await admin.locator("#audit-entries tbody tr").count()) >= 1);
    await Promise.all([admin.waitForNavigation(), admin.click("#audit-agency-link")]);
    const rows = admin.locator("#audit-entries tbody tr");
    assert.ok((await rows.count()) >= 1, "the Agency read the demo organisation earlier");
    assert.equal(await admin.locator('#audit-entries tbody tr:not([data-action="agency.access"])').count(), 0);
    assert.match(await admin.textContent("#audit-entries"), /@agency\.demo \(Agency\)/, "the auditor by name");
    assert.equal(await errorStatus(pages.employee, `${T}/audit`), 403);
  });

  // ------------------------------------------------- the feedback channel
  const caseIds = async () => {
    await officer.goto(`${T}/cases?all=1`);
    return officer.locator("#cases tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.case));
  };
  let reportCase;
  const reporter = await newPage({ locale: "ru-RU" });
  await check("anyone reports to the organisation without an account: no cookie, errors beside their fields, the receipt once", async () => {
    const before = await caseIds();
    const resp = await reporter.goto(`${BASE}/report/${tenant}`);
    assert.equal(resp.headers()["referrer-policy"], "no-referrer");
    assert.equal(resp.headers()["set-cookie"], undefined, "the reporter's page sets no cookie");
    assert.equal(await reporter.getAttribute("html", "lang"), "ru", "Accept-Language chooses");
    await noMissing(reporter, "report");
    assert.match(await reporter.textContent("#report-org"), /Demo Energy JSC/);
    // A row with a position and no name, and no account of what happened.
    await reporter.fill("#involved_1_position", "начальник отдела закупок");
    await Promise.all([reporter.waitForNavigation(), reporter.click("#report-send")]);
    assert.ok(await reporter.isVisible("#what-error"));
    assert.ok(await reporter.isVisible("#involved_1_name-error"));
    assert.equal(await reporter.inputValue("#involved_1_position"), "начальник отдела закупок", "nothing typed is lost");
    await assertAxeClean(reporter, "the report form with its errors");
    await reporter.fill("#what", "BROWSER-MARKER: откат при приёмке кабеля, 2 млн ₸");
    await reporter.fill("#involved_1_name", "Серік Ахметов");
    await reporter.fill("#when", "в ноябре");
    // Evidence goes with the report, recognised by its content.
    await reporter.setInputFiles("#files", { name: "акт.txt", mimeType: "text/plain", buffer: Buffer.from("FILE-MARKER: акт приёмки от 14 ноября") });
    await Promise.all([reporter.waitForNavigation(), reporter.click("#report-send")]);
    const receipt = (await reporter.textContent("#receipt")).trim();
    assert.match(receipt, /^\d{4}( \d{4}){9}$/, "40 digits in groups of four");
    assert.deepEqual(await reporter.context().cookies(), [], "no cookie at any point");
    const after = await caseIds();
    const fresh = after.filter((id) => !before.includes(id));
    assert.equal(fresh.length, 1, "one new case for the compliance unit");
    reportCase = fresh[0];
    reporter.receipt = receipt;
  });

  await check("the reporter follows the case with the receipt; the compliance unit acknowledges, answers, and the reporter writes back", async () => {
    await reporter.goto(`${BASE}/report/follow?lang=kk`);
    assert.equal(await reporter.getAttribute("html", "lang"), "kk");
    await reporter.fill("#receipt", "1234");
    await Promise.all([reporter.waitForNavigation(), reporter.click("#follow-open")]);
    assert.ok(await reporter.isVisible("#receipt-error"), "a short receipt is refused beside its field");
    await reporter.fill("#receipt", reporter.receipt.replaceAll(" ", ""));
    await Promise.all([reporter.waitForNavigation(), reporter.click("#follow-open")]);
    assert.equal(await reporter.getAttribute("#case-status", "data-status"), "received");
    assert.match(await reporter.textContent("#case-report"), /BROWSER-MARKER/);
    // The compliance officer opens the case from the list.
    await officer.goto(`${T}/overview`);
    await navClick(officer, 'nav a[href$="/cases"]');
    await Promise.all([officer.waitForNavigation(), officer.click(`#cases tr[data-case="${reportCase}"] a`)]);
    assert.match(await officer.textContent("#case-report"), /BROWSER-MARKER/);
    // The reporter's file: listed, and downloaded as a file to save.
    const file = officer.locator("#case-files li[data-attachment] a").first();
    assert.equal(await file.textContent(), "акт.txt");
    const download = await officer.request.get(BASE + (await file.getAttribute("href")));
    assert.equal(download.status(), 200);
    assert.match(download.headers()["content-disposition"], /^attachment;/);
    assert.match(await download.text(), /FILE-MARKER/);
    // The officer attaches an internal file; the reporter will not see it.
    await officer.setInputFiles("#files", { name: "check.txt", mimeType: "text/plain", buffer: Buffer.from("Internal check list") });
    await officer.check("#files-internal");
    await Promise.all([officer.waitForNavigation(), officer.click("#attach-send")]);
    assert.equal(await officer.locator("#case-files li[data-attachment]").count(), 2);
    // A removal waits for a second officer; its asker cannot approve it.
    await officer.locator("#case-files li[data-attachment] details summary").nth(1).click();
    await officer.locator("#case-files li[data-attachment] details input[name=reason]").nth(1).fill("Duplicate of the act");
    await Promise.all([officer.waitForNavigation(), officer.locator("#case-files li[data-attachment] details button").nth(1).click()]);
    assert.equal(await officer.locator("#case-files .approval").count(), 1);
    assert.equal(await officer.locator("#case-files .approval button").count(), 0, "the asker does not decide");
    await Promise.all([officer.waitForNavigation(), officer.click("#acknowledge")]);
    assert.equal(await officer.getAttribute("#case-status", "data-status"), "acknowledged");
    await officer.fill("#message-body", "Спасибо, мы проверяем приёмку.");
    await Promise.all([officer.waitForNavigation(), officer.click("#message-send")]);
    await officer.fill("#message-body", "Check the acceptance acts of November");
    await officer.check("#message-internal");
    await Promise.all([officer.waitForNavigation(), officer.click("#message-send")]);
    assert.equal(await officer.locator('#case-messages li[data-author="note"]').count(), 1);
    // Closing without an outcome is refused beside the outcome.
    await Promise.all([officer.waitForNavigation(), officer.click("#close")]);
    assert.ok(await officer.isVisible("#case-close .field-error"));
    // The reporter refreshes: the answer, not the note.
    await Promise.all([reporter.waitForNavigation(), reporter.click("#case-refresh")]);
    assert.equal(await reporter.getAttribute("#case-status", "data-status"), "acknowledged");
    const msgs = await reporter.locator("#case-messages li").allTextContents();
    assert.equal(msgs.length, 1, "internal notes never reach the reporter");
    assert.match(msgs[0], /мы проверяем/);
    assert.equal(await reporter.locator("#report-files li[data-attachment]").count(), 1, "not the internal file");
    // A file that is not what its name says is refused, beside the files.
    await reporter.setInputFiles("#files", { name: "invoice.pdf", mimeType: "application/pdf", buffer: Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03]) });
    await Promise.all([reporter.waitForNavigation(), reporter.click("#attach-send")]);
    assert.ok(await reporter.isVisible("#files-error"));
    const [saved] = await Promise.all([reporter.waitForEvent("download"), reporter.locator("#report-files li[data-attachment] button").first().click()]);
    assert.equal(saved.suggestedFilename(), "акт.txt");
    await reporter.fill("#body", "Акты подписаны 14 ноября.");
    await Promise.all([reporter.waitForNavigation(), reporter.click("#message-send")]);
    assert.ok(await reporter.isVisible("#report-notice"));
    await officer.reload();
    assert.match(await officer.textContent('#case-messages li[data-author="reporter"]'), /14 ноября/);
  });

  await check("the compliance unit escalates the case to the Agency, which reads what was shared; then closes it with an outcome", async () => {
    await officer.fill("#summary", "Possible kickback in cable acceptance; please advise.");
    await officer.check("#include-report");
    await Promise.all([officer.waitForNavigation(), officer.click("#escalate")]);
    assert.equal(await officer.getAttribute("#case-status", "data-status"), "escalated");
    const agency = pages.agency_auditor;
    await agency.goto(`${BASE}/agency`);
    await navClick(agency, 'nav a[href="/agency/cases"]');
    await Promise.all([agency.waitForNavigation(), agency.click(`#agency-cases tr[data-case="${reportCase}"] a`)]);
    assert.match(await agency.textContent("#case-summary"), /kickback/);
    assert.match(await agency.textContent("#case-report"), /BROWSER-MARKER/);
    assert.doesNotMatch(await agency.content(), /acceptance acts of November/, "never the notes");
    assert.equal(await errorStatus(pages.tenant_admin, `${BASE}/agency/cases`), 403);
    assert.equal(await errorStatus(pages.tenant_admin, `${T}/cases`), 403, "only the compliance unit handles cases");
    await officer.selectOption("#outcome", "substantiated");
    await officer.fill("#measures", "Акты приёмки пересмотрены, поставщик проверен.");
    await Promise.all([officer.waitForNavigation(), officer.click("#close")]);
    assert.equal(await officer.getAttribute("#case-status", "data-status"), "closed");
    await Promise.all([reporter.waitForNavigation(), reporter.click("#case-refresh")]);
    assert.equal(await reporter.getAttribute("#case-outcome", "data-outcome"), "substantiated");
    assert.match(await reporter.textContent("#case-measures"), /пересмотрены/, "the reporter reads the measures taken");
    assert.ok(await reporter.isVisible("#case-closed"));
    assert.equal(await reporter.locator("#message-form").count(), 0, "a closed case takes no more messages");
    // The figures count it.
    await officer.goto(`${T}/case-statistics`);
    assert.ok(Number(await officer.textContent("#stat-reports")) >= 1);
    assert.equal(await officer.locator("#chart-outcome svg rect").count(), 5, "a bar per outcome");
  });

  await check("a report made to the Agency instead: the organisation never sees it, the Agency answers and closes it", async () => {
    const before = await caseIds();
    await reporter.goto(`${BASE}/report/${tenant}?lang=en`);
    await reporter.fill("#what", "AGENCY-MARKER: the director's nephew won the tender.");
    await reporter.check("#to-agency");
    await Promise.all([reporter.waitForNavigation(), reporter.click("#report-send")]);
    const receipt = (await reporter.textContent("#receipt")).trim();
    assert.deepEqual(await caseIds(), before, "not in the organisation's list");
    const agency = pages.agency_auditor;
    await agency.goto(`${BASE}/agency/cases`);
    const row = agency.locator('#agency-cases tbody tr:has(td[data-channel="agency"])').first();
    await Promise.all([agency.waitForNavigation(), row.locator("a").click()]);
    assert.equal(await agency.getAttribute("#case-channel", "data-channel"), "agency");
    assert.match(await agency.textContent("#case-report"), /AGENCY-MARKER/);
    await agency.fill("#message-body", "The Agency has opened an inquiry.");
    await Promise.all([agency.waitForNavigation(), agency.click("#message-send")]);
    await agency.selectOption("#outcome", "referred_to_law_enforcement");
    await Promise.all([agency.waitForNavigation(), agency.click("#close")]);
    assert.equal(await agency.getAttribute("#case-status", "data-status"), "closed");
    await reporter.goto(`${BASE}/report/follow?lang=en`);
    await reporter.fill("#receipt", receipt);
    await Promise.all([reporter.waitForNavigation(), reporter.click("#follow-open")]);
    assert.equal(await reporter.getAttribute("#case-outcome", "data-outcome"), "referred_to_law_enforcement");
    assert.match(await reporter.textContent("#case-messages"), /opened an inquiry/);
    // The Agency's figures count it against the organisation.
    await agency.goto(`${BASE}/agency/cases`);
    await navClick(agency, 'nav a[href="/agency/case-statistics"]');
    const demo = agency.locator(`#agency-statistics tbody tr[data-tenant="${tenant}"] td`);
    assert.ok(Number(await demo.nth(1).textContent()) >= 1, "reported to the Agency");
    assert.equal(await agency.locator("#chart-outcome svg rect").count(), 5);
  });

  await check("a compliance officer named in a report never sees it", async () => {
    const before = await caseIds();
    await reporter.goto(`${BASE}/report/${tenant}?lang=en`);
    await reporter.fill("#what", "The compliance officer took money from a bidder.");
    await reporter.fill("#involved_0_name", "Compliance Daniyar");
    await Promise.all([reporter.waitForNavigation(), reporter.click("#report-send")]);
    assert.match((await reporter.textContent("#receipt")).trim(), /^\d{4}( \d{4}){9}$/);
    assert.deepEqual(await caseIds(), before, "the named officer's list did not change");
    assert.deepEqual(reporter.consoleErrors.filter((e) => !/status of 4\d\d/.test(e)), [], "no script or CSP error on the reporter's pages");
    await reporter.context().close();
  });

  await check("the procurement officer filters procurements; a bad BIN is refused beside its field; pages keep the filters", async () => {
    const p = pages.procurement_officer;
    const pApi = await api(p, "procurement_officer");
    const bin = iin("20054000123");
    const release = (ocid, title, status, buyer) => ({
      ocid,
      buyer,
      parties: [
        { ...buyer, roles: ["buyer", "procuringEntity"] },
        { id: "sup", name: "Filter Supplies LLP", identifier: { scheme: "KZ-BIN", id: bin }, roles: ["tenderer", "supplier"] },
      ],
      tender: { id: ocid, title, status, value: { amount: 1000000, currency: "KZT" }, procuringEntity: buyer },
    });
    for (const r of [
      release("ocds-lists-001", "Office chairs", "complete", { id: "demo-buyer", name: "Demo Energy JSC" }),
      release("ocds-lists-002", "Cable supply", "cancelled", { id: "lists-buyer", name: "Lists Buyer LLP" }),
    ]) {
      const res = await pApi.post(`/tenants/${tenant}/procurements`, r);
      assert.ok([200, 201, 202].includes(res.status()), await res.text());
    }
    await p.goto(`${T}/procurements`);
    for (const id of ["q", "status", "buyer_id", "counterparty_bin", "limit"]) {
      assert.equal(await p.locator(`#procurement-filters label[for="${id}"]`).count(), 1, `${id} has a label`);
    }
    assert.ok((await rowsOf(p, "procurement-pager")).total >= 3);
    const ocids = async () => (await p.locator("#procurements tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.ocid))).sort();
    // Text, then the tenderer's BIN (as the API filters), then status and buyer.
    await p.fill("#q", "Cable");
    await submitFilters(p, "#procurement-filters");
    assert.deepEqual(await ocids(), ["ocds-lists-002"]);
    assert.equal(await p.inputValue("#q"), "Cable");
    await p.goto(`${T}/procurements`);
    await p.fill("#counterparty_bin", bin);
    await submitFilters(p, "#procurement-filters");
    assert.deepEqual(await ocids(), ["ocds-lists-001", "ocds-lists-002"]);
    await p.selectOption("#status", "complete");
    await submitFilters(p, "#procurement-filters");
    assert.deepEqual(await ocids(), ["ocds-lists-001"]);
    assert.equal(await p.inputValue("#counterparty_bin"), bin);
    await p.goto(`${T}/procurements`);
    await p.selectOption("#buyer_id", "lists-buyer");
    await submitFilters(p, "#procurement-filters");
    assert.deepEqual(await ocids(), ["ocds-lists-002"]);
    // Nothing matches.
    await p.fill("#q", "no such procurement");
    await submitFilters(p, "#procurement-filters");
    assert.deepEqual(await ocids(), []);
    assert.equal((await rowsOf(p, "procurement-pager")).total, 0);
    // A bad BIN: 422, the error beside the field, what was typed kept.
    await p.goto(`${T}/procurements`);
    await p.fill("#q", "Cable");
    await p.fill("#counterparty_bin", "123456789012");
    const [bad] = await Promise.all([p.waitForNavigation(), p.click("#procurement-filters button[type=submit]")]);
    assert.equal(bad.status(), 422);
    assert.ok(await p.isVisible("#counterparty_bin-error"));
    assert.equal(await p.getAttribute("#counterparty_bin", "aria-invalid"), "true");
    assert.equal(await p.inputValue("#counterparty_bin"), "123456789012");
    assert.equal(await p.inputValue("#q"), "Cable");
    assert.equal(await p.locator("#procurements tbody tr").count(), 0);
    assert.equal((await p.goto(`${T}/procurements?status=bogus`)).status(), 422);
    assert.ok(await p.isVisible("#status-error"));
    assert.equal(await p.inputValue("#status"), "bogus");
    // Pages of one row keep the BIN.
    await p.goto(`${T}/procurements?counterparty_bin=${bin}&limit=1`);
    assert.deepEqual(await rowsOf(p, "procurement-pager"), { first: 1, last: 1, total: 2 });
    await Promise.all([p.waitForNavigation(), p.click("#procurement-pager-next")]);
    assert.equal(new URL(p.url()).searchParams.get("counterparty_bin"), bin);
    assert.deepEqual(await ocids(), ["ocds-lists-002"]);
    assert.deepEqual(await rowsOf(p, "procurement-pager"), { first: 2, last: 2, total: 2 });
  });

  await check("the compliance officer pages through findings; the links keep the filters", async () => {
    await officer.goto(`${T}/findings?limit=1`);
    const { total } = await rowsOf(officer, "findings-pager");
    assert.ok(total >= 2, "the demo has several findings");
    const first = await officer.getAttribute("#findings tbody tr", "data-finding");
    await Promise.all([officer.waitForNavigation(), officer.click("#findings-pager-next")]);
    // The demo's worker may still be adding findings (its first dataset
    // run files the red flags): the total can only grow meanwhile.
    const next = await rowsOf(officer, "findings-pager");
    assert.deepEqual([next.first, next.last], [2, 2]);
    assert.ok(next.total >= total, `${next.total} findings after ${total}`);
    assert.notEqual(await officer.getAttribute("#findings tbody tr", "data-finding"), first);
    // The previous page of a filtered list is the same filtered list.
    await officer.goto(`${T}/findings?status=resolved&limit=1&offset=1`);
    const prev = new URL(await officer.getAttribute("#findings-pager-prev", "href"), BASE).searchParams;
    assert.deepEqual([prev.get("status"), prev.get("limit"), prev.get("offset")], ["resolved", "1", null]);
    assert.equal(await officer.inputValue("#status"), "resolved");
    assert.equal((await officer.goto(`${T}/findings?limit=500`)).status(), 422);
    assert.ok(await officer.isVisible("#limit-error"));
  });

  await check("changing the password, then signing in with the new one", async () => {
    const p = pages.procurement_officer;
    await p.goto(`${BASE}/password`);
    await p.fill("#current", "wrong-password-123");
    await p.fill("#new", "a-new-password-2026");
    await p.fill("#confirm", "a-new-password-2026");
    await Promise.all([p.waitForNavigation(), p.click("main button[type=submit]")]);
    assert.ok(await p.isVisible("#current-error"));
    await p.fill("#current", PASSWORD);
    await p.fill("#new", "a-new-password-2026");
    await p.fill("#confirm", "a-new-password-2026");
    await Promise.all([p.waitForNavigation(), p.click("main button[type=submit]")]);
    assert.ok(await p.isVisible("#password-changed"));
    await navClick(p, "#sign-out");
    assert.equal(new URL(p.url()).pathname, "/login");
    assert.equal(new URL((await p.goto(`${T}/my`)).url()).pathname, "/login", "signed out");
    await signIn(p, "procurement_officer", PASSWORD);
    assert.ok(await p.isVisible("#login-error"), "the old password no longer works");
    await signIn(p, "procurement_officer", "a-new-password-2026");
    assert.equal(await p.getAttribute("#user-role", "data-role"), "procurement_officer");
  });

  // ------------------------------------------------------------ languages
  const thisYear = new Date(Date.now() + 5 * 3600 * 1000).getUTCFullYear();
  const screens = [
    ["compliance_officer", "overview", `${T}/overview`],
    ["compliance_officer", "risk-map", `${T}/risk-map`],
    ["compliance_officer", "findings", `${T}/findings`],
    ["compliance_officer", "search", `${T}/search?q=Nurlan`],
    ["compliance_officer", "finding", `${T}/findings/${findingId}`],
    ["compliance_officer", "password", `${BASE}/password`],
    ["compliance_officer", "rules", `${T}/rules`],
    ["compliance_officer", "rule-parameters", `${T}/rules/parameters`],
    ["compliance_officer", "rule-new", `${T}/rules/new`],
    ["compliance_officer", "rule-version", `${T}/rules/v/1`],
    ["compliance_officer", "rule-version-left-out", `${T}/rules/v/${leftOutVersion}`],
    ["compliance_officer", "dataset-runs", `${T}/dataset-runs`],
    ["compliance_officer", "feedback-form", `${T}/feedback/new`],
    ["compliance_officer", "governance-form", `${T}/governance/new`],
    ["agency_auditor", "agency-rules", `${T}/rules`],
    ["employee", "my-filings", `${T}/my`],
    ["employee", "gift-form", `${T}/gifts/new`],
    ["employee", "conflict-form", `${T}/conflicts/new`],
    ["employee", "declaration-form", `${T}/declarations/new`],
    ["employee", "training-form", `${T}/trainings/new`],
    ["employee", "forbidden", `${T}/risk-map`],
    ["employee", "not-found", `${BASE}/t/${tenant}/findings/00000000-0000-7000-8000-000000000000`],
    ["tenant_admin", "people", `${T}/people`],
    ["tenant_admin", "org", `${T}/org`],
    ["tenant_admin", "settings", `${T}/settings`],
    ["tenant_admin", "audit", `${T}/audit`],
    ["tenant_admin", "user-new", `${T}/users/new`],
    ["tenant_admin", "department-new", `${T}/departments/new`],
    ["tenant_admin", "position-new", `${T}/positions/new`],
    ["hr_officer", "hr-actions", `${T}/hr-actions`],
    ["hr_officer", "screening", `${T}/screening`],
    ["hr_officer", "hr-action-form", `${T}/hr-actions/new`],
    ["employee", "record", recordUrl],
    ["compliance_officer", "record-officer", recordUrl],
    ["compliance_officer", "person", personUrl],
    ["hr_officer", "imports", `${T}/imports`],
    ["hr_officer", "import", `${T}/imports/${importId}`],
    ["procurement_officer", "procurements", `${T}/procurements`],
    ["hr_officer", "hr-actions-filtered", `${T}/hr-actions?action=dismissal&person=12&limit=1`],
    ["procurement_officer", "procurements-filtered", `${T}/procurements?status=bogus&counterparty_bin=123&q=Cable&limit=1`],
    ["compliance_officer", "findings-paged", `${T}/findings?status=open&limit=1&offset=1`],
    ["agency_auditor", "agency", `${BASE}/agency`],
    ["agency_auditor", "agency-risk-map", `${T}/risk-map`],
    ["agency_auditor", "cartogram", `${BASE}/agency/cartogram`],
    ["agency_auditor", "cartogram-region", `${BASE}/agency/cartogram?region=astana`],
    ["platform_admin", "platform", `${BASE}/platform`],
    ["platform_admin", "platform-new-tenant", `${BASE}/platform/tenants/new`],
    ["platform_admin", "platform-agency", `${BASE}/platform/agency-accounts`],
    ["compliance_officer", "annual-report", `${T}/annual-report?year=${thisYear}`],
    ["agency_auditor", "annual-summary", `${BASE}/agency/annual-reports?year=${thisYear}`],
    ["compliance_officer", "cases", `${T}/cases?all=1`],
    ["compliance_officer", "case", `${T}/cases/${reportCase}`],
    ["compliance_officer", "case-statistics", `${T}/case-statistics`],
    ["agency_auditor", "agency-cases", `${BASE}/agency/cases`],
    ["agency_auditor", "agency-case", `${BASE}/agency/cases/${reportCase}`],
    ["agency_auditor", "agency-case-statistics", `${BASE}/agency/case-statistics`],
  ];
  const texts = {};
  // axe-core audits each screen in one language (turn about, by its place
  // in the list), and these in all three: the ones most people use, where
  // a longer Kazakh or Russian word could break a layout or a label.
  const axeEveryLanguage = new Set(["overview", "risk-map", "findings", "finding", "my-filings", "gift-form", "declaration-form", "hr-action-form"]);
  const axeFindings = [];
  const axeAudited = new Set();
  async function axeScreen(page, name, lang) {
    axeFindings.push(...(await axeAudit(page, `${name} (${lang})`)));
    axeAudited.add(`${name}/${lang}`);
  }
  await check("every page in every language: no untranslated key, kk and ru differ from en", async () => {
    const anon = await newPage();
    for (const lang of LANGS) {
      // Switch with the switcher itself, as a user would.
      for (const role of ["compliance_officer", "employee", "tenant_admin", "agency_auditor", "hr_officer", "procurement_officer", "platform_admin"]) {
        const page = pages[role];
        await page.goto(role === "platform_admin" ? `${BASE}/platform` : `${T}/`.replace(/\/$/, "") + (role === "agency_auditor" ? "/risk-map" : ""));
        await page.selectOption("#lang-select", lang);
        await Promise.all([page.waitForNavigation(), page.click("form.lang button")]);
        assert.equal(await page.getAttribute("html", "lang"), lang);
      }
      for (const [i, [role, name, url]] of screens.entries()) {
        const page = pages[role];
        await page.goto(url);
        assert.equal(await page.getAttribute("html", "lang"), lang, `${name} in ${lang}`);
        await noMissing(page, `${name} (${lang})`);
        texts[`${name}/${lang}`] = await page.evaluate(() => document.body.innerText);
        await shot(page, lang, name);
        if (axeEveryLanguage.has(name) || LANGS[i % LANGS.length] === lang) await axeScreen(page, name, lang);
      }
      // Before signing in: the language comes from the switcher too.
      await anon.goto(`${BASE}/login`);
      await anon.selectOption("#lang-select", lang);
      await Promise.all([anon.waitForNavigation(), anon.click("form.lang button")]);
      await noMissing(anon, `login (${lang})`);
      texts[`login/${lang}`] = await anon.evaluate(() => document.body.innerText);
      await shot(anon, lang, "login");
      await axeScreen(anon, "login", lang);
      // The public registry, with what a search found.
      await anon.goto(`${BASE}/registry?name=ospanov`);
      assert.equal(await anon.getAttribute("html", "lang"), lang);
      await noMissing(anon, `registry (${lang})`);
      texts[`registry/${lang}`] = await anon.evaluate(() => document.body.innerText);
      await shot(anon, lang, "registry");
      await axeScreen(anon, "registry", lang);
      // The reporter's pages choose by link, and set no cookie.
      for (const [name, url] of [["report", `${BASE}/report/${tenant}?lang=${lang}`], ["report-follow", `${BASE}/report/follow?lang=${lang}`]]) {
        await anon.goto(url);
        assert.equal(await anon.getAttribute("html", "lang"), lang);
        await noMissing(anon, `${name} (${lang})`);
        texts[`${name}/${lang}`] = await anon.evaluate(() => document.body.innerText);
        await shot(anon, lang, name);
        await axeScreen(anon, name, lang);
      }
    }
    for (const name of [...screens.map((s) => s[1]), "login", "registry", "report", "report-follow"]) {
      for (const lang of ["ru", "kk"]) {
        assert.notEqual(texts[`${name}/${lang}`], texts[`${name}/en`], `${name} in ${lang} differs from English`);
      }
      assert.notEqual(texts[`${name}/ru`], texts[`${name}/kk`], `${name}: Russian and Kazakh differ`);
    }
    // Dates and money follow the locale.
    assert.match(texts["my-filings/en"], /250,000\.00\s₸/);
    assert.match(texts["my-filings/ru"], /250\u202f000,00\s₸/);
    assert.match(texts["my-filings/kk"], /\d\d\.\d\d\.\d{4}/);
    // A finding's explanation is written in the reader's language from the
    // facts it stored (the stored English says "250000.00 KZT").
    assert.match(texts["finding/en"], /250,000\.00\s₸/);
    assert.match(texts["finding/ru"], /250\u202f000,00\s₸/);
    assert.match(texts["finding/kk"], /250\u202f000,00\s₸/);
  });

  await check("axe-core: no serious or critical WCAG 2.1 A/AA violation on any screen", async () => {
    // Every screen was audited in at least one language, the public pages
    // in all three: an audit that skipped screens would pass on nothing.
    for (const [, name] of screens) {
      assert.ok(LANGS.some((l) => axeAudited.has(`${name}/${l}`)), `axe audited ${name}`);
    }
    for (const name of ["login", "registry", "report", "report-follow", ...axeEveryLanguage]) {
      for (const lang of LANGS) assert.ok(axeAudited.has(`${name}/${lang}`), `axe audited ${name} in ${lang}`);
    }
    assert.deepEqual(axeFindings, [], `${axeFindings.length} serious or critical violations:\n${axeFindings.join("\n")}`);
  });

  await check("without a cookie, the browser's Accept-Language chooses", async () => {
    for (const [locale, word] of [["ru-RU", "Вход"], ["kk-KZ", "Кіру"], ["en-GB", "Sign in"]]) {
      const page = await newPage({ locale });
      await page.goto(`${BASE}/login`);
      assert.equal((await page.textContent("h1")).trim(), word, locale);
      await page.context().close();
    }
  });

  await check("navigation: menus by task in one row at 1280 px, the content on the first screen at 360 px, by keyboard", async () => {
    for (const [role, page] of Object.entries(pages)) {
      await page.goto(`${BASE}/`);
      const tops = await page.$$eval("nav.menus ul.groups > li", (lis) => lis.map((l) => Math.round(l.getBoundingClientRect().top)));
      assert.ok(tops.length >= 1 && new Set(tops).size === 1, `${role}: the menus fit one row at 1280 px (tops ${tops})`);
      const narrow = await page.context().newPage();
      await narrow.setViewportSize({ width: 360, height: 740 });
      await narrow.goto(`${BASE}/`);
      const top = await narrow.evaluate(() => document.querySelector("main h1").getBoundingClientRect().top);
      assert.ok(top < 260, `${role}: the page's title starts ${top}px down at 360 px`);
      await shot(narrow, "360px", `home-${role}`);
      // An open menu covers the page at 360 px: its links are audited too.
      await narrow.locator("nav.menus details > summary").first().click();
      await assertAxeClean(narrow, `${role}'s first menu, open at 360 px`);
      await narrow.close();
    }
    const page = officer;
    await page.goto(`${T}/overview`);
    const records = page.locator('details[data-group="nav-group-records"]');
    const isOpen = (d) => d.evaluate((e) => e.open);
    await records.locator(":scope > summary").focus();
    await page.keyboard.press("Enter");
    assert.ok(await isOpen(records), "Enter opens a menu");
    await page.keyboard.press("Tab");
    assert.match(await page.evaluate(() => document.activeElement.getAttribute("href") || ""), /\/people$/, "Tab reaches its first screen");
    await page.keyboard.press("Escape");
    assert.equal(await isOpen(records), false, "Escape closes it");
    assert.equal(await page.evaluate(() => document.activeElement.tagName), "SUMMARY", "and the focus goes back to its name");
    await records.locator(":scope > summary").click();
    await page.locator('details[data-group="nav-group-admin"] > summary').click();
    assert.equal(await page.locator("nav.menus details[open]").count(), 1, "one menu open at a time");
    await page.click("main h1");
    assert.equal(await page.locator("nav.menus details[open]").count(), 0, "a click elsewhere closes it");
    await navClick(page, `nav a[href="/t/${tenant}/people"]`);
    assert.equal(await page.getAttribute('details[data-group="nav-group-records"] > summary', "class"), "here", "the menu of the current page is marked");
  });

  await check("360 px wide: nothing scrolls sideways, every screen usable; axe-core finds no serious or critical violation", async () => {
    // At 360 px the header hides words and tables scroll in their boxes:
    // axe-core audits these layouts too (in the language each page is in).
    const narrowFindings = [];
    for (const [role, name, url] of screens.filter(([, n]) => ["overview", "risk-map", "gift-form", "declaration-form", "findings", "my-filings", "hr-actions", "procurements", "agency", "cartogram", "annual-report", "screening", "hr-action-form", "record", "cases", "case"].includes(n))) {
      const ctx = pages[role].context();
      const narrow = await ctx.newPage();
      await narrow.setViewportSize({ width: 360, height: 740 });
      await narrow.goto(url);
      const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name} overflows by ${overflow}px at 360 px`);
      await shot(narrow, "360px", name);
      narrowFindings.push(...(await axeAudit(narrow, `${name} at 360 px`)));
      await narrow.close();
    }
    const phone = await newPage({ viewport: { width: 360, height: 740 } });
    for (const [name, url] of [["report", `${BASE}/report/${tenant}`], ["report-follow", `${BASE}/report/follow`]]) {
      await phone.goto(url);
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name} overflows by ${overflow}px at 360 px`);
      await shot(phone, "360px", name);
      narrowFindings.push(...(await axeAudit(phone, `${name} at 360 px`)));
    }
    await phone.context().close();
    assert.deepEqual(narrowFindings, [], `${narrowFindings.length} serious or critical violations at 360 px:\n${narrowFindings.join("\n")}`);
  });

  await check("no script or CSP errors in the browser console", async () => {
    for (const [role, page] of Object.entries(pages)) {
      assert.deepEqual(page.consoleErrors.filter((e) => !/status of 40[349]|status of 422|status of 401/.test(e)), [], role);
    }
  });

  console.log("all browser checks passed");
} catch (e) {
  console.error(`FAILED at "${step}":`, e);
  process.exitCode = 1;
} finally {
  await browser.close();
}
