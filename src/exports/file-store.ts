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

  async write(key: string, produce: (out: Writable) => Promise<WriteStats>): Promise<StoredFile> {
    const target = this.#path(key);
    await mkdir(path.dirname(target), { recursive: true });
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
      await written.catch(() => undefined);
      await rm(partial, { force: true });
      throw error;
    }
  }

  async writeFromPath(key: string, produce: (path: string) => Promise<WriteStats>): Promise<StoredFile> {
    const target = this.#path(key);
    await mkdir(path.dirname(target), { recursive: true });
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
