/* Reference codes (E1): the one format shared with the relying party lives in lib/reference_code.ts. */
export { newReference, normaliseReference, referenceAlphabet, referencePattern } from '../../lib/reference_code.ts';

/** The journal action of another system's error screen (a relying party's, POST /__control/references): its details carry that system's texts. */
export const foreignErrorAction = 'system.error_screen';
