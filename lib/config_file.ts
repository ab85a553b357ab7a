/* Reading a JSON configuration file: a file that is missing or not JSON is a ConfigFileError naming it. */
import { readFile } from 'node:fs/promises';
import { unreadable } from './errors.ts';

/** The parsed file; `whenMissing` (when given) stands in for a file that does not exist. */
export async function readConfigFile(path: string, whenMissing?: unknown): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (whenMissing !== undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return whenMissing;
    throw unreadable(path, error);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw unreadable(path, error);
  }
}
