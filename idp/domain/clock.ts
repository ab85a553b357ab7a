/* The emulator's clock is the project's one clock (lib/clock.ts): the relying parties run on the same kind. */
export { type Clock, type ClockState, ControlledClock } from '../../lib/clock.ts';
