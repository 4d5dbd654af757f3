// Times the dashboard in headless Chromium (Debian's) against a running `azconf serve` that needs no
// token (loopback). Usage: node dashboard-bench.mjs BASE_URL RUNS ENV
// Prints one JSON object: per run, navigation start -> first list on screen (the page's own
// performance mark), toggle click -> plan shown, and Apply click -> the row showing the new state.
import { chromium } from 'playwright-core';

const [base, runsText, env] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const result = { firstLoad: [], plan: [], apply: [], flags: 0 };

async function waitFor(page, test, arg) {
  await page.waitForFunction(test, arg, { timeout: 60000, polling: 'raf' });
}

try {
  for (let run = 0; run < Number(runsText); run += 1) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await waitFor(page, () => performance.getEntriesByName('azconf:flags-shown').length > 0);
    result.firstLoad.push(await page.evaluate(() => performance.getEntriesByName('azconf:flags-shown')[0].startTime));
    result.flags = await page.evaluate(() => document.getElementById('count').textContent);
    const button = page.locator(`tbody tr td[data-env="${env}"] button.toggle`).first();
    const flag = await button.evaluate((b) => b.closest('tr').dataset.flag);
    const before = await page.locator(`tr[data-flag="${flag}"] td[data-env="${env}"]`).innerText();
    const started = await page.evaluate(() => performance.now());
    await button.click();
    await waitFor(page, () => document.querySelector('dialog#plan[open] pre'));
    result.plan.push(await page.evaluate((t) => performance.now() - t, started));
    result.apply.push(await page.evaluate(async ([name, where, old]) => {
      const start = performance.now();
      document.getElementById('plan-apply').click();
      await new Promise((resolve) => {
        const check = () => {
          const cell = document.querySelector(`tr[data-flag="${name}"] td[data-env="${where}"]`);
          if (cell && cell.innerText !== old) resolve(); else requestAnimationFrame(check);
        };
        check();
      });
      return performance.now() - start;
    }, [flag, env, before]));
    await context.close();
  }
} catch (error) {
  result.error = String(error && error.stack || error);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
