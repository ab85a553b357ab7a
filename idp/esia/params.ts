/*
 * Parameters of an ESIA request: one value each (a repeated one is ESIA-007003), and the mandatory
 * ones present. Re-exported by protocol.ts.
 */
import { EsiaProtocolError } from './errors.ts';

export type Params = Record<string, string>;

/** One value per parameter; a repeated one is ESIA-007003. */
export function readParams(source: Record<string, unknown>): Params {
  const out: Params = {};
  for (const [key, value] of Object.entries(source)) {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      throw new EsiaProtocolError(
        'ESIA-007003',
        `parameter ${key} is given ${value.length} times; ESIA accepts each parameter once`,
        { parameter: key },
      );
    }
    if (typeof value === 'string') out[key] = value;
    else if (value !== undefined && value !== null) {
      throw new EsiaProtocolError(
        'ESIA-007003',
        `parameter ${key} is ${Array.isArray(value) ? 'a JSON list' : typeof value === 'object' ? 'a JSON object' : `a JSON ${typeof value}`}; ESIA parameters are text`,
        { parameter: key },
      );
    }
  }
  return out;
}

export function requireParams(params: Params, names: string[]): void {
  for (const name of names) {
    if (!params[name]) {
      if (name === 'scope')
        throw new EsiaProtocolError('ESIA-007013', 'the request has no scope', { parameter: 'scope' });
      throw new EsiaProtocolError(
        'ESIA-007014',
        `mandatory parameter ${name} is missing or empty`,
        { parameter: name },
        name,
      );
    }
  }
}
