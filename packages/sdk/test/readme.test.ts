import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { OrganizationOperations, RosterClient, RosterOperations, RosterOrganization, TeamOperations } from '../src';

// README.md is part of the package: its method lists and the files it names must match the code.
const root = path.resolve(__dirname, '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

function methodsOf(prototype: object): string[] {
  return Object.getOwnPropertyNames(prototype).filter((name) => name !== 'constructor');
}

/** The backticked names in the table row whose first cell is `label`. */
function row(label: string): string[] {
  const line = readme.split('\n').find((l) => l.startsWith(`| ${label} |`));
  expect(line, `README row "${label}"`).toBeDefined();
  const cells = line!.split('|').slice(2).join('|');
  return [...cells.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]!);
}

describe('README.md', () => {
  test('the method table lists every generated method once', () => {
    const labels = [
      'accounts',
      'instance',
      'organizations',
      'invitations and members',
      'teams',
      'service accounts',
      'projects, runs, reports',
    ];
    const listed = labels.flatMap(row);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(methodsOf(RosterOperations.prototype).sort());
  });

  test('the handle tables list every method of the handles', () => {
    const org = [...methodsOf(OrganizationOperations.prototype), ...methodsOf(RosterOrganization.prototype)];
    expect(row('`roster.org(name)`').sort()).toEqual(org.sort());
    expect(row('`roster.org(name).team(name)`').sort()).toEqual(methodsOf(TeamOperations.prototype).sort());
  });

  test('the other client methods it names exist', () => {
    for (const name of ['org', 'inviteMany', 'request', 'setToken', 'clearToken', 'getToken']) {
      expect(typeof (RosterClient.prototype as unknown as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  test('every file of this package it names exists', () => {
    const named = [...readme.matchAll(/`((?:src|test|scripts|codegen)\/[^`\s]+|[\w.-]+\.(?:json|ts|mjs))`/g)].map(
      (m) => m[1]!,
    );
    expect(named.length).toBeGreaterThan(10);
    for (const file of named) {
      // `src/operations/*.graphql`, `src/operations/<name>.graphql`: the directory exists.
      const target = /[*<]/.test(file) ? path.dirname(file) : file;
      expect(existsSync(path.join(root, target)), file).toBe(true);
    }
  });
});
