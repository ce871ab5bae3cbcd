/**
 * Writing what rtbench produces (result documents, rounds, reports) so that it is never lost:
 *
 * - `checkOutputFile` / `checkOutputFolder` run before any socket opens: a folder where a file
 *   is wanted, an unwritable folder or an existing file (without `--force`) is a usage error
 *   (exit 2) that costs a second, not a benchmark.
 * - `writeOutputFile` writes a temporary file in the target's own folder, syncs it and then
 *   links it into place (refusing to replace an existing file) or, with `--force`, renames it
 *   over the old one. A kill or a full disk leaves the old file or none, never half a JSON.
 * - If that still fails, the text goes to the system's temporary folder, else to stdout, and
 *   stderr says where. Files are created 0600: results may name private hosts and hashes.
 */
import { closeSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';

/** Owner read/write only. */
export const RESULT_FILE_MODE = 0o600;

/** The overwrite policy, said in help texts and errors alike. */
export const FORCE_HELP = 'replace an existing output file (without it rtbench refuses and exits 2 before anything runs)';

/**
 * Checks that `path` can take a new file: not a folder, its nearest existing folder writable,
 * and no file there already unless `force`. `flag` names the option in the message.
 */
export function checkOutputFile(path: string, flag: string, force: boolean): void {
  const existing = statOrUndefined(path);
  if (existing?.isDirectory()) {
    throw new UsageError(`${flag} ${path}: is a folder; name a file in it, e.g. ${join(path, 'result.json')}`);
  }
  if (existing && !force) {
    throw new UsageError(`${flag} ${path}: the file exists; give --force to replace it, or name another file`);
  }
  checkWritableAncestor(dirname(path), flag, path);
}

/**
 * Checks that `folder` can hold new files: absent (it will be made) or a writable folder; each
 * of `names` inside it must not exist unless `force`.
 */
export function checkOutputFolder(folder: string, flag: string, force: boolean, names: readonly string[] = []): void {
  const existing = statOrUndefined(folder);
  if (existing && !existing.isDirectory()) throw new UsageError(`${flag} ${folder}: is a file; name a folder`);
  checkWritableAncestor(folder, flag, folder);
  if (force) return;
  const taken = names.filter((n) => statOrUndefined(join(folder, n)) !== undefined);
  if (taken.length > 0) {
    throw new UsageError(`${flag} ${folder}: ${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''}; give --force to replace`);
  }
}

/**
 * Writes `text` to `path` (creating its folder) so that readers see the old file or the whole
 * new one. Returns where the text ended up: `path`, a file in the temporary folder, or `-` for
 * stdout; anything but `path` is said on stderr with the reason.
 */
export function writeOutputFile(path: string, text: string, force: boolean): string {
  try {
    writeAtomically(path, text, force);
    return path;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const fallback = join(os.tmpdir(), `rtbench-${process.pid}-${randomBytes(3).toString('hex')}-${basename(path)}`);
    try {
      writeAtomically(fallback, text, false);
      process.stderr.write(`rtbench: could not write ${path} (${reason}); written to ${fallback} instead\n`);
      return fallback;
    } catch (second) {
      const why = second instanceof Error ? second.message : String(second);
      process.stderr.write(`rtbench: could not write ${path} (${reason}) nor ${fallback} (${why}); the text follows on stdout\n`);
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      return '-';
    }
  }
}

function writeAtomically(path: string, text: string, force: boolean): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', RESULT_FILE_MODE);
  try {
    try {
      const bytes = Buffer.from(text);
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (force) renameSync(tmp, path);
    else linkNoClobber(tmp, path);
  } finally {
    // After a rename the temporary name is gone; after a link it is a second name to drop.
    try {
      unlinkSync(tmp);
    } catch {}
  }
}

/** Gives `tmp` the name `path` unless `path` exists (EEXIST); atomic where hard links work. */
function linkNoClobber(tmp: string, path: string): void {
  try {
    linkSync(tmp, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new Error(`${path} exists and --force was not given`);
    // Filesystems without hard links: check, then rename (a narrow race, never a torn file).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    if (statOrUndefined(path)) throw new Error(`${path} exists and --force was not given`);
    renameSync(tmp, path);
  }
}

function checkWritableAncestor(dir: string, flag: string, target: string): void {
  let d = resolve(dir);
  for (;;) {
    const s = statOrUndefined(d);
    if (s) {
      if (!s.isDirectory()) throw new UsageError(`${flag} ${target}: ${d} is a file, not a folder`);
      try {
        accessSync(d, constants.W_OK | constants.X_OK);
      } catch {
        throw new UsageError(`${flag} ${target}: cannot write in ${d}`);
      }
      return;
    }
    const up = dirname(d);
    if (up === d) return;
    d = up;
  }
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    // A dangling symlink is still a name that exists.
    try {
      return lstatSync(path);
    } catch {
      return undefined;
    }
  }
}
