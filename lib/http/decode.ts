/* Percent-decoding that treats a malformed escape (`%`, `%FF%FE`) as the caller's input error, not a crash. */

/** The decoded text, or undefined when `text` is not valid percent-encoded UTF-8. */
export function decodeComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
