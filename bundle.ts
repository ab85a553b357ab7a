/*
 * `npm run build` (and so `npm start`'s prestart), after tsc has type-checked: bundles start.ts and
 * everything it imports, node_modules included, into build/emulator.cjs with esbuild, and writes
 * build/start.js, which runs it with a V8 code cache. Node 20 then reads one file instead of about
 * 550 ES modules (resolving, reading and compiling each took most of the start-up), and from the
 * second start on skips compiling it too.
 *
 * The code cache: Node 20 has no module.enableCompileCache() (Node 22), so build/start.js does what
 * it does for this one file: compiles the bundle as a vm.Script with the V8 code cache
 * build/emulator.cjs.v8-cache when there is one, and writes that cache when the process exits if
 * there was none or V8 refused it (another Node version). The cache belongs to exactly one bundle:
 * a build that changes build/emulator.cjs (or the loader) deletes it; an unchanged bundle is not
 * rewritten, so the cache survives `npm start` after `npm start`.
 *
 * CommonJS, not ES modules: vm.Script takes a code cache, ES modules cannot on Node 20. The
 * modules loaded at first use (the WebAuthn server library, qrcode, and the mail libraries: mailparser
 * for the first message the SMTP listener receives, nodemailer for the first e-mail a relying party
 * sends) stay outside the bundle and are required from node_modules when first needed.
 *
 * Stack traces name build/emulator.cjs and the functions' own names (the bundle is not minified;
 * each module starts with a `// path/of/source.ts` comment). build/emulator.cjs.map maps them to
 * the TypeScript sources: `NODE_OPTIONS=--enable-source-maps npm start` (then without the code
 * cache: not the default, reading the map costs about 80 ms at every start).
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const outdir = 'build';
const bundle = 'emulator.cjs';
const cache = `${bundle}.v8-cache`;

const loader = `// Written by bundle.ts: runs ${bundle} with a V8 code cache (see bundle.ts).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const file = fileURLToPath(new URL('./${bundle}', import.meta.url));
const require = createRequire(file);
if (process.sourceMapsEnabled) {
  // --enable-source-maps: Node's own loader, which reads the source map.
  require(file);
} else {
  const cacheFile = fileURLToPath(new URL('./${cache}', import.meta.url));
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache yet: compiled from source, cached at exit.
  }
  // The CommonJS module wrapper, as Node's own loader puts it around a file.
  const source = \`(function (exports, require, module, __filename, __dirname) { \${readFileSync(file, 'utf8')}\n});\`;
  const script = new Script(source, { filename: file, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    // At exit the cache holds every function compiled so far: start-up's, and the first requests'.
    process.once('exit', () => {
      try {
        const temp = \`\${cacheFile}.\${process.pid}.tmp\`;
        writeFileSync(temp, script.createCachedData());
        renameSync(temp, cacheFile);
      } catch {
        // Only a cache: the next start compiles from source again.
      }
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, file, dirname(file));
}
`;

const result = await build({
  entryPoints: { emulator: 'start.ts' },
  outdir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Loaded at first use (await import()): required from node_modules then, as they always were.
  // pdfkit reads its font metrics from files next to its own module, so it must stay in node_modules;
  // mailparser and nodemailer are loaded at the first message, outside the bundle.
  external: ['@simplewebauthn/server', 'qrcode', 'pdfkit', 'mailparser', 'nodemailer'],
  supported: { 'dynamic-import': false },
  // The two import.meta uses, in CommonJS terms (the bundle lives in build/, inside the checkout).
  define: { 'import.meta.dirname': '__dirname', 'import.meta.resolve': '__importMetaResolve' },
  banner: {
    js: "const __importMetaResolve = (specifier) => require('node:url').pathToFileURL(require.resolve(specifier)).href;",
  },
  sourcemap: 'linked',
  // The map points into the checkout, where the sources are: no need to copy them into it.
  sourcesContent: false,
  write: false,
  logLevel: 'warning',
});

// Files are rewritten only when they change, and the code cache is dropped with the code it was made for.
const outputs = new Map(result.outputFiles.map((f) => [f.path.slice(f.path.lastIndexOf('/') + 1), f.text]));
outputs.set('start.js', loader);
await mkdir(outdir, { recursive: true });
const existing = await readdir(outdir);
for (const name of existing) {
  if (!outputs.has(name) && name !== cache) await rm(join(outdir, name), { recursive: true, force: true });
}
for (const [name, text] of outputs) {
  const path = join(outdir, name);
  if ((await readFile(path, 'utf8').catch(() => undefined)) === text) continue;
  await writeFile(path, text);
  // The cache was made for the script the loader compiles: the bundle inside the loader's wrapper.
  if (name === bundle || name === 'start.js') await rm(join(outdir, cache), { force: true });
}
