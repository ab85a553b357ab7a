/* feature «webauthn»: @simplewebauthn/browser's UMD bundle (global SimpleWebAuthnBrowser), read once from node_modules. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

let script: Promise<string> | undefined;

export function webauthnBrowserScript(): Promise<string> {
  // The package exports only its ESM entry; the bundle sits beside it at dist/bundle/.
  script ??= readFile(
    fileURLToPath(new URL('../dist/bundle/index.umd.min.js', import.meta.resolve('@simplewebauthn/browser'))),
    'utf8',
  );
  return script;
}
