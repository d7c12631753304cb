import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Default lifetime of a download link (the Exports issue: 10 minutes). */
export const DEFAULT_LINK_SECONDS = 600;

/**
 * The HMAC key of download links, kept in `DATA_DIR/keys/download-secret` (created on first use
 * with `wx`, so two processes starting together end up with one secret; mode 0600).
 */
export async function loadDownloadSecret(dataDir: string): Promise<Buffer> {
  const dir = path.join(dataDir, 'keys');
  const file = path.join(dir, 'download-secret');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
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
