import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { WriteStats } from './columns.js';

/** A complete file in the store, with what a downloader needs to trust it. */
export interface StoredFile {
  readonly key: string;
  readonly byteSize: number;
  readonly sha256: string;
  readonly rowCount: number;
}

/**
 * Where export files live. `write` is all-or-nothing: a file is visible under its key only once
 * the writer finished without error; a failed or interrupted write leaves nothing behind that
 * could be served as complete.
 */
export interface FileStore {
  write(key: string, produce: (out: Writable) => Promise<WriteStats>): Promise<StoredFile>;
  /** As `write`, for producers that write a file by path themselves (the database's COPY). */
  writeFromPath(key: string, produce: (path: string) => Promise<WriteStats>): Promise<StoredFile>;
  /** Size of a complete file, or undefined. */
  size(key: string): Promise<number | undefined>;
  /** Bytes `start`..`end` (inclusive) of a file, or all of it. */
  read(key: string, range?: { readonly start: number; readonly end: number }): Readable;
  delete(key: string): Promise<void>;
}

/** `files`, telling `onWritten` of each file it completes (the metrics count export bytes). */
export function observeWrites(files: FileStore, onWritten: (file: StoredFile) => void): FileStore {
  const told = (file: StoredFile) => {
    onWritten(file);
    return file;
  };
  return {
    write: async (key, produce) => told(await files.write(key, produce)),
    writeFromPath: async (key, produce) => told(await files.writeFromPath(key, produce)),
    size: (key) => files.size(key),
    read: (key, range) => files.read(key, range),
    delete: (key) => files.delete(key),
  };
}

/** Keys are relative paths of safe segments: no `..`, no absolute paths, no odd characters. */
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,199}){0,4}$/;

export function isValidFileKey(key: string): boolean {
  return KEY.test(key) && !key.split('/').some((segment) => segment === '..' || segment.endsWith('.partial'));
}

/** A file store in a local directory (by default `DATA_DIR/files`). */
export class LocalFileStore implements FileStore {
  readonly #root: string;

  constructor(root: string) {
    this.#root = path.resolve(root);
  }

  #path(key: string): string {
    if (!isValidFileKey(key)) throw new Error(`invalid file key ${JSON.stringify(key)}`);
    const full = path.resolve(this.#root, key);
    if (!full.startsWith(this.#root + path.sep)) throw new Error(`file key escapes the store: ${key}`);
    return full;
  }

  /**
   * Removes what earlier, unfinished writes of this key left (`<target>.<uuid>.partial`). Only one
   * worker at a time holds the job a key belongs to, so a new write of the key means the earlier
   * writer died or lost its job: its file can never complete (and if that writer still runs, its
   * rename fails and so does its fenced completion). On a FILES_DIR shared by several processes,
   * this is what removes the leftovers of a killed one as soon as its export is run again.
   */
  async #abandonEarlierWrites(target: string): Promise<void> {
    const prefix = `${path.basename(target)}.`;
    const dir = path.dirname(target);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (name.startsWith(prefix) && name.endsWith('.partial')) await rm(path.join(dir, name), { force: true });
    }
  }

  async write(key: string, produce: (out: Writable) => Promise<WriteStats>): Promise<StoredFile> {
    const target = this.#path(key);
    await mkdir(path.dirname(target), { recursive: true });
    await this.#abandonEarlierWrites(target);
    // Written under a temporary name and renamed only when complete (rename is atomic on one
    // file system), so a crash mid-write never leaves a truncated file under the real key.
    const partial = `${target}.${randomUUID()}.partial`;
    const hash = createHash('sha256');
    let byteSize = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        byteSize += chunk.length;
        callback(null, chunk);
      },
    });
    const file = createWriteStream(partial, { flags: 'wx' });
    const written = pipeline(meter, file);
    try {
      const stats = await produce(meter);
      await written;
      await rename(partial, target);
      return Object.freeze({ key, byteSize, sha256: hash.digest('hex'), rowCount: stats.rowCount });
    } catch (error) {
      meter.destroy();
      file.destroy();
      await written.catch(() => undefined);
      // The pipeline can settle while the file's open is still pending (seen with a writer that
      // fails after its first bytes: the open landed after the removal and left the partial file).
      // A destroyed file stream still opens, then closes: removed only once it has closed.
      if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
      await rm(partial, { force: true });
      throw error;
    }
  }

  async writeFromPath(key: string, produce: (path: string) => Promise<WriteStats>): Promise<StoredFile> {
    const target = this.#path(key);
    await mkdir(path.dirname(target), { recursive: true });
    await this.#abandonEarlierWrites(target);
    const partial = `${target}.${randomUUID()}.partial`;
    try {
      const stats = await produce(partial);
      const hash = createHash('sha256');
      let byteSize = 0;
      for await (const chunk of createReadStream(partial) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        byteSize += chunk.length;
      }
      await rename(partial, target);
      return Object.freeze({ key, byteSize, sha256: hash.digest('hex'), rowCount: stats.rowCount });
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  /**
   * Deletes `.partial` files left by a process that died mid-write (kill -9, power loss). Call it
   * at start-up, before any worker writes. In a directory shared by several processes (FILES_DIR)
   * the others may be writing right now: pass `olderThan`, and only partial files not modified
   * since then are removed (a file being written is modified as its rows arrive).
   */
  async removeLeftovers(olderThan?: Date): Promise<number> {
    let removed = 0;
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.name.endsWith('.partial')) {
          const modified = olderThan ? (await stat(full).catch(() => undefined))?.mtime : undefined;
          if (modified && olderThan && modified >= olderThan) continue;
          await rm(full, { force: true });
          removed++;
        }
      }
    };
    await walk(this.#root);
    return removed;
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const info = await stat(this.#path(key));
      return info.isFile() ? info.size : undefined;
    } catch {
      return undefined;
    }
  }

  read(key: string, range?: { readonly start: number; readonly end: number }): Readable {
    return createReadStream(this.#path(key), range ? { start: range.start, end: range.end } : {});
  }

  async delete(key: string): Promise<void> {
    await rm(this.#path(key), { force: true });
  }
}
