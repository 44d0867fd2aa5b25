// Builds the dashboard's vendored assets into ../static/build (or the
// directory given as the first argument) from the packages pinned in
// package-lock.json. The output is committed and embedded in the binary, so
// `go build` needs no Node; `make assets-check` rebuilds into a temporary
// directory and compares, so the committed files always match the lockfile.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] || join(here, '..', 'static', 'build');
mkdirSync(out, { recursive: true });

const lock = JSON.parse(readFileSync(join(here, 'package-lock.json'), 'utf8'));
const version = (name) => lock.packages[`node_modules/${name}`].version;

const common = { bundle: true, minify: true, format: 'iife', target: 'es2019', legalComments: 'eof', logLevel: 'warning' };

await build({ ...common, entryPoints: [join(here, 'src', 'charts.js')], outfile: join(out, 'echarts.js') });
await build({ ...common, entryPoints: [join(here, 'src', 'tracker.js')], outfile: join(out, 'tp.js'), legalComments: 'none' });
copyFileSync(join(here, 'node_modules', 'htmx.org', 'dist', 'htmx.min.js'), join(out, 'htmx.min.js'));

// The manifest ties each file to the packages it came from, so a Go test
// can check the embedded files without Node.
const files = {
  'echarts.js': ['echarts', 'zrender', 'tslib', 'esbuild'],
  'tp.js': ['esbuild'],
  'htmx.min.js': ['htmx.org'],
};
const manifest = { built_by: 'web/ui/build.mjs', files: {} };
for (const [file, pkgs] of Object.entries(files)) {
  const sum = createHash('sha256').update(readFileSync(join(out, file))).digest('hex');
  manifest.files[file] = { sha256: sum, packages: Object.fromEntries(pkgs.map((p) => [p, version(p)])) };
}
writeFileSync(join(out, 'MANIFEST.json'), JSON.stringify(manifest, null, 2) + '\n');
