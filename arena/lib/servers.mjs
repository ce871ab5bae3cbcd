/**
 * The arena's servers: how each is built (with its own toolchain) and how each is started
 * (`--port P`, one ready line `listening on 127.0.0.1:P`). Builds are what the machine compiles;
 * targets are what gets measured (the Node build serves two targets: one process and a cluster).
 *
 * Build outputs live outside the clone, in `$RTBENCH_ARENA_CACHE` or
 * `${XDG_CACHE_HOME:-$HOME/.cache}/rtbench-arena/<server>/<input-hash>/`, so a fresh clone on a
 * machine that built the same sources with the same toolchain before (a CI runner) finds them
 * there, and a machine without the cache builds from scratch. The hash covers the sources, the
 * lock files and the toolchain's version output (arena/lib/build.mjs).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the arena folder. */
export const ARENA_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Where builds are kept, outside the clone. */
export function cacheRoot() {
  if (process.env.RTBENCH_ARENA_CACHE) return process.env.RTBENCH_ARENA_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache');
  return join(base, 'rtbench-arena');
}

/**
 * @typedef {object} BuildSpec
 * @property {string} name  folder under arena/
 * @property {string[][]} toolchain  commands that must succeed for the build to be attempted
 * @property {string} needs  what to install when the toolchain is missing (for the skip line)
 * @property {(out: string, shared: string) => string[][]} steps  build commands, run in the folder one after
 *   another: `out` is the folder the build's outputs go to, `shared` a folder kept across input
 *   hashes for the toolchain's own incremental state (cargo's target directory)
 * @property {string[]} inputs  files and folders whose content decides whether to rebuild
 * @property {string | undefined} artifact  the file the build leaves in `out` (none: nothing to build)
 * @property {(out: string, shared: string) => Record<string, string>} [env]
 */

/** @type {BuildSpec[]} */
export const BUILDS = [
  {
    name: 'hyperlane',
    toolchain: [['cargo', '--version']],
    needs: 'Rust (cargo)',
    // cargo's target directory is shared between input hashes: a source change recompiles the
    // crate, not its ~100 dependencies (a cold build is ~8 min on 2 cores).
    steps: (out, shared) => [
      ['cargo', 'build', '--release', '--locked'],
      ['cp', join(shared, 'cargo-target', 'release', 'arena-hyperlane'), join(out, 'arena-hyperlane')],
    ],
    env: (_out, shared) => ({ CARGO_TARGET_DIR: join(shared, 'cargo-target') }),
    inputs: ['Cargo.toml', 'Cargo.lock', 'src'],
    artifact: 'arena-hyperlane',
  },
  {
    name: 'go',
    // go.mod says go 1.22: an older Go would try to download a newer toolchain.
    toolchain: [
      ['go', 'version'],
      ['sh', '-c', 'go list -f "{{context.ReleaseTags}}" runtime | grep -q go1.22'],
    ],
    needs: 'Go 1.22 or newer',
    steps: (out) => [['go', 'build', '-trimpath', '-o', join(out, 'arena-go'), '.']],
    inputs: ['go.mod', 'go.sum', 'main.go', 'echo.go', 'hub.go', 'sse.go', 'stamp.go'],
    artifact: 'arena-go',
    env: () => ({ GOFLAGS: '-mod=readonly', GOTOOLCHAIN: 'local' }),
  },
  {
    name: 'node',
    toolchain: [['node', '-e', "import('ws')"]],
    needs: "the repo's npm dependencies (npm ci)",
    steps: () => [],
    inputs: [],
    artifact: undefined,
  },
  {
    name: 'spring',
    toolchain: [
      ['mvn', '-v'],
      ['sh', '-c', 'java -version 2>&1 | grep -Eq "version \\"(1[7-9]|[2-9][0-9])"'],
    ],
    needs: 'Maven and Java 17 or newer',
    // Maven's dependencies are in ~/.m2; its target/ in the clone is scratch, the jar is kept.
    steps: (out) => [
      ['mvn', '-q', '-B', 'package', '-DskipTests'],
      ['cp', 'target/arena-spring.jar', join(out, 'arena-spring.jar')],
    ],
    inputs: ['pom.xml', 'src'],
    artifact: 'arena-spring.jar',
  },
  {
    name: 'python',
    toolchain: [['python3', '-c', 'import sys, venv; sys.exit(sys.version_info < (3, 10))']],
    needs: 'Python 3.10 or newer with venv',
    // A venv's python finds its packages from its own location, so the finished folder can be renamed into place.
    steps: (out) => [
      ['python3', '-m', 'venv', join(out, 'venv')],
      [join(out, 'venv', 'bin', 'pip'), 'install', '-q', '--disable-pip-version-check', '-r', 'requirements.txt'],
    ],
    inputs: ['requirements.txt'],
    artifact: 'venv/bin/python',
  },
];

const hashes = new Map();

/** Hash of a build's inputs and its toolchain's version output (once per process): a change of either rebuilds. */
export function inputsHash(spec) {
  const known = hashes.get(spec.name);
  if (known) return known;
  const hash = createHash('sha256');
  const dir = join(ARENA_DIR, spec.name);
  const add = (path) => {
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path).sort()) add(join(path, entry));
    else hash.update(path.slice(dir.length)).update(readFileSync(path));
  };
  for (const input of spec.inputs) add(join(dir, input));
  for (const argv of spec.toolchain) {
    const r = spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    hash.update(`${r.stdout}${r.stderr}`);
  }
  const digest = hash.digest('hex').slice(0, 16);
  hashes.set(spec.name, digest);
  return digest;
}

/** The folder of a build's outputs for its current inputs. */
export const buildDir = (spec) => join(cacheRoot(), spec.name, inputsHash(spec));

/** Where the build of `name` leaves its artifact (it may not be built yet). */
export function artifactPath(name) {
  const spec = BUILDS.find((b) => b.name === name);
  if (!spec?.artifact) throw new Error(`arena: ${name} has no build artifact`);
  return join(buildDir(spec), spec.artifact);
}

/**
 * @typedef {object} Target
 * @property {string} name
 * @property {string} build  the BuildSpec it needs
 * @property {(port: number | string) => string} command  shell command that serves on 127.0.0.1:port
 */

const dir = (name) => `${ARENA_DIR}${name}`;
/** Quotes a path for the shell only when it needs it, so commands read plainly in reports. */
const q = (path) => (/^[\w./+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`);

/** @type {Target[]} */
export const TARGETS = [
  { name: 'hyperlane', build: 'hyperlane', command: (port) => `${q(artifactPath('hyperlane'))} --port ${port}` },
  { name: 'go', build: 'go', command: (port) => `${q(artifactPath('go'))} --port ${port}` },
  { name: 'node', build: 'node', command: (port) => `node ${q(`${dir('node')}/server.mjs`)} --port ${port}` },
  { name: 'node-cluster', build: 'node', command: (port) => `node ${q(`${dir('node')}/server.mjs`)} --port ${port} --cluster 2` },
  { name: 'spring', build: 'spring', command: (port) => `java -jar ${q(artifactPath('spring'))} --port ${port}` },
  {
    name: 'python',
    build: 'python',
    command: (port) => `${q(artifactPath('python'))} ${q(`${dir('python')}/server.py`)} --port ${port}`,
  },
];
