/**
 * The arena's servers: how each is built (with its own toolchain) and how each is started
 * (`--port P`, one ready line `listening on 127.0.0.1:P`). Builds are what the machine compiles;
 * targets are what gets measured (the Node build serves two targets: one process and a cluster).
 */
import { fileURLToPath } from 'node:url';

/** Absolute path of the arena folder. */
export const ARENA_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * @typedef {object} BuildSpec
 * @property {string} name  folder under arena/
 * @property {string[][]} toolchain  commands that must succeed for the build to be attempted
 * @property {string} needs  what to install when the toolchain is missing (for the skip line)
 * @property {string[][]} steps  build commands, run in the folder one after another
 * @property {string[]} inputs  files and folders whose content decides whether to rebuild
 * @property {string | undefined} artifact  a file the build leaves (none: nothing to build)
 * @property {Record<string, string>} [env]
 */

/** @type {BuildSpec[]} */
export const BUILDS = [
  {
    name: 'hyperlane',
    toolchain: [['cargo', '--version']],
    needs: 'Rust (cargo)',
    steps: [['cargo', 'build', '--release', '--locked']],
    inputs: ['Cargo.toml', 'Cargo.lock', 'src'],
    artifact: 'target/release/arena-hyperlane',
  },
  {
    name: 'go',
    // go.mod says go 1.22: an older Go would try to download a newer toolchain.
    toolchain: [
      ['go', 'version'],
      ['sh', '-c', 'go list -f "{{context.ReleaseTags}}" runtime | grep -q go1.22'],
    ],
    needs: 'Go 1.22 or newer',
    steps: [['go', 'build', '-trimpath', '-o', 'arena-go', '.']],
    inputs: ['go.mod', 'go.sum', 'main.go', 'echo.go', 'hub.go', 'sse.go', 'stamp.go'],
    artifact: 'arena-go',
    env: { GOFLAGS: '-mod=readonly', GOTOOLCHAIN: 'local' },
  },
  {
    name: 'node',
    toolchain: [['node', '-e', "import('ws')"]],
    needs: "the repo's npm dependencies (npm ci)",
    steps: [],
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
    steps: [['mvn', '-q', '-B', 'package', '-DskipTests']],
    inputs: ['pom.xml', 'src'],
    artifact: 'target/arena-spring.jar',
  },
  {
    name: 'python',
    toolchain: [['python3', '-c', 'import sys, venv; sys.exit(sys.version_info < (3, 10))']],
    needs: 'Python 3.10 or newer with venv',
    steps: [
      ['python3', '-m', 'venv', '.venv'],
      ['.venv/bin/pip', 'install', '-q', '--disable-pip-version-check', '-r', 'requirements.txt'],
    ],
    inputs: ['requirements.txt'],
    artifact: '.venv/bin/python',
  },
];

/**
 * @typedef {object} Target
 * @property {string} name
 * @property {string} build  the BuildSpec it needs
 * @property {(port: number) => string} command  shell command that serves on 127.0.0.1:port
 */

const dir = (name) => `${ARENA_DIR}${name}`;
/** Quotes a path for the shell only when it needs it, so commands read plainly in reports. */
const q = (path) => (/^[\w./+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`);

/** @type {Target[]} */
export const TARGETS = [
  { name: 'hyperlane', build: 'hyperlane', command: (port) => `${q(`${dir('hyperlane')}/target/release/arena-hyperlane`)} --port ${port}` },
  { name: 'go', build: 'go', command: (port) => `${q(`${dir('go')}/arena-go`)} --port ${port}` },
  { name: 'node', build: 'node', command: (port) => `node ${q(`${dir('node')}/server.mjs`)} --port ${port}` },
  { name: 'node-cluster', build: 'node', command: (port) => `node ${q(`${dir('node')}/server.mjs`)} --port ${port} --cluster 2` },
  { name: 'spring', build: 'spring', command: (port) => `java -jar ${q(`${dir('spring')}/target/arena-spring.jar`)} --port ${port}` },
  {
    name: 'python',
    build: 'python',
    command: (port) => `${q(`${dir('python')}/.venv/bin/python`)} ${q(`${dir('python')}/server.py`)} --port ${port}`,
  },
];
