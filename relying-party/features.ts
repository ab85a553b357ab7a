/* The parts each portal is made of (feature.ts): ФМРМ's cabinet, and НМО's professional-development portal. */
import type { RpConfig } from './config.ts';
import { documentsFeature } from './documents/feature.ts';
import type { RpFeature } from './feature.ts';
import { home } from './home/feature.ts';
import { personal } from './personal/feature.ts';
import { nmoEvents, nmoMyEvents } from './nmo/feature.ts';
import { fmrmNmoTab } from './nmo/fmrm_tab.ts';
import { nmoReviewerSection } from './nmo/reviewer_section.ts';
import { notificationsFeature } from './notifications_feature.ts';
import { reviewerConsole } from './reviewer/console.ts';

export function featuresOf(config: RpConfig): RpFeature[] {
  // Both portals read the one register (fixtures/register.json): its checks are dated by the home feature.
  if (config.portal === 'nmo')
    return [home, nmoEvents, nmoMyEvents, notificationsFeature, reviewerConsole(config, [nmoReviewerSection])];
  const documents = documentsFeature(config);
  return [
    home,
    personal,
    documents.feature,
    fmrmNmoTab,
    notificationsFeature,
    reviewerConsole(config, [documents.reviewSection]),
  ];
}
