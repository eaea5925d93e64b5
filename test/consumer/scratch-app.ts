import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ROOT } from '../repo-root';

/** Both workspace packages packed as npm would publish them: tarball path and file list of each. */
export interface PackedPackage {
  name: string;
  tarball: string;
  files: string[];
}

/** `npm pack` of each workspace package into `dir`. */
export function packWorkspaces(dir: string): Record<'meshcast' | 'meshcast-server', PackedPackage> {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir, '--workspace', 'packages/meshcast', '--workspace', 'packages/meshcast-server'], { cwd: ROOT, encoding: 'utf8' });
  const packed = JSON.parse(out) as Array<{ name: string; filename: string; files: Array<{ path: string }> }>;
  const byName = Object.fromEntries(packed.map((p) => [p.name, { name: p.name, tarball: path.join(dir, p.filename), files: p.files.map((f) => f.path).sort() }]));
  return byName as Record<'meshcast' | 'meshcast-server', PackedPackage>;
}

/** A fresh app folder with a package.json and nothing else, as `npm init` would leave it. */
export function scratchApp(parent: string, name: string): string {
  const dir = path.join(parent, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }, null, 2));
  return dir;
}

/** Plain `npm install` (install scripts on, no overrides): what a user of the packages runs. */
export function npmInstall(app: string, specs: string[]): void {
  execFileSync('npm', ['install', '--no-audit', '--no-fund', ...specs], { cwd: app, stdio: 'pipe', timeout: 600_000 });
}

/** What an install put into the app: packages under node_modules and their bytes on disk. */
export function installFootprint(app: string): { packages: number; bytes: number } {
  const lock = JSON.parse(execFileSync('cat', [path.join(app, 'package-lock.json')], { encoding: 'utf8' })) as { packages: Record<string, unknown> };
  const packages = Object.keys(lock.packages).filter((key) => key.startsWith('node_modules/')).length;
  const bytes = Number(execFileSync('du', ['-sb', path.join(app, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
  return { packages, bytes };
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/** An ordinary static web server for a built app (what the team would deploy to), on a free port. */
export async function serveStatic(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const urlPath = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    let file = path.join(dir, urlPath);
    if (!file.startsWith(dir)) return void response.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!existsSync(file)) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Every file under `dir`, relative to it. */
export function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(prefix, entry.name);
    return entry.isDirectory() ? listFiles(dir, rel) : [rel];
  });
}
