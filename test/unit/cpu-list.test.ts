import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCpuList } from '../../dist/launch/cpu-pinning.js';

/** The CPUs this process may use, as /proc says (the validator checks against the same). */
const allowed = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]!;
const first = Number(allowed.split(/[,-]/)[0]);

describe('parseCpuList', () => {
  it('takes taskset lists of allowed CPUs, spaces dropped', () => {
    expect(parseCpuList('server-cpus', ` ${first} `, 2)).toBe(String(first));
    expect(parseCpuList('server-cpus', allowed, 2)).toBe(allowed);
  });

  it('refuses what taskset would not read, naming the flag', () => {
    for (const bad of ['', 'a', '1-', '-1', '1,,2', '0.5']) {
      expect(() => parseCpuList('client-cpus', bad, 2)).toThrow(
        `--client-cpus must be a CPU list such as 0, 0-1 or 0,2 (got ${JSON.stringify(bad)})`,
      );
    }
  });

  it('refuses a CPU this process may not use', () => {
    expect(() => parseCpuList('server-cpus', '4095', 2)).toThrow(
      `--server-cpus names CPU 4095, but rtbench may run on CPUs ${allowed} only`,
    );
  });
});
