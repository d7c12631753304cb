import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Default lifetime of a download link (the Exports issue: 10 minutes). */
export const DEFAULT_LINK_SECONDS = 600;

/**
 * The HMAC key of download links, kept in `DATA_DIR/keys/download-secret` (mode 0600). Processes
 * that share a file store share the key file instead: see `loadDownloadSecretFile`.
 */
export function loadDownloadSecret(dataDir: string): Promise<Buffer> {
  return loadDownloadSecretFile(path.join(dataDir, 'keys', 'download-secret'));
}

/**
 * Reads the HMAC key of download links from `file`, creating it on first use. Several processes
 * may start at once on one shared directory (a volume, NFS): the new key is written whole to a
 * private temporary file and then hard-linked to its name. `link` fails with EEXIST when another
 * process got there first, atomically even on NFS (where `O_EXCL` was not always honoured), and
 * no process can read a half-written key, as it could between another's `open(wx)` and `write`.
 */
export async function loadDownloadSecretFile(file: string): Promise<Buffer> {
  try {
    return decodeSecret(await readFile(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${randomBytes(8).toString('hex')}.tmp`;
  await writeFile(temporary, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
  try {
    await link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(temporary, { force: true });
  }
  return decodeSecret(await readFile(file, 'utf8'), file);
}

function decodeSecret(text: string, file: string): Buffer {
  const secret = Buffer.from(text.trim(), 'base64');
  if (secret.length < 32) throw new Error(`${file} does not hold a download secret (32 bytes, base64)`);
  return secret;
}

export interface SignedLink {
  readonly url: string;
  readonly expiresAt: string;
}

/**
 * Signs and checks `/downloads/<key>?expires=…&name=…&sig=…` links: an HMAC-SHA256 over the key,
 * the expiry and the file name, so none of them can be changed without the secret. The link
 * needs no bearer token: anyone holding it may download until it expires (as the originals'
 * pre-signed URLs).
 */
export class UrlSigner {
  readonly #secret: Buffer;
  readonly #publicUrl: string;

  constructor(secret: Buffer, publicUrl: string) {
    this.#secret = secret;
    this.#publicUrl = publicUrl.replace(/\/+$/, '');
  }

  #mac(key: string, expires: number, name: string): Buffer {
    return createHmac('sha256', this.#secret).update(`${key}\n${expires}\n${name}`).digest();
  }

  sign(key: string, fileName: string, ttlSeconds = DEFAULT_LINK_SECONDS, now = Date.now()): SignedLink {
    const expires = Math.floor(now / 1000) + ttlSeconds;
    const signature = this.#mac(key, expires, fileName).toString('base64url');
    const query = new URLSearchParams({ expires: String(expires), name: fileName, sig: signature });
    return { url: `${this.#publicUrl}/downloads/${key}?${query.toString()}`, expiresAt: new Date(expires * 1000).toISOString() };
  }

  /** True only for an unexpired link whose signature matches (compared in constant time). */
  verify(key: string, expires: string, name: string, signature: string, now = Date.now()): boolean {
    if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 <= now) return false;
    const expected = this.#mac(key, Number(expires), name);
    const given = Buffer.from(signature, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
