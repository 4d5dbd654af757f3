// Drives azconf serve's dashboard in headless Chromium (Debian's) like a person would, and checks each
// page with axe-core. Usage: node dashboard-check.mjs BASE_URL PROJECT_DIR WRITE_TOKEN READ_TOKEN SHOTS_DIR
// Prints one JSON object with what it saw; tests/interop/test_dashboard.py asserts on it.
import { readFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const [base, project, writeToken, readToken, shots] = process.argv.slice(2);
const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
const TIMEOUT = 20000;
const seen = { axe: {}, console: [] };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});

async function audit(page, name) {
  // axe runs through the DevTools protocol (page.evaluate), so the page's strict CSP stays on.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  seen.axe[name] = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  if (shots) await page.screenshot({ path: join(shots, `dashboard-${name}.png`) });
}

const loaded = (page, what) => page.waitForSelector(`body[data-loaded="${what}"]`, { timeout: TIMEOUT });
const cellText = (page, flag, env) => page.locator(`tr[data-flag="${flag}"] td[data-env="${env}"]`).innerText();

async function signIn(page, token) {
  await page.goto(base + '/');
  await page.waitForSelector('#token', { timeout: TIMEOUT });
  await page.keyboard.type(token); // the field has the focus: keyboard only
  await page.keyboard.press('Enter');
  await loaded(page, 'flags');
}

async function writer() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') seen.console.push(m.text()); });
  page.on('pageerror', (error) => seen.console.push(`page error: ${error.message}`));
  let tableReads = 0; // GET /dashboard/api/flags: the whole table read again
  page.on('request', (r) => { if (r.method() === 'GET' && new URL(r.url()).pathname === '/dashboard/api/flags') tableReads += 1; });
  await page.goto(base + '/');
  await page.waitForSelector('#token', { timeout: TIMEOUT });
  await audit(page, 'signin');
  await signIn(page, writeToken);
  seen.cookie = (await context.cookies()).map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite }));
  await audit(page, 'flags');

  // Keyboard: Tab reaches the search field; typing filters; Tab reaches a toggle; Enter opens its plan.
  await page.locator('#main').focus();
  let tabs = 0;
  while (tabs < 15 && (await page.evaluate(() => document.activeElement.id)) !== 'search') { await page.keyboard.press('Tab'); tabs += 1; }
  seen.tabsToSearch = tabs;
  await page.keyboard.type('dark');
  await page.waitForFunction(() => document.querySelectorAll('#flag-table tbody tr').length === 1, null, { timeout: TIMEOUT });
  seen.search = await page.locator('#flag-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.flag));
  for (tabs = 0; tabs < 30; tabs += 1) {
    await page.keyboard.press('Tab');
    const label = await page.evaluate(() => document.activeElement.getAttribute('aria-label') || document.activeElement.id || document.activeElement.textContent);
    if (label === 'Disable dark-mode in prod') break;
  }
  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog#plan[open] pre', { timeout: TIMEOUT });
  seen.planText = await page.locator('#plan-body').innerText();
  await audit(page, 'plan');
  // The test's own listener on the change stream: it hears the event the Apply causes, as the page does.
  await page.evaluate(() => {
    window.heardEtags = [];
    new EventSource('/dashboard/api/events').onmessage = (e) => window.heardEtags.push(JSON.parse(e.data).etag);
  });
  const readsBeforeApply = tableReads;
  const refreshesBeforeApply = await page.evaluate(() => Number(document.body.dataset.refreshed || 0));
  const applied = page.waitForResponse((r) => new URL(r.url()).pathname === '/dashboard/api/apply', { timeout: TIMEOUT });
  await page.keyboard.press('Enter'); // the Apply button has the focus
  const answer = await (await applied).json();
  await page.waitForFunction(() => /Recorded/.test(document.getElementById('status').textContent), null, { timeout: TIMEOUT });
  seen.status = await page.locator('#status').innerText();
  seen.toggledCell = await cellText(page, 'dark-mode', 'prod');
  seen.tableReadsForApply = tableReads - readsBeforeApply; // the row came in the Apply's answer
  seen.rowsAfterApply = await page.locator('#flag-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.flag));
  seen.focusAfterApply = await page.evaluate(() => document.activeElement.id);
  await page.waitForFunction(() => window.heardEtags.length > 0, null, { timeout: TIMEOUT });
  seen.applyAnswer = { etags: Object.keys(answer.etags), rows: answer.rows.map((r) => r.name) };
  seen.heardTheApply = await page.evaluate((etag) => window.heardEtags[0] === etag, answer.etags.prod);

  // The forged write: the session cookie rides along (same origin), the CSRF header does not.
  seen.forged = await page.evaluate(async () => (await fetch('/dashboard/api/apply', {
    method: 'POST', body: JSON.stringify({ action: 'set', env: 'prod', flags: { 'dark-mode': { state: 'ENABLED' } }, etag: 'x' }),
  })).status);

  // The bulk bar: the environment chosen under "in" stays chosen, and the keyboard focus stays on the
  // box just ticked, when another flag is selected (the bar counts again).
  await page.locator('#search').fill('');
  await page.getByLabel('Select beta-banner').check();
  await page.locator('#bulk-env').selectOption('prod');
  await page.getByLabel('Select dark-mode').focus();
  await page.keyboard.press('Space');
  seen.bulk = {
    env: await page.locator('#bulk-env').inputValue(),
    count: await page.locator('#bulk').innerText(),
    focus: await page.evaluate(() => document.activeElement.getAttribute('aria-label')),
  };
  await page.keyboard.press('Space');
  await page.getByLabel('Select beta-banner').uncheck();

  // A change on disk reaches the open page without a reload.
  await page.locator('#search').fill('beta');
  seen.beforeDisk = await cellText(page, 'beta-banner', 'prod');
  await appendFile(join(project, 'config/envs/prod/flags.yaml'),
    '  beta-banner:\n    state: ENABLED\n    variants: {"on": true, "off": false}\n    defaultVariant: "on"\n');
  await page.waitForFunction(() => /enabled on/.test(document.querySelector('tr[data-flag="beta-banner"] td[data-env="prod"]').innerText), null, { timeout: TIMEOUT });
  seen.afterDisk = await cellText(page, 'beta-banner', 'prod');
  // From the Apply to here: one re-read of the table, the disk edit's (the Apply's own event was no news).
  seen.tableReadsAfterApply = tableReads - readsBeforeApply;
  seen.refreshesAfterApply = await page.evaluate((n) => Number(document.body.dataset.refreshed || 0) - n, refreshesBeforeApply);
  seen.reloaded = await page.evaluate(() => performance.getEntriesByType('navigation').length);

  // One flag: history with the actor, provenance, evaluate.
  await page.goto(base + '/#/flag/dark-mode');
  await loaded(page, 'flag');
  seen.history = await page.locator('section[aria-labelledby="h-prod"] .history li').first().innerText();
  seen.sources = await page.locator('section[aria-labelledby="h-prod"] .sources').innerText();
  await page.locator('#context').fill('{"targetingKey": "u-1", "email": "ana@azora.dev"}');
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await page.waitForSelector('#evaluation table', { timeout: TIMEOUT });
  seen.evaluation = await page.locator('#evaluation').innerText();
  await audit(page, 'flag');

  // A validation error: a default variant that is not a variant.
  await page.locator('#default-prod').fill('blue');
  await page.getByRole('button', { name: 'Plan default change' }).last().click();
  await page.waitForSelector('dialog#plan[open] .problems', { timeout: TIMEOUT });
  seen.problems = await page.locator('#plan-body .problems').innerText();
  seen.applyDisabled = await page.locator('#plan-apply').isDisabled();
  await page.keyboard.press('Escape');

  // A conflict: the plan is shown, then the file changes on disk, then Apply.
  await page.getByRole('button', { name: 'Enable in prod' }).click();
  await page.waitForSelector('dialog#plan[open] pre', { timeout: TIMEOUT });
  const refreshed = await page.evaluate(() => Number(document.body.dataset.refreshed || 0));
  await appendFile(join(project, 'config/envs/prod/flags.yaml'),
    '  debug-toolbar:\n    state: ENABLED\n    variants: {"on": true, "off": false}\n    defaultVariant: "on"\n');
  await page.waitForFunction((n) => Number(document.body.dataset.refreshed || 0) > n, refreshed, { timeout: TIMEOUT });
  await page.locator('#plan-apply').click();
  await page.waitForSelector('#plan-body [role="alert"]', { timeout: TIMEOUT });
  seen.conflict = await page.locator('#plan-body [role="alert"]').last().innerText();
  await page.keyboard.press('Escape');

  await page.goto(base + '/#/stale');
  await loaded(page, 'stale');
  seen.stale = await page.locator('#stale-table').innerText();
  await audit(page, 'stale');
  await page.goto(base + '/#/alerts');
  await loaded(page, 'alerts');
  seen.alerts = await page.locator('main').innerText();
  await audit(page, 'alerts');
  await context.close();
}

async function reader() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await signIn(page, readToken);
  seen.readerToggles = await page.locator('button.toggle').count();
  seen.readerWho = await page.locator('#who').innerText();
  await page.goto(base + '/#/flag/dark-mode');
  await loaded(page, 'flag');
  seen.readerControls = await page.locator('.controls, button:has-text("Promote")').count();
  seen.readerWrite = await page.evaluate(async () => {
    const session = await (await fetch('/dashboard/api/session')).json();
    const response = await fetch('/dashboard/api/apply', {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf },
      body: JSON.stringify({ action: 'set', env: 'prod', flags: { 'dark-mode': { state: 'ENABLED' } }, etag: 'x' }),
    });
    return { status: response.status, body: await response.json() };
  });
  await context.close();
}

try {
  await writer();
  await reader();
} catch (error) {
  seen.error = String(error && error.stack || error);
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
