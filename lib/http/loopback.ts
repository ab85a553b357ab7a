/* Whether a request came from this machine: what the control API, the support console and the trainer's replay require. */
export function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}
