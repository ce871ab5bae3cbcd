/**
 * deploy/kubernetes validates offline: every manifest against the pinned schema of the
 * Kubernetes types it uses (a misspelt field or a wrong type fails here, not in a cluster),
 * and against each other: the Indexed Job's shard count, the names the pods mount, and the
 * scenario the ConfigMap carries.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validateScenario } from '../../dist/scenario/validate.js';
import { schemaProblems } from '../helpers/json-schema.js';

const DIR = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));
const schema = JSON.parse(readFileSync(join(DIR, 'schema/kubernetes-subset.schema.json'), 'utf8'));
// biome-ignore lint/suspicious/noExplicitAny: manifests are checked by the schema first, then read freely
type Manifest = Record<string, any>;

/** Every document of every manifest file, with the file it came from. */
function manifests(): Array<{ file: string; doc: Manifest }> {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((d) => {
        if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]!.message}`);
        return { file, doc: d.toJS() as Manifest };
      }),
    );
}

const all = manifests();
const byName = (kind: string, name: string) => all.find((m) => m.doc.kind === kind && m.doc.metadata?.name === name)?.doc;

describe('deploy/kubernetes', () => {
  it('has the four manifests', () => {
    expect(all.map((m) => `${m.doc.kind}/${m.doc.metadata.name}`).sort()).toEqual([
      'ConfigMap/rtbench-scenario',
      'Job/rtbench-merge',
      'Job/rtbench-shards',
      'PersistentVolumeClaim/rtbench-results',
    ]);
  });

  it.each(all.map((m) => [m.file, m.doc] as const))('%s matches the pinned Kubernetes schema', (_file, doc) => {
    expect(schemaProblems(doc, schema)).toEqual([]);
  });

  it('catches a misspelt field and a wrong type (the check has teeth)', () => {
    const job = structuredClone(byName('Job', 'rtbench-shards')!);
    job.spec.completionsMode = job.spec.completionMode;
    job.spec.template.spec.containers[0].env[0].value = 3;
    expect(schemaProblems(job, schema).sort()).toEqual([
      '$.spec.template.spec.containers[0].env[0].value: must be string, got 3',
      '$.spec: unknown field "completionsMode"',
    ]);
  });

  it('runs one shard per index of an Indexed Job, RTBENCH_SHARDS the same count', () => {
    const spec = byName('Job', 'rtbench-shards')!.spec;
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.parallelism).toBe(spec.completions);
    const container = spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: Manifest) => [e.name, e.value]));
    expect(Number(env.RTBENCH_SHARDS)).toBe(spec.parallelism);
    expect(Number.isNaN(Date.parse(env.START_AT))).toBe(false);
    expect(container.args.join(' ')).toMatch(/rtbench run \/scenario\/scenario\.json --shard-from-env --start-at "\$START_AT"/);
    expect(container.args.join(' ')).toMatch(/--out "\/results\/shard-\$JOB_COMPLETION_INDEX\.json"/);
  });

  it('mounts what exists: the ConfigMap, the results claim, the same folder for shards and merge', () => {
    for (const name of ['rtbench-shards', 'rtbench-merge']) {
      const pod = byName('Job', name)!.spec.template.spec;
      for (const v of pod.volumes) {
        if (v.configMap) expect(byName('ConfigMap', v.configMap.name), `${name}: ${v.name}`).toBeDefined();
        if (v.persistentVolumeClaim) expect(byName('PersistentVolumeClaim', v.persistentVolumeClaim.claimName)).toBeDefined();
      }
      const mounts = pod.containers.flatMap((c: Manifest) => c.volumeMounts);
      for (const m of mounts) expect(pod.volumes.map((v: Manifest) => v.name)).toContain(m.name);
      expect(mounts.find((m: Manifest) => m.name === 'results').mountPath).toBe('/results');
    }
    expect(byName('PersistentVolumeClaim', 'rtbench-results')!.spec.accessModes).toEqual(['ReadWriteMany']);
  });

  it('carries a scenario rtbench accepts, against a target the pods can reach', () => {
    const text = byName('ConfigMap', 'rtbench-scenario')!.data['scenario.json'];
    const scenario = validateScenario(JSON.parse(text), 'configmap.yaml scenario.json');
    expect(scenario.targetUrl).toMatch(/^wss?:\/\//);
  });
});
