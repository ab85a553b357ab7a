/*
 * The import graph of the repository's sources, for test/layering.test.ts: which module imports which
 * (static, re-export, side-effect and dynamic imports, type-only ones too), which top-level folder
 * may reach which, and the cycles. Pure functions over a map of path → source, so the checker itself
 * is tested on planted files, not only on the real tree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/** Repository-relative path (forward slashes) → source text. */
export type Sources = Map<string, string>;

const sourceFile = /\.(ts|mts|mjs)$/;
const skipped = new Set(['node_modules', 'build', 'out', 'data', '.git']);

export function readSources(root: string, dir = ''): Sources {
  const found: Sources = new Map();
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!skipped.has(entry.name) && !entry.name.startsWith('.'))
        for (const [p, s] of readSources(root, path)) found.set(p, s);
    } else if (sourceFile.test(entry.name)) found.set(path, readFileSync(join(root, path), 'utf8'));
  }
  return found;
}

const patterns = [
  // import x from '…', import { a, b } from '…', import type …, export { a } from '…', export * from '…'
  /(?:^|[\n;])\s*(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g,
  // import '…' (side effects only)
  /(?:^|[\n;])\s*import\s*['"]([^'"]+)['"]/g,
  // import('…'), also in JSDoc type positions
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** What a file imports: repository paths for relative specifiers, the bare name for packages. */
export function importsOf(file: string, source: string): string[] {
  const specs = patterns.flatMap((p) => [...source.matchAll(p)].map((m) => m[1] as string));
  return [
    ...new Set(
      specs.map((spec) => (spec.startsWith('.') ? posix.normalize(posix.join(posix.dirname(file), spec)) : spec)),
    ),
  ];
}

/** Module → the modules of the repository it imports (packages left out). */
export function moduleGraph(sources: Sources): Map<string, string[]> {
  return new Map(
    [...sources].map(([file, source]) => [file, importsOf(file, source).filter((target) => sources.has(target))]),
  );
}

/** The top-level folder a file belongs to; files at the root are their own unit (start.ts, bundle.ts). */
export function folderOf(file: string): string {
  return file.includes('/') ? file.slice(0, file.indexOf('/')) : file;
}

/** Every module reachable from `start` by following imports (not including `start` unless on a cycle). */
export function reachable(graph: Map<string, string[]>, start: string): Set<string> {
  const seen = new Set<string>();
  const queue = [...(graph.get(start) ?? [])];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(graph.get(next) ?? []));
  }
  return seen;
}

/**
 * A folder rule: the folders its files may reach, directly or through any chain of imports.
 * '*' allows everything.
 */
export type FolderRules = Record<string, string[]>;

/** `file → target (via the file's own import)` for each folder a file reaches but may not. */
export function folderViolations(sources: Sources, rules: FolderRules): string[] {
  const graph = moduleGraph(sources);
  const found: string[] = [];
  for (const file of graph.keys()) {
    const folder = folderOf(file);
    const allowed = rules[folder];
    if (!allowed) {
      found.push(`${file}: folder ${folder} has no rule`);
      continue;
    }
    if (allowed.includes('*')) continue;
    // One example per forbidden folder and file is enough to act on.
    const named = new Set<string>();
    for (const direct of graph.get(file) ?? []) {
      for (const target of [direct, ...reachable(graph, direct)]) {
        const to = folderOf(target);
        if (to === folder || allowed.includes(to) || named.has(to)) continue;
        named.add(to);
        found.push(`${file} → ${target}${target === direct ? '' : ` (via ${direct})`}`);
      }
    }
  }
  return found;
}

/** The folder-level graph: folder → folders its files import directly. */
export function folderGraph(sources: Sources): Map<string, string[]> {
  const edges = new Map<string, Set<string>>();
  for (const [file, targets] of moduleGraph(sources)) {
    const from = folderOf(file);
    const set = edges.get(from) ?? new Set<string>();
    for (const t of targets) if (folderOf(t) !== from) set.add(folderOf(t));
    edges.set(from, set);
  }
  return new Map([...edges].map(([k, v]) => [k, [...v].sort()]));
}

/** Strongly connected components with more than one node, or a node importing itself (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indices.get(next)!));
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}
