#!/usr/bin/env node
/**
 * `npm run arena -- --build`: builds every arena server the machine has a toolchain for, one
 * line per server (built, up to date, skipped and why, or failed with its log's tail).
 * `npm run arena -- --check`: builds as above, then starts each built server and runs the
 * conformance check; a server that fails is reported, never measured.
 * `--only a,b` limits both to some servers; `--timeout S` bounds each build (default 1200 s).
 * Exit 1 when a build or a check failed; a missing toolchain is a skip, not a failure.
 */
import { parseArgs } from 'node:util';
import { buildAll, formatOutcome } from './lib/build.mjs';
import { checkTarget } from './lib/check.mjs';
import { TARGETS } from './lib/servers.mjs';

const { values } = parseArgs({
  options: {
    build: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    only: { type: 'string' },
    timeout: { type: 'string', default: '1200' },
  },
});
const timeoutMs = Number(values.timeout) * 1000;
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((n) => !TARGETS.some((t) => t.name === n));
if ((!values.build && !values.check) || !(timeoutMs > 0) || unknown?.length) {
  if (unknown?.length) console.error(`arena: unknown server ${unknown.join(', ')} (known: ${TARGETS.map((t) => t.name).join(', ')})`);
  console.error('usage: npm run arena -- --build | --check [--only hyperlane,go,...] [--timeout SECONDS]');
  process.exit(2);
}

const targets = TARGETS.filter((t) => !only || only.includes(t.name));
const wanted = new Set(targets.map((t) => t.build));
const outcomes = await buildAll({ timeoutMs, retryFailed: true, only: wanted }, (o) => console.log(formatOutcome(o)));
let failed = outcomes.some((o) => o.status === 'failed');

if (values.check) {
  for (const target of targets) {
    const build = outcomes.find((o) => o.name === target.build);
    if (build?.status === 'skipped' || build?.status === 'failed') {
      console.log(`arena check: ${target.name.padEnd(12)} not checked: build ${build.status}`);
      continue;
    }
    const verdicts = await checkTarget(target);
    const ok = verdicts.every((v) => v.ok);
    failed ||= !ok;
    console.log(`arena check: ${target.name.padEnd(12)} ${ok ? 'PASS' : 'FAIL'}`);
    for (const v of verdicts) console.log(`    ${v.ok ? 'ok  ' : 'FAIL'} ${v.name.padEnd(9)} ${v.detail}`);
  }
}
process.exit(failed ? 1 : 0);
