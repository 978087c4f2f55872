// UI load (U1): the time from navigation until an experiment's runs table shows its newest run,
// in Debian's chromium driven by playwright-core, each load in a fresh browser context (nothing
// cached): the UI's files, its API calls and the rendering, as a user opening the page sees it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export interface UiLoad {
  samplesMs: number[];
  failures: string[];
}

export function findChromium(root: string): string | undefined {
  const res = spawnSync('bash', [join(root, 'scripts/ensure-chromium.sh')], { encoding: 'utf8' });
  const path = res.stdout.trim().split('\n').at(-1);
  return res.status === 0 && path && existsSync(path) ? path : undefined;
}

/** `loads` timed loads of `base/#hash` (after one untimed), each until `text` is visible. */
export async function measureUiLoad(
  chromiumPath: string,
  base: string,
  hash: string,
  text: string,
  loads: number,
): Promise<UiLoad> {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  const out: UiLoad = { samplesMs: [], failures: [] };
  try {
    for (let i = 0; i <= loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      page.on('response', (r) => {
        if (r.status() >= 500) out.failures.push(`${r.status()} ${new URL(r.url()).pathname}`);
      });
      const t0 = performance.now();
      await page.goto(`${base}/#${hash}`);
      await page.getByText(text, { exact: true }).first().waitFor({ state: 'visible', timeout: 120_000 });
      const ms = performance.now() - t0;
      if (i > 0) out.samplesMs.push(ms);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return out;
}
