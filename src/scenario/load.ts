/**
 * Finds and reads a scenario: a built-in name (`echo`, resolved in the package's scenarios/
 * folder) or a path to a JSON file. Returns parsed JSON; validation is validate.ts's job.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { ConfigError, UsageError } from '../errors.js';

/** The package's own scenarios folder. */
export const BUILTIN_SCENARIO_DIR = new URL('../../scenarios/', import.meta.url);

/** Names of the scenarios shipped in scenarios/. */
export function builtinScenarioNames(): string[] {
  return readdirSync(BUILTIN_SCENARIO_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** A scenario file's raw contents and where it came from. */
export interface LoadedScenario {
  source: string;
  raw: unknown;
}

/** Reads a scenario by built-in name or file path. */
export function loadScenario(nameOrPath: string): LoadedScenario {
  const isBuiltinName = /^[A-Za-z0-9_-]+$/.test(nameOrPath);
  let filePath: string;
  if (isBuiltinName && existsSync(new URL(`${nameOrPath}.json`, BUILTIN_SCENARIO_DIR))) {
    filePath = new URL(`${nameOrPath}.json`, BUILTIN_SCENARIO_DIR).pathname;
  } else if (existsSync(nameOrPath)) {
    filePath = nameOrPath;
  } else {
    throw new UsageError(
      `no scenario file or built-in scenario named '${nameOrPath}'`,
      `built-in scenarios: ${builtinScenarioNames().join(', ')}`,
    );
  }
  const text = readFileSync(filePath, 'utf8');
  const source = isBuiltinName && filePath !== nameOrPath ? `scenario '${nameOrPath}'` : nameOrPath;
  try {
    return { source, raw: JSON.parse(text) };
  } catch (err) {
    throw new ConfigError(source, [{ path: '', message: `is not valid JSON: ${(err as Error).message}` }]);
  }
}
