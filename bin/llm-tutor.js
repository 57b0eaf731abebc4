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
// A failure nobody caught is still one line, never a stack trace (the commands report their own).
const reportAndExit = (error) => {
  const message = error && error.message ? error.message : String(error);
  process.stderr.write(`llm-tutor: unexpected error: ${message.split('\n')[0]}\n`);
  process.exit(1);
};
process.on('uncaughtException', reportAndExit);
process.on('unhandledRejection', reportAndExit);
require(engine)
  .runCli(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`llm-tutor: ${String(error && error.message ? error.message : error).split('\n')[0]}\n`);
      process.exitCode = 1;
    },
  );
