/*
 * Summarises a V8 .cpuprofile (node --cpu-prof) of the emulator under load: self time per function,
 * self time per package or project folder, and inclusive time of the project's own functions. Only
 * samples inside the load window count, so start-up and the idle tail do not dilute the picture.
 * `npm start` runs one esbuild bundle (build/emulator.cjs, see bundle.ts): its frames are first mapped back
 * to their source file and line through the bundle's source maps, so packages and project folders
 * are told apart. tsx hands V8 whitespace-minified code (a whole file on one line), so project
 * positions of code run through tsx are mapped back through the source maps in tsx's cache; without
 * them a column is shown.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
  /** Set when the position was already mapped back to the source (bundle frames). */
  mapped?: true;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  name: string;
  ms: number;
  /** Share of busy (non-idle) time in the window, percent. */
  pct: number;
}

export interface ProfileSummary {
  file: string;
  windowMs: [number, number];
  busyMs: number;
  idleMs: number;
  topSelf: Row[];
  byPackage: Row[];
  projectInclusive: Row[];
}

const base64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Per generated line, [generated column, source line, source index] in column order (source map v3 "mappings"). */
function decodeMappings(mappings: string): Array<Array<[number, number, number]>> {
  const lines: Array<Array<[number, number, number]>> = [];
  let srcLine = 0;
  let srcIndex = 0;
  for (const line of mappings.split(';')) {
    const segs: Array<[number, number, number]> = [];
    let genCol = 0;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = base64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += values[0] ?? 0;
      if (values.length >= 4) {
        srcIndex += values[1]!;
        srcLine += values[2]!;
        segs.push([genCol, srcLine, srcIndex]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

type LineMapper = (line: number, column: number) => number | undefined;

/** The last segment at or before `column` on a decoded line. */
function segmentAt(
  segs: Array<[number, number, number]> | undefined,
  column: number,
): [number, number, number] | undefined {
  let found: [number, number, number] | undefined;
  for (const seg of segs ?? []) {
    if (seg[0] > column) break;
    found = seg;
  }
  return found;
}

/**
 * Maps frames of the bundle `npm start` runs (build/emulator.cjs, see bundle.ts) to the file and
 * line they were bundled from, through esbuild's linked source map. Other frames are returned as
 * they are. The bundle runs as a vm.Script, so its frames carry a plain path rather than a file URL.
 */
async function bundleFrameMapper(repoRoot: string): Promise<(frame: CallFrame) => CallFrame> {
  const buildDir = join(repoRoot, 'build');
  const maps = new Map<string, { sources: string[]; lines: Array<Array<[number, number, number]>> }>();
  let files: string[] = [];
  try {
    files = (await readdir(buildDir)).filter((f) => f.endsWith('.map'));
  } catch {
    // No build: nothing to map.
  }
  for (const file of files) {
    const mapUrl = pathToFileURL(join(buildDir, file)).href;
    const map = JSON.parse(await readFile(new URL(mapUrl), 'utf8')) as { sources: string[]; mappings: string };
    const entry = {
      sources: map.sources.map((source) => new URL(source, mapUrl).href),
      lines: decodeMappings(map.mappings),
    };
    const bundle = join(buildDir, file.slice(0, -'.map'.length));
    maps.set(bundle, entry);
    maps.set(pathToFileURL(bundle).href, entry);
  }
  return (frame) => {
    const map = maps.get(frame.url);
    const seg = map && segmentAt(map.lines[frame.lineNumber], frame.columnNumber);
    if (!map || !seg) return frame;
    return { ...frame, url: map.sources[seg[2]]!, lineNumber: seg[1], columnNumber: 0, mapped: true };
  };
}

/**
 * Source line lookup for project files from tsx's transform cache (${tmpdir}/tsx-<uid>, entries
 * {code, map}). When a file has several cached versions the newest is taken: the emulator just ran
 * the current source, so that is almost always the right one. A heuristic for a benchmark report.
 */
async function tsxLineMappers(): Promise<Map<string, LineMapper>> {
  const dir = join(tmpdir(), `tsx-${process.getuid?.() ?? 0}`);
  const newest = new Map<string, { mtime: number; mappings: string }>();
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    return new Map();
  }
  for (const name of names) {
    try {
      const file = join(dir, name);
      const entry = JSON.parse(await readFile(file, 'utf8')) as { map?: { sources?: string[]; mappings?: string } };
      const source = entry.map?.sources?.[0];
      if (!source || !entry.map?.mappings) continue;
      const mtime = (await stat(file)).mtimeMs;
      if ((newest.get(source)?.mtime ?? -1) < mtime) newest.set(source, { mtime, mappings: entry.map.mappings });
    } catch {
      // Not a transform entry: skip.
    }
  }
  const mappers = new Map<string, LineMapper>();
  for (const [source, { mappings }] of newest) {
    let decoded: Array<Array<[number, number, number]>> | undefined;
    mappers.set(source, (line, column) => {
      decoded ??= decodeMappings(mappings);
      const seg = segmentAt(decoded[line], column);
      return seg === undefined ? undefined : seg[1] + 1;
    });
  }
  return mappers;
}

const specials = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function shortUrl(url: string, repoRoot: string): string {
  if (!url) return '';
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  return path.startsWith(repoRoot) ? path.slice(repoRoot.length) : path;
}

/** Package name for node_modules code, top folder for project code, and fixed labels for the rest. */
function bucketOf(frame: CallFrame, repoRoot: string): string {
  if (specials.has(frame.functionName)) return frame.functionName;
  if (!frame.url) return '(native / V8 builtins)';
  if (frame.url.startsWith('node:')) return 'node: internals';
  const path = frame.url.startsWith('file://') ? decodeURIComponent(new URL(frame.url).pathname) : frame.url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (path.startsWith(repoRoot)) {
    const rel = path.slice(repoRoot.length).split('/');
    return `project: ${rel.length > 2 ? `${rel[0]}/${rel[1]}` : rel[0]}`;
  }
  return path;
}

function isProject(frame: CallFrame, repoRoot: string): boolean {
  return frame.url.startsWith(`file://${repoRoot}`) && !frame.url.includes('/node_modules/');
}

function labeller(repoRoot: string, mappers: Map<string, LineMapper>) {
  const cache = new Map<CallFrame, string>();
  return (frame: CallFrame): string => {
    let out = cache.get(frame);
    if (out !== undefined) return out;
    const where = shortUrl(frame.url, repoRoot);
    let line = String(frame.lineNumber + 1);
    if (isProject(frame, repoRoot) && !frame.mapped) {
      const mapped = mappers.get(decodeURIComponent(new URL(frame.url).pathname))?.(
        frame.lineNumber,
        frame.columnNumber,
      );
      line = mapped === undefined ? `${frame.lineNumber + 1}@col${frame.columnNumber}` : String(mapped);
    }
    out = `${frame.functionName || '(anonymous)'}${where ? ` ${where}:${line}` : ''}`;
    cache.set(frame, out);
    return out;
  };
}

function rows(map: Map<string, number>, busyMs: number, limit: number): Row[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({ name, ms: us / 1000, pct: (100 * us) / 1000 / busyMs }));
}

/**
 * `fromMs`/`toMs` are offsets from the profile's start (≈ process start); samples outside are ignored.
 */
export async function summariseProfile(
  file: string,
  repoRoot: string,
  fromMs: number,
  toMs: number,
  limit = 25,
): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  const unbundle = await bundleFrameMapper(repoRoot);
  for (const node of profile.nodes) {
    node.callFrame = unbundle(node.callFrame);
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }

  const label = labeller(repoRoot, await tsxLineMappers());
  const self = new Map<string, number>();
  const packages = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let t = profile.startTime;
  const n = profile.samples.length;
  for (let i = 0; i < n; i++) {
    t += profile.timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one (as Chrome DevTools counts it).
    const dur = profile.timeDeltas[i + 1] ?? 0;
    const at = (t - profile.startTime) / 1000;
    if (at < fromMs || at > toMs) continue;
    const node = byId.get(profile.samples[i]!)!;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idle += dur;
      continue;
    }
    busy += dur;
    const key = label(frame);
    self.set(key, (self.get(key) ?? 0) + dur);
    const bucket = bucketOf(frame, repoRoot);
    packages.set(bucket, (packages.get(bucket) ?? 0) + dur);
    // Inclusive time: every distinct project function on the stack gets the sample once (recursion counted once).
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (!isProject(f, repoRoot)) continue;
      const k = label(f);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dur);
    }
  }
  const busyMs = busy / 1000;
  return {
    file,
    windowMs: [fromMs, toMs],
    busyMs,
    idleMs: idle / 1000,
    topSelf: rows(self, busyMs, limit),
    byPackage: rows(packages, busyMs, 15),
    projectInclusive: rows(inclusive, busyMs, 15),
  };
}
