#!/usr/bin/env node
// The `llm-tutor` CLI: a thin shim over the bundled engine (built by `npm ci` / `npm run build`).
'use strict';
const path = require('path');
const fs = require('fs');
const engine = path.join(__dirname, '..', 'dist', 'engine.js');
if (!fs.existsSync(engine)) {
  process.stderr.write('llm-tutor: dist/engine.js is missing; run `npm run build` first\n');
  process.exit(2);
}
require(engine)
  .runCli(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`llm-tutor: ${error && error.message ? error.message : error}\n`);
      process.exitCode = 1;
    },
  );
