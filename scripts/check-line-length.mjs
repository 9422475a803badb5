#!/usr/bin/env node
// Lists every line longer than 120 characters in the tracked .ts/.mts/.mjs/.js files outside generated/ directories
// and exits 1 if there is any. Biome keeps code within 120 columns but never splits strings or comments: this
// catches those. Run from anywhere in the repository; no dependencies.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const MAX = 120;
const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
const files = execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.mts', '*.mjs', '*.js'], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
})
  .split('\0')
  .filter((file) => file && !file.split('/').includes('generated'));

let count = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(path.join(root, file), 'utf8');
  } catch {
    continue; // deleted in the working tree but still in the index
  }
  text.split(/\r?\n/).forEach((line, i) => {
    // Code points, not UTF-16 units, so that an emoji counts as one character.
    const length = [...line].length;
    if (length > MAX) {
      count++;
      console.log(`${file}:${i + 1}: ${length} characters`);
    }
  });
}
if (count > 0) {
  const lines = `${count} line${count === 1 ? '' : 's'}`;
  console.error(`${lines} longer than ${MAX} characters: split the string literal or wrap the comment.`);
  process.exit(1);
}
