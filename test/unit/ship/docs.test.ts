import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import test from 'ava';
import { parseConfig } from '../../../src/config/index.js';

const repo = new URL('../../../', import.meta.url).pathname;
const docs = readdirSync(join(repo, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);
const read = (path: string) => readFileSync(join(repo, path), 'utf8');
/** Messages systemd and RAUC print, quoted in troubleshooting.md next to ours. */
const OTHERS_WORDING = /^(status=|Failed with result|Failed to verify bundle signature|Compatible mismatch|unsafe bundle|failed to take ownership of bundle|… AccessDenied …)/;

test('every relative link in README.md and docs/ points at an existing file', (t) => {
  for (const page of ['README.md', ...docs]) {
    for (const [, target] of read(page).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      t.true(existsSync(join(repo, dirname(page), target!)), `${page} → ${target}`);
    }
  }
});

test('README links every operator document', (t) => {
  const readme = read('README.md');
  for (const page of ['getting-started', 'configuration', 'deploying', 'migrating', 'security', 'troubleshooting', 'library']) {
    t.true(readme.includes(`(docs/${page}.md)`), page);
  }
});

test('config examples in the docs load without errors or warnings', (t) => {
  let checked = 0;
  for (const page of docs) {
    for (const [, block] of read(page).matchAll(/```ini\n([\s\S]*?)```/g)) {
      if (!block!.includes('[client]')) continue;
      const { warnings } = parseConfig(block!, page);
      t.deepEqual(warnings, [], page);
      checked++;
    }
  }
  t.true(checked >= 1);
});

test('the messages troubleshooting.md quotes are the ones the code prints', (t) => {
  const sources = readdirSync(join(repo, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => read(`src/${file}`))
    .join('\n');
  const guide = read('docs/troubleshooting.md');
  // The messages in headings and in the first column of the tables: the fixed parts of each one
  // (between `…` placeholders) must occur in the sources.
  const quoted = guide.split('\n').flatMap((line) => {
    const place = line.startsWith('### ') ? line : line.startsWith('| `') ? line.split(' | ')[0]! : '';
    return [...place.matchAll(/`([^`]+)`/g)].map((match) => match[1]!).filter((text) => !OTHERS_WORDING.test(text));
  });
  t.true(quoted.length >= 20, String(quoted.length));
  for (const message of quoted) {
    for (const part of message.split('…').map((piece) => piece.replace(/^[\s().;"']+|[\s().;"']+$/g, '')).filter((piece) => piece.length >= 8)) {
      t.true(sources.includes(part), `${message}: "${part}" is not in src/`);
    }
  }
});
