// Drives the OFREP web provider in headless Chromium against a running `azconf serve`.
// Usage: node browser-check.mjs BASE_URL READ_TOKEN WRITE_TOKEN
// Serves page.html and node_modules on a loopback port of its own, loads the page, then:
//   1. the page's first bulk evaluation (200) and values;
//   2. a targeting change that leaves this user's answers as they were: the SSE event makes the
//      provider re-fetch with If-None-Match, and the service answers 304;
//   3. a REST toggle of beta-banner: the page gets ConfigurationChanged naming it, with the new value.
// Prints one JSON object with what it saw; the pytest side asserts on it.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const [base, readToken, writeToken] = process.argv.slice(2);
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json' };

const pages = createServer(async (request, response) => {
  const path = new URL(request.url, 'http://x').pathname;
  const file = path === '/' ? join(here, 'page.html') : join(here, 'node_modules', normalize(path.slice(3)));
  if (path !== '/' && !path.startsWith('/m/')) { response.writeHead(404).end(); return; }
  try {
    const body = await readFile(file);
    response.writeHead(200, { 'content-type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' });
    response.end(body);
  } catch { response.writeHead(404).end(); }
});
await new Promise((resolve) => pages.listen(Number(process.env.PAGE_PORT ?? 0), '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${pages.address().port}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const seen = { bulk: [], console: [] };
const result = { origin, seen };
try {
  const page = await browser.newPage();
  page.on('console', (message) => seen.console.push(message.text()));
  page.on('response', (response) => {
    if (response.url().includes('/ofrep/v1/evaluate/flags') && response.request().method() === 'POST') {
      seen.bulk.push(response.status());
    }
  });
  await page.goto(`${origin}/?base=${encodeURIComponent(base)}&token=${encodeURIComponent(readToken)}`);
  await page.waitForFunction(() => window.ready || window.failed, null, { timeout: 20000 });
  result.ready = await page.evaluate(() => window.ready ?? null);
  result.failed = await page.evaluate(() => window.failed ?? null);
  if (result.ready) {
    const write = async (flag, body) => {
      const auth = { Authorization: `Bearer ${writeToken}` };
      const listing = await fetch(`${base}/flags`, { headers: auth });
      const response = await fetch(`${base}/flags/${flag}`, {
        method: 'POST', body: JSON.stringify(body),
        headers: { ...auth, 'Content-Type': 'application/json', 'If-Match': listing.headers.get('etag') },
      });
      return response.status;
    };
    // 2. same answers for this user (the rule returns the variant it already got): 304 on re-fetch
    const current = await (await fetch(`${base}/ofrep/v1/evaluate/flags/new-checkout`, {
      method: 'POST', headers: { Authorization: `Bearer ${readToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ context: { targetingKey: 'browser-user', email: 'qa@azora.dev' } }),
    })).json();
    result.sameAnswerWrite = await write('new-checkout', { targeting: { if: [true, current.variant] } });
    const deadline = Date.now() + 10000;
    while (!seen.bulk.includes(304) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // 3. a real change reaches the page as ConfigurationChanged
    result.toggleWrite = await write('beta-banner', { state: 'DISABLED' });
    await page.waitForFunction(() => window.changes.length > 0, null, { timeout: 10000 });
    result.changes = await page.evaluate(() => window.changes);
    result.errors = await page.evaluate(() => window.errors);
    result.banner = await page.textContent('#banner');
  }
} catch (error) {
  result.error = String(error);
} finally {
  await browser.close();
  pages.close();
}
process.stdout.write(JSON.stringify(result) + '\n');
