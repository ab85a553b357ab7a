/*
 * The state of each sign-in in progress, keyed by the oidc-provider interaction uid. oidc-provider
 * drops custom fields of its Interaction model, and `login` must not be recorded before every
 * factor has passed, so the steps keep their own state here.
 */
import type { Clock } from '../domain/clock.ts';
import type { OtpState } from '../domain/otp.ts';

export type Stage = 'password' | 'otp' | 'password_change' | 'agreement';

export interface Journey {
  uid: string;
  clientId: string;
  stage: Stage;
  oid?: string;
  remember: boolean;
  otp: OtpState | null;
  amr: string[];
  /** Shown once on the next screen (e.g. «новый код отправлен»). */
  notice?: string;
  touchedAt: number;
}

const lifetimeMs = 30 * 60 * 1000;

export class Journeys {
  readonly #map = new Map<string, Journey>();

  constructor(readonly clock: Clock) {}

  get(uid: string, clientId: string): Journey {
    const now = this.clock.now();
    let journey = this.#map.get(uid);
    if (!journey || now - journey.touchedAt > lifetimeMs) {
      journey = { uid, clientId, stage: 'password', remember: false, otp: null, amr: [], touchedAt: now };
      this.#map.set(uid, journey);
      if (this.#map.size > 10_000) this.#purge(now);
    }
    journey.touchedAt = now;
    return journey;
  }

  end(uid: string): void {
    this.#map.delete(uid);
  }

  clear(): void {
    this.#map.clear();
  }

  #purge(now: number): void {
    for (const [uid, j] of this.#map) if (now - j.touchedAt > lifetimeMs) this.#map.delete(uid);
  }
}
