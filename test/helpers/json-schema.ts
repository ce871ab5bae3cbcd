/**
 * A JSON Schema checker for the draft-07 keywords the pinned Kubernetes schema uses
 * (deploy/kubernetes/schema): $ref to #/definitions, oneOf, const, enum, type, properties,
 * required, additionalProperties, items, minItems, minimum, minLength, maxLength, pattern.
 * A keyword it does not know fails loudly, so the schema cannot quietly outgrow it.
 */
type Schema = Record<string, unknown>;

const KNOWN = new Set([
  '$schema',
  '$comment',
  'definitions',
  '$ref',
  'oneOf',
  'const',
  'enum',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'minimum',
  'minLength',
  'maxLength',
  'pattern',
]);

/** Every problem of `value` against `schema`, as `path: message`; [] when it conforms. */
export function schemaProblems(value: unknown, schema: Schema, root: Schema = schema, path = '$'): string[] {
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) throw new Error(`json-schema.ts does not know the keyword "${k}" (${path})`);
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace(/^#\/definitions\//, '');
    const target = (root.definitions as Record<string, Schema>)[name];
    if (!target) throw new Error(`unknown $ref ${schema.$ref}`);
    return schemaProblems(value, target, root, path);
  }
  if (Array.isArray(schema.oneOf)) {
    const results = (schema.oneOf as Schema[]).map((s) => schemaProblems(value, s, root, path));
    const passing = results.filter((r) => r.length === 0).length;
    if (passing === 1) return [];
    if (passing > 1) return [`${path}: matches ${passing} of oneOf`];
    return results.reduce((a, b) => (b.length < a.length ? b : a));
  }
  if ('const' in schema && value !== schema.const)
    return [`${path}: must be ${JSON.stringify(schema.const)}, got ${JSON.stringify(value)}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    return [`${path}: must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(value)}`];
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => isType(value, t))) return [`${path}: must be ${types.join(' or ')}, got ${JSON.stringify(value)}`];
  }
  const problems: string[] = [];
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) problems.push(`${path}: shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) problems.push(`${path}: longer than ${schema.maxLength}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value))
      problems.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  }
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum)
    problems.push(`${path}: below the minimum ${schema.minimum}`);
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      problems.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.items)
      for (const [i, v] of value.entries()) problems.push(...schemaProblems(v, schema.items as Schema, root, `${path}[${i}]`));
  }
  if (isType(value, 'object')) {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in obj)) problems.push(`${path}: lacks required "${r}"`);
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) problems.push(...schemaProblems(v, props[k]!, root, `${path}.${k}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: unknown field "${k}"`);
      else if (isType(schema.additionalProperties, 'object'))
        problems.push(...schemaProblems(v, schema.additionalProperties as Schema, root, `${path}.${k}`));
    }
  }
  return problems;
}

function isType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return typeof value === type;
  }
}
