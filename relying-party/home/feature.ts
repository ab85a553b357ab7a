/* The cabinet's home (G3): its page is the app's /cabinet; as a feature it dates the seeded checks at the run's start. */
import type { RpFeature } from '../feature.ts';
import { seedCheckDates } from './checks.ts';

export const home: RpFeature = { name: 'home', seeders: [seedCheckDates] };
