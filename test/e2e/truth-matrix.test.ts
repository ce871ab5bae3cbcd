/**
 * The truth matrix (issue #12): against servers with a known delay D, rtbench must report D
 * (plus the round trip's own floor), never more, in every load model. Echo cells run against
 * the reference server and against an independent server with no rtbench code
 * (test/fixtures/truth-server.mjs); SSE push and fan-out latency against the independent one.
 * The matrix and its pass rule live in bench/lib/truth.js, which `npm run bench -- --only truth`
 * runs with windows five times longer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll } from '../../bench/lib/children.js';
import { cellName, PUSH_DELAYS_MS, runEchoMatrix, runPushMatrix, truthCells } from '../../bench/lib/truth.js';

interface Row {
  summary: { p50Us: number; minUs: number; count: number; sent: number; lost: number; waited: number };
  floorUs: number;
  verdict: { ok: boolean; expectedUs: number; toleranceUs: number; reasons: string[] };
}

afterAll(() => killAll());

/** The verdict's reasons on failure, with the figures, so a red cell says what it measured. */
function expectTrue(row: Row | undefined): void {
  expect(row, 'cell did not run').toBeDefined();
  expect(row!.verdict.reasons, JSON.stringify(row!.summary)).toEqual([]);
  expect(row!.summary.count).toBeGreaterThan(0);
}

for (const kind of ['reference', 'independent'] as const) {
  describe(`echo latency truth against the ${kind} server`, () => {
    let rows: Array<Row & { cell: ReturnType<typeof truthCells>[number] }> = [];
    beforeAll(async () => {
      rows = await runEchoMatrix(kind);
    }, 120_000);

    for (const cell of truthCells()) {
      it(cellName(cell), () => {
        const row = rows.find((r) => cellName(r.cell) === cellName(cell));
        expectTrue(row);
        // The default open model never holds a send back for a reply.
        if (cell.model === 'open') expect(row!.summary.waited).toBe(0);
      });
    }
  });
}

describe('one-way latency truth (SSE push, fan-out) against the independent server', () => {
  let rows: Array<Row & { name: string; delayMs: number }> = [];
  beforeAll(async () => {
    rows = await runPushMatrix();
  }, 120_000);

  for (const delayMs of PUSH_DELAYS_MS) {
    it(`publish-to-write delay ${delayMs} ms is recovered by SSE push_latency and both fan-out paths`, () => {
      const these = rows.filter((r) => r.delayMs === delayMs);
      expect(these).toHaveLength(3);
      for (const row of these) expectTrue(row);
    });
  }
});
