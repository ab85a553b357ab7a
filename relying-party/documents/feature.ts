/* ФМРМ's documents (G5) as a part of the portal: pages, control routes, seeding, the reviewer's section, cleanup on reset. */
import type { RpConfig } from '../config.ts';
import type { RpFeature } from '../feature.ts';
import type { ReviewerSection } from '../reviewer/console.ts';
import { documentControls } from './controls.ts';
import { documentsReviewSection } from './review_section.ts';
import { mountDocumentPages } from './routes.ts';
import { documentsSeeder } from './seed.ts';
import { DocumentFiles } from './storage.ts';
import { mainRun } from '../workspaces.ts';

export const defaultUploadLimitBytes = 10 * 1024 * 1024;

/** The cabinet's part, and the reviewer console's section that decides on the same documents. */
export function documentsFeature(config: RpConfig): { feature: RpFeature; reviewSection: ReviewerSection } {
  const files = DocumentFiles.of(config);
  // Listed once at start: a run made after this cannot be among them (run ids are random).
  void files
    .removeOrphans(mainRun)
    .catch((err: unknown) =>
      console.error(JSON.stringify({ rp: config.clientId, event: 'uploads_cleanup_failed', error: String(err) })),
    );
  const limits = { maxFileBytes: config.uploadLimitBytes ?? defaultUploadLimitBytes };
  const feature: RpFeature = {
    name: 'documents',
    tab: { path: '/documents', label: 'Документы', testid: 'tab-documents' },
    routes: (router, h) => mountDocumentPages(router, h, files, limits),
    controls: documentControls,
    seeders: [documentsSeeder()],
    onReset: (ws) => files.removeRun(ws.id),
  };
  return { feature, reviewSection: documentsReviewSection(files) };
}
