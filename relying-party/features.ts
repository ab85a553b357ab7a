/* The parts each portal is made of (feature.ts): ФМРМ's cabinet, and НМО's professional-development portal. */
import type { RpConfig } from './config.ts';
import type { RpFeature } from './feature.ts';

export function featuresOf(config: RpConfig): RpFeature[] {
  if (config.portal === 'nmo') return [];
  return [];
}
