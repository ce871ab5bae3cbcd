/**
 * The HTML report rendered in headless Chromium: no console errors, exceptions or CSP
 * violations (it loads nothing), every chart drawn, the legend hides and shows an entry's
 * lines. Screenshots go to reports/ (git-ignored) for a person to look at.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareEntries } from '../../dist/compare/compare.js';
import { renderComparisonHtml } from '../../dist/report/html.js';
import { openPage } from '../helpers/chromium.js';
import { evenly, makeResult, tempDir, timeseriesOf, writeJson } from '../helpers/results.js';

const BIN = fileURLToPath(new URL('../../bin/rtbench.js', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../reports/', import.meta.url));
const dir = tempDir('rtbench-html-');

const latency = [...evenly(9000, 300, 2000), ...evenly(900, 2000, 20_000), ...evenly(99, 20_000, 120_000), 250_000];
const single = makeResult({
  latencyUs: latency,
  uncorrectedUs: latency.map((v) => Math.max(1, Math.round(v * 0.6))),
  timeseries: timeseriesOf(11, 1000, (t) => 1800 + 300 * Math.sin(t)),
});

async function check(file: string, shot: string) {
  const page = await openPage(pathToFileURL(file).href);
  try {
    const figures = await page.evaluate<number>('document.querySelectorAll("figure svg.chart path.line").length');
    const title = await page.evaluate<string>('document.title');
    // Click the first legend entry of the first figure: its lines hide, the other entries' stay.
    const toggled = await page.evaluate<{ hidden: number; shown: number; pressed: string }>(`(() => {
      const figure = document.querySelector('figure');
      const button = figure.querySelector('.legend button');
      button.click();
      const lines = [...figure.querySelectorAll('g[data-series]')];
      return {
        hidden: lines.filter((g) => g.style.display === 'none').length,
        shown: lines.filter((g) => g.style.display !== 'none').length,
        pressed: button.getAttribute('aria-pressed'),
      };
    })()`);
    await page.evaluate('document.querySelector("figure .legend button").click()');
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(join(SHOTS, shot), await page.screenshot());
    return { errors: [...page.errors], figures, title, toggled };
  } finally {
    await page.close();
  }
}

describe('html report in headless Chromium', () => {
  it('renders one run (through `rtbench report`) with no console errors', async () => {
    const input = writeJson(dir, 'single.json', single);
    const out = join(dir, 'single.html');
    const run = spawnSync(process.execPath, [BIN, 'report', input, '--format', 'html', '--out', out], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(`rtbench: report written to ${out}\n`);
    expect(readFileSync(out, 'utf8')).toContain('<svg');

    const r = await check(out, 'report-html-single.png');
    expect(r.errors).toEqual([]);
    expect(r.title).toBe('rtbench · echo');
    // latency (+ dashed uncorrected), connect_time, latency over time (p99 + p50), throughput.
    expect(r.figures).toBe(6);
    expect(r.toggled).toEqual({ hidden: 2, shown: 0, pressed: 'false' });
  });

  it('renders a comparison with several runs overlaid and no console errors', async () => {
    const entry = (label: string, fromUs: number, toUs: number) => ({
      label,
      runs: [0, 1, 2].map((i) =>
        makeResult({
          label,
          latencyUs: evenly(5000, fromUs + 50 * i, toUs + 200 * i),
          timeseries: timeseriesOf(11, 1000 - 20 * i, (t) => toUs * 0.9 + 30 * t),
        }),
      ),
    });
    const c = compareEntries([entry('node', 400, 3000), entry('go', 300, 2000), entry('rust', 200, 1500)], {
      rankBy: { kind: 'histogram', metric: 'latency', stat: 'p99' },
      maxErrorRatePercent: 1,
    });
    const out = join(dir, 'compare.html');
    writeFileSync(out, renderComparisonHtml(c));

    const r = await check(out, 'report-html-compare.png');
    expect(r.errors).toEqual([]);
    expect(r.title).toBe('rtbench compare · echo');
    // 3 spectra (latency, connect_time) + 3 × 3 rounds × (p99 + p50) + 3 × 3 throughput lines.
    expect(r.figures).toBe(3 + 3 + 18 + 9);
    expect(r.toggled).toEqual({ hidden: 1, shown: 2, pressed: 'false' });
  });

  it('would see errors: the harness catches a console error, an exception and a blocked load', async () => {
    const out = join(dir, 'broken.html');
    writeFileSync(
      out,
      `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'">` +
        `<img src="http://127.0.0.1:9/x.png"><script>console.error('boom'); setTimeout(() => { throw new Error('late'); });</script>`,
    );
    const page = await openPage(pathToFileURL(out).href);
    try {
      await page.evaluate('new Promise((r) => setTimeout(r, 200))');
      expect(page.errors.join('\n')).toMatch(/console\.error: boom/);
      expect(page.errors.join('\n')).toMatch(/exception: Error: late/);
      expect(page.errors.join('\n')).toMatch(/Content Security Policy/);
    } finally {
      await page.close();
    }
  });
});
