/* The parts each portal is made of (feature.ts): ФМРМ's cabinet, and НМО's professional-development portal. */
import type { RpConfig } from './config.ts';
import { documentsFeature } from './documents/feature.ts';
import type { RpFeature } from './feature.ts';
import { reviewerConsole } from './reviewer/console.ts';

export function featuresOf(config: RpConfig): RpFeature[] {
  if (config.portal === 'nmo') return [reviewerConsole(config, [])];
  const documents = documentsFeature(config);
  return [documents.feature, reviewerConsole(config, [documents.reviewSection])];
}
