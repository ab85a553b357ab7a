/*
 * Where uploaded files live: <dataDir>/uploads/<clientId>/<run>/<file id>. Names on disk are only
 * generated ids (never the person's file name), so a name such as «../../x» is display text and
 * nothing else. A file is written under a temporary name beside its place and renamed into it once
 * complete and checked; a run's reset deletes the run's folder.
 */
import { mkdir, rm } from 'node:fs/promises';
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

  removeRun(run: string): Promise<void> {
    return rm(join(this.root, checked(run)), { recursive: true, force: true });
  }
}

function checked(id: string): string {
  if (!safeId.test(id)) throw new Error(`not a generated id: ${JSON.stringify(id.slice(0, 80))}`);
  return id;
}
