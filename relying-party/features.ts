/* The parts each portal is made of (feature.ts): ФМРМ's cabinet, and НМО's professional-development portal. */
import type { RpConfig } from './config.ts';
import type { RpFeature } from './feature.ts';
import { notificationsFeature } from './notifications_feature.ts';

export function featuresOf(config: RpConfig): RpFeature[] {
  if (config.portal === 'nmo') return [notificationsFeature];
  return [notificationsFeature];
}
