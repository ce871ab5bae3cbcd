/** Loading and validating scenarios the way the CLI does, for the scenario unit tests. */
import { expect } from 'vitest';
import { ConfigError } from '../../dist/errors.js';
import { loadScenario } from '../../dist/scenario/load.js';
import { validateScenario } from '../../dist/scenario/validate.js';

/** The validation messages for `raw` (as file x.json), one per line, [] when valid; an error other than ConfigError fails the test. */
export function validationIssues(raw: unknown): string[] {
  try {
    validateScenario(raw, 'x.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message.split('\n');
  }
  return [];
}

/** The built-in scenario `name`, loaded and validated. */
export function validatedBuiltin(name: string): ReturnType<typeof validateScenario> {
  const { source, raw } = loadScenario(name);
  return validateScenario(raw, source);
}
