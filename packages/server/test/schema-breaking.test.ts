import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSchema } from 'graphql';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';

const SCHEMA_DIR = path.resolve(__dirname, '../../schema');
const RELEASES = path.join(SCHEMA_DIR, 'releases');
const CHANGELOG = path.resolve(__dirname, '../../../CHANGELOG.md');

/** The newest released schema: packages/schema/releases/<semver>.graphql. */
function latestRelease(): { version: string; sdl: string } {
  const versions = fs
    .readdirSync(RELEASES)
    .filter((f) => /^\d+\.\d+\.\d+\.graphql$/.test(f))
    .map((f) => f.replace(/\.graphql$/, ''))
    .sort((a, b) => {
      const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
      for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
      return 0;
    });
  const version = versions.at(-1);
  if (!version) throw new Error(`no released schema in ${RELEASES}`);
  return { version, sdl: fs.readFileSync(path.join(RELEASES, `${version}.graphql`), 'utf8') };
}

/** The CHANGELOG's "Unreleased" section: every breaking change must be named there. */
function unreleasedNotes(): string {
  const text = fs.readFileSync(CHANGELOG, 'utf8');
  const start = text.indexOf('## Unreleased');
  if (start === -1) return '';
  const next = text.indexOf('\n## ', start + 1);
  return text.slice(start, next === -1 ? undefined : next);
}

describe('schema breaking-change check (graphql-inspector)', () => {
  it('names every breaking change since the last release in the CHANGELOG', async () => {
    const release = latestRelease();
    const current = fs.readFileSync(path.join(SCHEMA_DIR, 'schema.graphql'), 'utf8');
    const changes: Change[] = await diff(buildSchema(release.sdl), buildSchema(current));
    const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
    const notes = unreleasedNotes();
    // A breaking change is acknowledged when its schema coordinate (e.g. `Mutation.resendInvite`) appears
    // in the Unreleased section; anything else is an accident and fails loudly with the inspector's words.
    const unacknowledged = breaking
      .filter((c) => !c.path || !notes.includes(`\`${c.path}\``))
      .map((c) => `${c.path ?? '(schema)'}: ${c.message}`);
    expect(
      unacknowledged,
      `breaking changes against ${release.version} missing from CHANGELOG.md "Unreleased"`,
    ).toEqual([]);
  });

  it('would catch an accidental breaking change', async () => {
    const release = latestRelease();
    // logIn's payload made nullable: clients that rely on it being there would break.
    const broken = buildSchema(
      release.sdl.replace('logIn(input: LogInInput!): LogInPayload!', 'logIn(input: LogInInput!): LogInPayload'),
    );
    const changes = await diff(buildSchema(release.sdl), broken);
    expect(changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking).map((c) => c.path)).toEqual([
      'Mutation.logIn',
    ]);
  });
});
