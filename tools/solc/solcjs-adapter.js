#!/usr/bin/env node
// Answers the two calls py-solc-x (and so brownie) makes of a native solc binary, on top of
// solc-js (the Solidity team's WebAssembly build): `--version` and `--standard-json`.
// Output is written with fs.writeSync so that large JSON is never cut off at exit.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require(path.join(__dirname, '..', '..', 'node_modules', 'solc'));

const args = process.argv.slice(2);

function write(text) {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) off += fs.writeSync(1, buf, off, buf.length - off);
}

if (args.includes('--version')) {
  write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}

if (!args.includes('--standard-json')) {
  process.stderr.write('solcjs-adapter: only --version and --standard-json are supported\n');
  process.exit(2);
}

// Paths solc may read imports from: --allow-paths a,b plus --base-path and the working directory.
const roots = [process.cwd()];
for (const flag of ['--allow-paths', '--base-path', '--include-path']) {
  const i = args.indexOf(flag);
  if (i >= 0 && args[i + 1]) roots.push(...args[i + 1].split(','));
}

function findImports(importPath) {
  const candidates = path.isAbsolute(importPath)
    ? [importPath]
    : roots.map((root) => path.resolve(root, importPath));
  for (const file of candidates) {
    if (fs.existsSync(file)) return { contents: fs.readFileSync(file, 'utf8') };
  }
  return { error: `File not found: ${importPath}` };
}

const input = fs.readFileSync(0, 'utf8');
write(solc.compile(input, { import: findImports }));
