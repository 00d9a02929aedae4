import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const FILE = 'dev-jwt-secret';

/**
 * Development mode's HS256 secret: random, kept under DATA_DIR readable by its owner only, so
 * the printed tokens survive a restart and nobody else on the machine can mint more.
 */
export async function loadOrCreateDevSecret(dataDir: string): Promise<Uint8Array> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, FILE);
  try {
    await writeFile(path, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  await chmod(path, 0o600);
  return new TextEncoder().encode((await readFile(path, 'utf8')).trim());
}
