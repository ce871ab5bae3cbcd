/**
 * The two closed-loop echo clients every echo benchmark runs: rtbench (`run echo-closed`
 * against an explicit target, its result document on stdout) and the bare `ws` client.
 */
import { join } from 'node:path';
import { startTool } from './tool.js';

/** Extra time allowed past a run's own length before the tool is killed. */
const KILL_AFTER_MS = 60_000;

/**
 * Starts `rtbench run echo-closed` (`inFlight` per connection), or `rtbench run echo` open loop
 * when `ratePerConnection` is given: `runMs` of steady load after the connect ramp, the first
 * `warmupMs` of it excluded from rtbench's own histograms.
 * @param {{ connections: number, inFlight?: number, ratePerConnection?: number, sizeBytes: number, warmupMs: number }} load
 */
export function startRtbenchEcho(ctx, url, load, runMs, tag) {
  const model =
    load.ratePerConnection === undefined
      ? ['echo-closed', '--in-flight', String(load.inFlight)]
      : ['echo', '--rate', String(load.ratePerConnection)];
  return startTool(
    [
      'bin/rtbench.js',
      'run',
      model[0],
      '-t',
      url,
      '-c',
      String(load.connections),
      ...model.slice(1),
      '--size',
      String(load.sizeBytes),
      '-d',
      `${runMs}ms`,
      '--warmup',
      `${load.warmupMs}ms`,
      '--json',
      '-q',
      '-o',
      join(ctx.tmpDir, `${tag}.json`),
    ],
    { timeoutMs: runMs + KILL_AFTER_MS },
  );
}

/** Starts bench/bare-echo-client.js with the same load and timing as {@link startRtbenchEcho}. */
export function startBareEcho(url, load, runMs) {
  return startTool(
    [
      'bench/bare-echo-client.js',
      url,
      String(load.connections),
      String(load.inFlight),
      String((runMs - load.warmupMs) / 1000),
      String(load.sizeBytes),
      String(load.warmupMs / 1000),
    ],
    { timeoutMs: runMs + KILL_AFTER_MS },
  );
}
