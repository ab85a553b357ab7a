/*
 * Faults armed through the control API, each for a number of occurrences: the SMS gateway fails
 * or delays delivery, or the next sign-in step hits an internal error (to show the 500 page).
 */
export type FaultKind = 'sms.fail' | 'sms.delay' | 'server.error';
export const faultKinds: FaultKind[] = ['sms.fail', 'sms.delay', 'server.error'];

export interface Fault {
  kind: FaultKind;
  remaining: number;
  /** For sms.delay: seconds until the message is delivered. */
  seconds?: number;
}

export class Faults {
  list: Fault[] = [];

  arm(fault: Fault): void {
    this.list.push(fault);
  }

  /** Uses up one occurrence of the first armed fault of these kinds, if any. */
  take(...kinds: FaultKind[]): Fault | undefined {
    const index = this.list.findIndex((f) => kinds.includes(f.kind));
    if (index < 0) return undefined;
    const fault = this.list[index] as Fault;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.list.splice(index, 1);
    return fault;
  }

  clear(): void {
    this.list = [];
  }
}
