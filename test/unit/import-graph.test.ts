import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from '../repo-root';

// The house: browser code (src/browser, the package `meshcast`, and src/dashboard, the page the server
// serves) never imports Node code (src/server, the package `meshcast-server`, or Node's modules), and
// no module imports itself round a circle, type-only imports included.

const SRC = path.join(ROOT, 'src');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
const rel = (file: string) => path.relative(ROOT, file);

const sources = new Set(files(SRC));
/** Each source file's imports: other source files (resolved) and bare package names. */
const graph = new Map([...sources].map((file) => {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const local: string[] = [];
  const packages: string[] = [];
  for (const { fileName } of importedFiles) {
    if (fileName.startsWith('.')) {
      const base = path.resolve(path.dirname(file), fileName);
      local.push([`${base}.ts`, path.join(base, 'index.ts'), base].find((f) => sources.has(f)) ?? `${base}.ts`);
    } else packages.push(fileName);
  }
  return [file, { local, packages }];
}));

const isBrowser = (file: string) => /^src\/(browser|dashboard)\//.test(rel(file));
const NODE_PACKAGES = /^(node:|fs|path|http|https|net|os|crypto|child_process|worker_threads|url|util|events|stream)(\/|$)|^(fastify|@fastify\/|better-sqlite3|bittorrent-tracker|prom-client|range-parser|pg|ws)(\/|$)/;

test('browser code imports no Node code: neither src/server nor Node modules or server packages', () => {
  const wrong: string[] = [];
  for (const [file, { local, packages }] of graph) {
    if (!isBrowser(file)) continue;
    for (const target of local) if (!isBrowser(target)) wrong.push(`${rel(file)} -> ${rel(target)}`);
    for (const name of packages) if (NODE_PACKAGES.test(name)) wrong.push(`${rel(file)} -> ${name}`);
  }
  expect(wrong).toEqual([]);
});

test('every local import resolves to a source file', () => {
  const missing = [...graph].flatMap(([file, { local }]) => local.filter((t) => !graph.has(t)).map((t) => `${rel(file)} -> ${rel(t)}`));
  expect(missing).toEqual([]);
});

/** Circles in a graph of units (files, or folders), by Tarjan's strongly connected components. */
function circlesIn(edges: Map<string, string[]>): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (file: string): void => {
    order.set(file, index);
    low.set(file, index++);
    stack.push(file);
    onStack.add(file);
    for (const next of edges.get(file) ?? []) {
      if (!edges.has(next)) continue;
      if (!order.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, order.get(next)!));
    }
    if (low.get(file) === order.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1) circles.push(component.sort());
    }
  };
  for (const file of edges.keys()) if (!order.has(file)) visit(file);
  return circles;
}

test('no import circle between files of src/', () => {
  const edges = new Map([...graph].map(([file, { local }]) => [rel(file), local.map(rel).filter((t) => t !== rel(file))]));
  expect(circlesIn(edges)).toEqual([]);
});

test('no import circle between the parts of src/ (its folders, and the files beside them)', () => {
  // src/browser/policy/x.ts -> src/browser/policy; src/browser/config.ts stays itself.
  const unit = (file: string) => {
    const parts = rel(file).split('/');
    const depth = parts[1] === 'browser' || parts[1] === 'server' ? 3 : 2;
    return parts.length > depth ? parts.slice(0, depth).join('/') : rel(file);
  };
  const edges = new Map<string, string[]>();
  for (const [file, { local }] of graph) {
    const from = unit(file);
    const targets = edges.get(from) ?? [];
    for (const target of local) if (unit(target) !== from) targets.push(unit(target));
    edges.set(from, targets);
  }
  expect(circlesIn(edges)).toEqual([]);
});
