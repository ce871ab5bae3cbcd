// Loop condition of echo-closed.yml: each virtual user keeps sending until ARTILLERY_RUN_MS
// after the first reply any of them received, so the run ends by itself however long
// Artillery takes to start. bench/peers.js measures a window inside that time.
'use strict';

const runMs = Number(process.env.ARTILLERY_RUN_MS || 10000);
let deadlineMs;

function untilDeadline(_context, next) {
  deadlineMs ??= Date.now() + runMs;
  return next(Date.now() < deadlineMs);
}

module.exports = { untilDeadline };
