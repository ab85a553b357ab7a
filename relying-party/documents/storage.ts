/*
 * Where uploaded files live: <dataDir>/uploads/<clientId>/<run>/<file id>. Names on disk are only
 * generated ids (never the person's file name), so a name such as «../../x» is display text and
 * nothing else. A file is written under a temporary name beside its place and renamed into it once
 * complete and checked; a run's reset deletes the run's folder, and a start the folders of runs gone
 * with the previous process.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const safeId = /^[A-Za-z0-9_-]{1,64}$/;

export class DocumentFiles {
  constructor(readonly root: string) {}

  static of(config: { dataDir: string; clientId: string }): DocumentFiles {
    return new DocumentFiles(join(config.dataDir, 'uploads', config.clientId.replace(/[^A-Za-z0-9_-]/g, '_')));
  }

  /** The run's folder, made when missing. */
  async folder(run: string): Promise<string> {
    const dir = join(this.root, checked(run));
    await mkdir(dir, { recursive: true });
    return dir;
  }

  pathOf(run: string, fileId: string): string {
    return join(this.root, checked(run), checked(fileId));
  }

  /**
   * The folders of isolated runs left by an earlier process: those runs lived in its memory only, so
   * no one can reach their files any more. The main run's folder stays with the main run's data.
   */
  async removeOrphans(mainRun: string): Promise<void> {
    const entries = await readdir(this.root).catch(() => [] as string[]);
    await Promise.all(entries.filter((e) => e !== mainRun && safeId.test(e)).map((e) => this.removeRun(e)));
  }

  removeRun(run: string): Promise<void> {
    return rm(join(this.root, checked(run)), { recursive: true, force: true });
  }
}

function checked(id: string): string {
  if (!safeId.test(id)) throw new Error(`not a generated id: ${JSON.stringify(id.slice(0, 80))}`);
  return id;
}
