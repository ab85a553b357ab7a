/*
 * `npm run build` (and so `npm start`'s prestart), after tsc has type-checked: bundles start.ts and
 * everything it imports, node_modules included, into build/start.js with esbuild. Node 20 then reads
 * and links one file instead of about 550 (resolving, reading and compiling each ES module took
 * most of the start-up). Modules the code loads with `await import()` at first use (the WebAuthn
 * server library, qrcode) stay separate chunks, loaded only when needed.
 *
 * Stack traces name build/start.js and the functions' own names (the bundle is not minified; each
 * module starts with a `// path/of/source.ts` comment). build/start.js.map maps them to the
 * TypeScript sources: `NODE_OPTIONS=--enable-source-maps npm start` (not the default: reading the map
 * costs about 80 ms at every start).
 */
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

const outdir = 'build';

// The previous build, so no stale chunk (or a per-file build of older checkouts) lies next to this one.
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: ['start.ts'],
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Lazily imported modules become chunks of their own instead of being loaded with the rest.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  // The map points into the checkout, where the sources are: no need to copy them into it.
  sourcesContent: false,
  // CommonJS packages inside an ES module bundle call require() for Node's own modules (zlib, util…).
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
