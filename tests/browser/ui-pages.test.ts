/**
 * The MLflow UI in a real browser against `mlflow-ts --no-python`: Debian's chromium driven by
 * playwright-core, on a database the real Python client filled (tests/helpers/ui_fixture.py: runs
 * with metrics, params, tags, a text file and an image, a registered model with versions and an
 * alias, a logged model and a trace). Each page must show what the client wrote, and no request
 * may fail but the ones listed below, which are MLflow's own answers for this setup or routes of
 * features that still need the Python server.
 *
 * The traces list and a trace (its spans from the database) are visited too. Screenshots of every
 * page visited are kept in tests/browser/screenshots/ (git-ignored).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, TEST_PYTHON, type RunningServer } from '../integration/server-harness.js';

const ROOT = resolve(import.meta.dirname, '../..');
const IN_CI = process.env.CI === 'true';
const SHOTS = join(ROOT, 'tests/browser/screenshots');

interface Fixture {
  experiment_id: string;
  runs: Record<'alpha-run' | 'beta-run', string>;
  model_name: string;
  logged_model_id: string;
  trace_id: string;
}

function findChromium(): string | undefined {
  const res = spawnSync('bash', [join(ROOT, 'scripts/ensure-chromium.sh')], { encoding: 'utf8' });
  const path = res.stdout.trim().split('\n').at(-1);
  return res.status === 0 && path && existsSync(path) ? path : undefined;
}

/**
 * Requests allowed to fail: MLflow's own 404 for users/current without an auth app, and presigned
 * downloads, which local storage does not offer (MLflow answers the same 501; the UI then reads
 * through get-artifact).
 */
const EXPECTED_FAILURES = [
  /^404 GET \/ajax-api\/2\.0\/mlflow\/users\/current$/,
  /^501 POST \/ajax-api\/2\.0\/mlflow\/artifacts\/presigned-download-url$/,
  /^501 GET \/model-versions\/get-artifact\?.*presigned=true/,
  // the fixture's versions point at runs:/<run>/model, where the client stored no files
  /^404 GET \/model-versions\/get-artifact\?/,
];

const chromiumPath = findChromium();
if (!chromiumPath && IN_CI)
  throw new Error('the browser test must run in CI, but chromium could not be installed');

describe.skipIf(!chromiumPath)('the MLflow UI in chromium, against mlflow-ts --no-python', () => {
  let dir: string;
  let fx: Fixture;
  let srv: RunningServer;
  let prefixed: RunningServer;
  let browser: Browser;
  let page: Page;
  let failures: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'mlflow-ts-ui-'));
    mkdirSync(join(dir, 'artifacts'));
    const out = execFileSync(
      TEST_PYTHON,
      [join(ROOT, 'tests/helpers/ui_fixture.py'), join(dir, 'mlflow.db'), join(dir, 'artifacts')],
      { encoding: 'utf8', env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true' }, timeout: 120_000 },
    );
    fx = JSON.parse(out.trim().split('\n').at(-1)!) as Fixture;
    srv = await startServer(['--no-python', '--backend-store-uri', `sqlite:///${join(dir, 'mlflow.db')}`]);
    prefixed = await startServer([
      '--no-python',
      '--backend-store-uri',
      `sqlite:///${join(dir, 'mlflow.db')}`,
      '--static-prefix',
      '/mlflow',
    ]);
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    page = await browser.newPage();
    page.on('response', (r) => {
      if (r.status() < 400) return;
      const url = new URL(r.url());
      failures.push(`${r.status()} ${r.request().method()} ${url.pathname}${url.search}`);
    });
    page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    await prefixed?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Opens a page of the UI (hash routing), waits until every text is shown, and keeps a
   * screenshot of it (tests/browser/screenshots/, git-ignored).
   */
  async function visit(hash: string, texts: string[], base = `${srv.base}/`): Promise<void> {
    failures = [];
    await page.goto(`${base}#${hash}`);
    for (const t of texts) {
      await page.getByText(t).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
    }
    const name = `${base === `${srv.base}/` ? '' : 'prefixed-'}${hash}`
      .replace(/[^A-Za-z0-9]+/g, '-')
      .slice(0, 120);
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  }

  function unexpectedFailures(): string[] {
    return failures
      .map((f) => f.replace(' /mlflow/', ' /'))
      .filter((f) => !EXPECTED_FAILURES.some((re) => re.test(f)));
  }

  it('lists the experiments', async () => {
    await visit('/experiments', ['ui-demo']);
    expect(await page.innerText('body')).toContain('vision');
    expect(unexpectedFailures()).toEqual([]);
  });

  it("shows an experiment's runs table and its chart view", async () => {
    await visit(`/experiments/${fx.experiment_id}/runs`, ['alpha-run', 'beta-run']);
    expect(unexpectedFailures()).toEqual([]);
    await visit(`/experiments/${fx.experiment_id}/runs?compareRunsMode=CHART`, ['train_loss']);
    expect(unexpectedFailures()).toEqual([]);
  });

  it("shows a run's overview and metrics charts", async () => {
    const run = `/experiments/${fx.experiment_id}/runs/${fx.runs['alpha-run']}`;
    await visit(run, ['alpha-run', 'learning_rate', 'train_loss']);
    const body = await page.innerText('body');
    expect(body).toContain('0.1');
    expect(body).toContain('stage');
    expect(unexpectedFailures()).toEqual([]);
    await visit(`${run}/model-metrics`, ['train_loss', 'accuracy']);
    expect(unexpectedFailures()).toEqual([]);
  });

  it("previews a run's text file and image in the artifacts tab", async () => {
    await visit(`/experiments/${fx.experiment_id}/runs/${fx.runs['alpha-run']}/artifacts`, [
      'notes',
      'images',
    ]);
    await page.getByText('notes', { exact: true }).click();
    await page.getByText('readme.txt', { exact: true }).click();
    await page.getByText('hello from the ui test').waitFor({ timeout: 30_000 });
    await page.getByText('images', { exact: true }).click();
    await page.getByText('alpha-run.png', { exact: true }).click();
    // The UI fetches the image through get-artifact and shows it from a blob: 8x8 pixels.
    // (A string: the page's code runs in the browser, whose DOM types this project does not load.)
    await page.waitForFunction(
      "Array.from(document.querySelectorAll('img')).some((i) => i.src.startsWith('blob:') && i.naturalWidth === 8)",
      undefined,
      { timeout: 30_000 },
    );
    expect(unexpectedFailures()).toEqual([]);
  });

  it('shows the model registry: the list, a model and a version', async () => {
    await visit('/models', [fx.model_name, 'champion']);
    expect(unexpectedFailures()).toEqual([]);
    await visit(`/models/${fx.model_name}`, ['registered by the ui test', 'Version 2']);
    expect(unexpectedFailures()).toEqual([]);
    await visit(`/models/${fx.model_name}/versions/1`, ['Version 1', 'alpha-run']);
    expect(unexpectedFailures()).toEqual([]);
  });

  it("lists an experiment's logged models and shows one", async () => {
    await visit(`/experiments/${fx.experiment_id}/models`, ['ui-logged-model']);
    expect(unexpectedFailures()).toEqual([]);
    await visit(`/experiments/${fx.experiment_id}/models/${fx.logged_model_id}`, ['ui-logged-model']);
    const body = await page.innerText('body');
    expect(body).toContain(fx.logged_model_id);
    expect(unexpectedFailures()).toEqual([]);
  });

  it("lists an experiment's traces and shows one with its spans", async () => {
    await visit(`/experiments/${fx.experiment_id}/traces`, ['{"x": 21}', '1 of 1 trace']);
    expect(await page.innerText('body')).toContain('42');
    expect(unexpectedFailures()).toEqual([]);
    await visit(`/experiments/${fx.experiment_id}/traces?selectedEvaluationId=${fx.trace_id}`, [
      'ui_traced_call',
      'Inputs',
      'Outputs',
    ]);
    const body = await page.innerText('body');
    expect(body).toContain('21');
    expect(body).toContain('42');
    expect(unexpectedFailures()).toEqual([]);
  });

  it('works under --static-prefix, loaded at <prefix>/ (every URL the UI requests is relative)', async () => {
    const base = `${prefixed.base}/mlflow/`;
    await visit(`/experiments/${fx.experiment_id}/runs`, ['alpha-run', 'beta-run'], base);
    expect(unexpectedFailures()).toEqual([]);
    const run = `/experiments/${fx.experiment_id}/runs/${fx.runs['beta-run']}`;
    await visit(run, ['beta-run', 'learning_rate'], base);
    expect(await page.innerText('body')).toContain('0.01');
    await visit(`${run}/artifacts`, ['notes'], base);
    await page.getByText('notes', { exact: true }).click();
    await page.getByText('readme.txt', { exact: true }).click();
    await page.getByText('hello from the ui test').waitFor({ timeout: 30_000 });
    expect(unexpectedFailures()).toEqual([]);
  });
});
