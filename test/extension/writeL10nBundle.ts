/**
 * Regenerates l10n/bundle.l10n.zh-cn.json from src/extension/messages.ts:
 *   node --import tsx test/extension/writeL10nBundle.ts
 * (language.test.ts fails when the two disagree.)
 */
import { writeFileSync } from 'fs';
import * as path from 'path';
import { expectedZhCnBundle } from './l10nBundle';

const file = path.join(__dirname, '..', '..', 'l10n', 'bundle.l10n.zh-cn.json');
writeFileSync(file, `${JSON.stringify(expectedZhCnBundle(), null, 2)}\n`);
console.log(`wrote ${file}`);
