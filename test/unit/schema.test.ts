/**
 * The JSON Schema editors use must describe exactly the fields the validator accepts, and the
 * built-in scenarios must point at it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as v from '../../dist/scenario/validate.js';
import { builtinScenarioNames, loadScenario } from '../../dist/scenario/load.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/scenario.schema.json', import.meta.url), 'utf8'));
const keys = (o: { properties: Record<string, unknown> }) => Object.keys(o.properties).sort();

describe('scenario JSON Schema', () => {
  it('lists the same fields as the validator, object by object', () => {
    expect(keys(schema)).toEqual([...v.TOP_KEYS].sort());
    expect(keys(schema.properties.groups.items)).toEqual([...v.GROUP_KEYS].sort());
    expect(keys(schema.properties.target.oneOf[1])).toEqual([...v.TARGET_KEYS].sort());
    expect(keys(schema.$defs.message)).toEqual([...v.MESSAGE_KEYS].sort());
    expect(keys(schema.$defs.replies)).toEqual([...v.REPLIES_KEYS].sort());
    expect(keys(schema.$defs.phase)).toEqual([...v.PHASE_KEYS].sort());
    expect(keys(schema.$defs.load)).toEqual([...v.LOAD_KEYS].sort());
    expect(keys(schema.properties.timeouts)).toEqual([...v.TIMEOUT_KEYS].sort());
  });

  it('is referenced by every built-in scenario', () => {
    for (const name of builtinScenarioNames()) {
      expect((loadScenario(name).raw as Record<string, unknown>).$schema, name).toBe('../schema/scenario.schema.json');
    }
  });
});
