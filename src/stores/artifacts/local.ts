/**
 * Artifacts in a local directory (MLflow's LocalArtifactRepository): `./mlartifacts` by default,
 * or any `file://` root. Reads stream from the file; uploads go to a hidden temporary file in the
 * destination directory that is renamed over the final name only once the whole body is written,
 * so a failed or aborted upload never leaves a partial file under its name.
 */
import { constants, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, rename, rm, stat, unlink, chmod } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, dirname, basename, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MlflowError } from '../../errors/mlflow-error.js';
import { localFileUriToPath, posixNormpath, validatePathIsSafe, verifyArtifactPath } from './paths.js';
import {
  ArtifactIsDirectory,
  type ArtifactFileInfo,
  type ArtifactReadable,
  type ArtifactRepository,
} from './repository.js';

/** Prefix of in-progress upload files: hidden from listings, refused as an artifact name. */
export const TEMP_ARTIFACT_PREFIX = '.artifact.uploading.';

/** Python's os.umask, read once (default mode of a published upload: 0o666 & ~umask). */
const UMASK = process.umask();

function isEnoent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** pathlib.Path.resolve() (not strict): symlinks resolved as far as the path exists. */
async function resolveLoose(p: string): Promise<string> {
  const abs = resolve(p);
  let existing = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = await realpath(existing);
      return rest.length ? join(real, ...rest.reverse()) : real;
    } catch (err) {
      if (!isEnoent(err) && (err as NodeJS.ErrnoException).code !== 'ELOOP') throw err;
      const parent = dirname(existing);
      if (parent === existing) return abs;
      rest.push(basename(existing));
      existing = parent;
    }
  }
}

export class LocalArtifactRepository implements ArtifactRepository {
  readonly uri: string;
  /** The root directory (MLflow's artifact_dir). */
  readonly root: string;

  constructor(uri: string) {
    this.uri = uri;
    this.root = localFileUriToPath(uri);
  }

  /**
   * validate_path_within_directory: the path, symlinks resolved (the leaf only when it exists),
   * must stay under the resolved root.
   */
  private async checkWithinRoot(target: string): Promise<void> {
    const base = await resolveLoose(this.root);
    let exists = true;
    try {
      await lstat(target);
    } catch (err) {
      if (!isEnoent(err)) throw err;
      exists = false;
    }
    const real = exists
      ? await resolveLoose(target)
      : join(await resolveLoose(dirname(target)), basename(target));
    if (real !== base && !real.startsWith(base.endsWith(sep) ? base : base + sep)) {
      throw new MlflowError(
        'Invalid path: resolved path is outside the artifact directory',
        'INVALID_PARAMETER_VALUE',
      );
    }
  }

  private join(path: string | undefined): string {
    return path ? join(this.root, posixNormpath(path)) : this.root;
  }

  async list(path: string | undefined): Promise<ArtifactFileInfo[]> {
    const dir = this.join(path);
    await this.checkWithinRoot(dir);
    let names: string[];
    try {
      if (!(await stat(dir)).isDirectory()) return [];
      names = await readdir(dir);
    } catch (err) {
      if (isEnoent(err)) return [];
      throw err;
    }
    const visible = names.filter((name) => !name.startsWith(TEMP_ARTIFACT_PREFIX));
    const infos: ArtifactFileInfo[] = [];
    // Stats in batches: one at a time is a thread-pool round trip per entry on large directories.
    for (let i = 0; i < visible.length; i += 256) {
      const batch = visible.slice(i, i + 256);
      const stats = await Promise.all(batch.map((name) => stat(join(dir, name))));
      batch.forEach((name, j) => {
        const rel = relative(this.root, join(dir, name));
        // os.path.isdir / getsize follow symlinks; a dangling one fails as in MLflow.
        const st = stats[j]!;
        infos.push(
          st.isDirectory() ? { path: rel, is_dir: true } : { path: rel, is_dir: false, file_size: st.size },
        );
      });
    }
    return infos.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async open(path: string, displayName: string): Promise<ArtifactReadable> {
    const safe = validatePathIsSafe(path);
    const full = join(this.root, posixNormpath(safe));
    await this.checkWithinRoot(full);
    let st;
    try {
      st = await stat(full);
    } catch (err) {
      if (isEnoent(err)) throw MlflowError.notFound(`No such artifact: '${safe}'`);
      throw err;
    }
    if (st.isDirectory()) {
      throw new ArtifactIsDirectory(displayName);
    }
    const abs = resolve(full);
    const handle = await open(abs, constants.O_RDONLY);
    return {
      size: st.size,
      mtimeMs: st.mtimeMs,
      etagSeed: abs,
      stream: (range) =>
        handle.createReadStream({
          start: range?.[0],
          end: range ? range[1] - 1 : undefined,
          autoClose: true,
          highWaterMark: 1024 * 1024,
        }),
      close: () => void handle.close().catch(() => undefined),
    };
  }

  async write(fileName: string, artifactPath: string | undefined, body: Readable): Promise<void> {
    verifyArtifactPath(artifactPath);
    const dir = artifactPath ? join(this.root, posixNormpath(artifactPath)) : this.root;
    await this.checkWithinRoot(dir);
    await mkdir(dir, { recursive: true });
    const name = basename(fileName);
    if (name.startsWith(TEMP_ARTIFACT_PREFIX)) {
      throw MlflowError.invalidParameter(
        `Invalid artifact file name: '${fileName}'. Artifact names starting with '${TEMP_ARTIFACT_PREFIX}' are reserved.`,
      );
    }
    const destination = join(dir, name);
    await this.checkWithinRoot(destination);
    const temp = join(dir, TEMP_ARTIFACT_PREFIX + randomBytes(6).toString('hex'));
    // 'wx': mkstemp's O_EXCL, mode 0600 until published.
    // A deep buffer lets fs.WriteStream gather the socket's 64 KiB chunks into large writev calls.
    const out = createWriteStream(temp, { flags: 'wx', mode: 0o600, highWaterMark: 4 * 1024 * 1024 });
    let published = false;
    try {
      await pipeline(body, out);
      await chmod(temp, 0o666 & ~UMASK);
      await rename(temp, destination);
      published = true;
    } finally {
      if (!published) await unlink(temp).catch(() => undefined);
    }
  }

  async delete(path: string | undefined): Promise<void> {
    // delete_artifacts turns the joined path into a local path once more (url2pathname: unquote).
    const target = localFileUriToPath(path ? join(this.root, path) : this.root);
    // os.path.exists is False for a path with a NUL byte.
    if (target.includes('\0')) return;
    // Stricter than the pinned release, which deletes through a symlink out of the root (a file
    // outside the artifact directory): the path must resolve inside it, as for reads and writes.
    await this.checkWithinRoot(target);
    let st;
    try {
      st = await stat(target);
    } catch (err) {
      if (isEnoent(err)) return;
      throw err;
    }
    if (st.isFile()) {
      await unlink(target);
      return;
    }
    if ((await lstat(target)).isSymbolicLink()) {
      // shutil.rmtree refuses a symlink to a directory (an OSError: a 500 in MLflow).
      throw new Error('Cannot call rmtree on a symbolic link');
    }
    await rm(target, { recursive: true, force: true });
  }
}
