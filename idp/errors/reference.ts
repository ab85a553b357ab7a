/* Reference codes (E1): the one format shared with the relying party lives in lib/reference_code.ts. */
export { newReference, normaliseReference, referenceAlphabet, referencePattern } from '../../lib/reference_code.ts';
