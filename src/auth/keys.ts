import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

export const SIGNING_ALGORITHM = 'RS256';

interface StoredKey {
  readonly kid: string;
  readonly createdAt: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

/** The service's signing keys: the newest signs, all are published so older tokens still verify. */
export interface SigningKeys {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** The JWKS document served at `/authentication/v2/keys`. */
  readonly jwks: { readonly keys: readonly JWK[] };
}

async function createStoredKey(): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true, modulusLength: 2048 });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    createdAt: new Date().toISOString(),
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALGORITHM, use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' },
  };
}

/**
 * Loads the key file of a data directory, creating it with one fresh key pair on first start.
 * The file is created with `wx` so two processes starting at once cannot both write one: the loser
 * reads the winner's file. It is mode 0600: it holds private keys.
 */
export async function loadSigningKeys(dataDir: string): Promise<SigningKeys> {
  const dir = path.join(dataDir, 'keys');
  const file = path.join(dir, 'signing-keys.json');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let stored: StoredKey[];
  try {
    stored = JSON.parse(await readFile(file, 'utf8')) as StoredKey[];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    stored = [await createStoredKey()];
    const tmp = `${file}.${randomUUID()}.tmp`;
    await writeFile(tmp, JSON.stringify(stored, null, 2), { mode: 0o600 });
    try {
      await writeFile(file, await readFile(tmp), { flag: 'wx', mode: 0o600 });
    } catch (raceError) {
      if ((raceError as NodeJS.ErrnoException).code !== 'EEXIST') throw raceError;
      stored = JSON.parse(await readFile(file, 'utf8')) as StoredKey[];
    } finally {
      await rm(tmp, { force: true });
    }
  }
  const newest = stored[stored.length - 1];
  if (!newest) throw new Error(`${file} holds no key`);
  return Object.freeze({
    kid: newest.kid,
    privateKey: (await importJWK(newest.privateJwk, SIGNING_ALGORITHM)) as CryptoKey,
    jwks: Object.freeze({ keys: Object.freeze(stored.map((key) => key.publicJwk)) }),
  });
}
