/*
 * The one clock of the project. Every rule that depends on time (lockout, code lifetime,
 * password age, resend cooldown, audit timestamps) asks a Clock, never Date.now(), so tests and
 * scenarios can set or advance time without sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch, as the emulator sees it. */
  now(): number;
}

/** A ControlledClock's settings: the offset from real time, or the frozen instant. */
export interface ClockState {
  offset: number;
  frozenAt: number | null;
}

/** Real time shifted by an offset, or frozen at a fixed instant. Controlled through /__control/clock. */
export class ControlledClock implements Clock {
  #offset = 0;
  #frozenAt: number | null = null;

  now(): number {
    return this.#frozenAt ?? Date.now() + this.#offset;
  }

  /** Jump to an instant; time keeps running from there unless frozen. */
  set(instant: number, frozen = false): void {
    if (frozen) {
      this.#frozenAt = instant;
    } else {
      this.#frozenAt = null;
      this.#offset = instant - Date.now();
    }
  }

  advance(ms: number): void {
    if (this.#frozenAt !== null) this.#frozenAt += ms;
    else this.#offset += ms;
  }

  get frozen(): boolean {
    return this.#frozenAt !== null;
  }

  reset(): void {
    this.#offset = 0;
    this.#frozenAt = null;
  }

  /** What the clock keeps, so another process can take the same time over (the shared runs on Redis). */
  state(): ClockState {
    return { offset: this.#offset, frozenAt: this.#frozenAt };
  }

  restore(state: ClockState): void {
    this.#offset = state.offset;
    this.#frozenAt = state.frozenAt;
  }
}
