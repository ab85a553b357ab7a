/*
 * The one way this project replaces a file: the whole new content or the old one after a crash at
 * any moment, never a torn file. A unique temp file beside the target (pid + counter + random, so
 * concurrent writers never share one) is written, fsynced, renamed over the target, and the folder
 * fsynced so the rename survives a power cut too.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

let tempCounter = 0;
const tempPrefix = (abs: string): string => `.${basename(abs)}.`;
const tempSuffix = '.tmp';

function tempPathFor(abs: string): string {
  tempCounter += 1;
  const unique = `${process.pid}.${tempCounter}.${randomBytes(4).toString('hex')}`;
  return join(dirname(abs), `${tempPrefix(abs)}${unique}${tempSuffix}`);
}

/** Replaces `path` with `text`; `mode` 0o600 for secrets (the temp file has it from creation on). */
export async function writeFileAtomic(path: string, text: string, options: { mode?: number } = {}): Promise<void> {
  const abs = resolve(path);
  const dir = dirname(abs);
  const temp = tempPathFor(abs);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(temp, 'wx', options.mode ?? 0o666);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync(); // content is durable before the rename makes it visible
    } finally {
      await handle.close();
    }
    // The umask may have narrowed the mode at creation; a secret's must be exactly owner-only.
    if (options.mode !== undefined) await chmod(temp, options.mode);
    await rename(temp, abs);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
  await syncFolder(dir);
}

// Makes the rename itself durable. Some platforms (Windows) cannot fsync a folder; the file is
// already complete there, so skipping is safe.
async function syncFolder(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort, see above
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** Deletes temp files left by writers of `path` that were killed mid-write. Only while no one else writes it. */
export async function removeStaleTempFiles(path: string): Promise<void> {
  const abs = resolve(path);
  const prefix = tempPrefix(abs);
  let names: string[];
  try {
    names = await readdir(dirname(abs));
  } catch {
    return;
  }
  const stale = names.filter((n) => n.startsWith(prefix) && n.endsWith(tempSuffix));
  await Promise.all(stale.map((n) => unlink(join(dirname(abs), n)).catch(() => {})));
}
