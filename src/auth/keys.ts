import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { MAX_TOKEN_LIFETIME_SECONDS } from './token-lifetimes.js';

export const SIGNING_ALGORITHM = 'RS256';

interface StoredKey {
  readonly kid: string;
  readonly createdAt: string;
  /** When a newer key took over signing; absent on the key that signs now. */
  readonly retiredAt?: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

/**
 * The service's signing keys: the newest signs, older ones stay published (and accepted) until the
 * last token they signed has expired.
 */
export interface SigningKeys {
  /** `kid` of the key that signs now. */
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** The JWKS document served at `/authentication/v2/keys`: the keys tokens may still be signed with. */
  readonly jwks: { readonly keys: readonly JWK[] };
  /** Adds a new key that signs from now on, retires the current one, and saves the key file; returns the new `kid`. */
  rotate(): Promise<string>;
  /** Re-reads the key file (after another process rotated it). */
  reload(): Promise<void>;
}

export interface SigningKeyOptions {
  /** The clock that decides when a retired key is dropped; tests move it forward. */
  readonly now?: () => Date;
  /** The directory of the key file (default `<dataDir>/keys`); processes sharing it sign alike. */
  readonly keysDir?: string;
}

async function createStoredKey(now: Date): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true, modulusLength: 2048 });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    createdAt: now.toISOString(),
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALGORITHM, use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' },
  };
}

/**
 * When a retired key may go: a key stops signing at `retiredAt`, and no token lives longer than
 * MAX_TOKEN_LIFETIME_SECONDS (max of the token endpoint's ACCESS_TOKEN_TTL and the longest
 * `insights token` lifetime), so from `retiredAt + MAX_TOKEN_LIFETIME_SECONDS` on every token it
 * signed has expired. Until then it stays in the JWKS and in verification; after, it leaves both.
 * The key that signs now has no `retiredAt` and never goes.
 */
function dropsAt(key: StoredKey): number {
  return key.retiredAt === undefined ? Infinity : Date.parse(key.retiredAt) + MAX_TOKEN_LIFETIME_SECONDS * 1000;
}

async function readKeyFile(file: string): Promise<StoredKey[]> {
  const stored = JSON.parse(await readFile(file, 'utf8')) as StoredKey[];
  if (!Array.isArray(stored) || stored.length === 0) throw new Error(`${file} holds no key`);
  return stored;
}

/** Replaces the key file in one step (rename), so a reader never sees half a file. */
async function writeKeyFile(file: string, keys: readonly StoredKey[]): Promise<void> {
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, JSON.stringify(keys, null, 2), { mode: 0o600 });
  await rename(tmp, file);
}

class KeyRing implements SigningKeys {
  readonly #file: string;
  readonly #now: () => Date;
  #stored: readonly StoredKey[] = [];
  #signer: { readonly kid: string; readonly privateKey: CryptoKey } | undefined;
  #published: { readonly jwks: { readonly keys: readonly JWK[] }; readonly until: number } | undefined;

  constructor(file: string, now: () => Date) {
    this.#file = file;
    this.#now = now;
  }

  get kid(): string {
    return this.#current().kid;
  }

  get privateKey(): CryptoKey {
    return this.#current().privateKey;
  }

  get jwks(): { readonly keys: readonly JWK[] } {
    const now = this.#now().getTime();
    if (!this.#published || now >= this.#published.until) {
      const live = this.#stored.filter((key) => dropsAt(key) > now);
      this.#published = {
        jwks: Object.freeze({ keys: Object.freeze(live.map((key) => key.publicJwk)) }),
        until: Math.min(...live.map(dropsAt)),
      };
    }
    return this.#published.jwks;
  }

  async reload(): Promise<void> {
    await this.adopt(await readKeyFile(this.#file));
  }

  /**
   * Reads the file first so a rotation by another process is not lost, and prunes keys already
   * past their drop time. Two rotations racing on one file can lose one of the new keys; only the
   * server (through its control socket) or a CLI with no server running rotates, so they do not race.
   */
  async rotate(): Promise<string> {
    const now = this.#now();
    const current = await readKeyFile(this.#file);
    const next = [
      ...current
        .map((key) => (key.retiredAt === undefined ? { ...key, retiredAt: now.toISOString() } : key))
        .filter((key) => dropsAt(key) > now.getTime()),
      await createStoredKey(now),
    ];
    await writeKeyFile(this.#file, next);
    await this.adopt(next);
    return this.kid;
  }

  /** @internal */
  async adopt(stored: readonly StoredKey[]): Promise<void> {
    const newest = stored[stored.length - 1];
    if (!newest) throw new Error(`${this.#file} holds no key`);
    const privateKey = (await importJWK(newest.privateJwk, SIGNING_ALGORITHM)) as CryptoKey;
    this.#stored = Object.freeze([...stored]);
    this.#signer = { kid: newest.kid, privateKey };
    this.#published = undefined;
  }

  #current() {
    if (!this.#signer) throw new Error('signing keys used before they were loaded');
    return this.#signer;
  }
}

/**
 * Loads the key file of a data directory, creating it with one fresh key pair on first start.
 * The file is created with `wx` so two processes starting at once cannot both write one: the loser
 * reads the winner's file. It is mode 0600: it holds private keys.
 */
export async function loadSigningKeys(dataDir: string, options: SigningKeyOptions = {}): Promise<SigningKeys> {
  const now = options.now ?? (() => new Date());
  const dir = options.keysDir ?? path.join(dataDir, 'keys');
  const file = path.join(dir, 'signing-keys.json');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let stored: StoredKey[];
  try {
    stored = await readKeyFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    stored = [await createStoredKey(now())];
    const tmp = `${file}.${randomUUID()}.tmp`;
    await writeFile(tmp, JSON.stringify(stored, null, 2), { mode: 0o600 });
    try {
      await writeFile(file, await readFile(tmp), { flag: 'wx', mode: 0o600 });
    } catch (raceError) {
      if ((raceError as NodeJS.ErrnoException).code !== 'EEXIST') throw raceError;
      stored = await readKeyFile(file);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  const ring = new KeyRing(file, now);
  await ring.adopt(stored);
  return ring;
}
