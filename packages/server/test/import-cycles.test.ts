import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Relative imports that exist at run time (`import type` and all-type import lists are erased by the compiler). */
function runtimeImports(file: string): string[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const targets: string[] = [];
  for (const stmt of sf.statements) {
    let spec: ts.Expression | undefined;
    if (ts.isImportDeclaration(stmt)) {
      const clause = stmt.importClause;
      if (clause?.isTypeOnly) continue;
      const named = clause?.namedBindings;
      if (
        clause &&
        !clause.name &&
        named &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((el) => el.isTypeOnly)
      )
        continue;
      spec = stmt.moduleSpecifier;
    } else if (ts.isExportDeclaration(stmt) && !stmt.isTypeOnly) {
      spec = stmt.moduleSpecifier;
    }
    if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) continue;
    const base = path.resolve(path.dirname(file), spec.text);
    const resolved = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
    if (resolved) targets.push(resolved);
  }
  return targets;
}

/** The module import graph of src/, and for each service the chain by which it imports itself again, if any. */
function serviceCycles(): string[] {
  const graph = new Map(sourceFiles(SRC).map((f) => [f, runtimeImports(f)]));
  const services = [...graph.keys()].filter((f) => /modules\/[^/]+\/[^/]+\.service\.ts$/.test(f));
  const cycles: string[] = [];
  for (const service of services) {
    // Breadth-first from the service's imports; a path back to it is a cycle.
    const previous = new Map<string, string>();
    const queue = [...(graph.get(service) ?? [])];
    for (const f of queue) previous.set(f, service);
    while (queue.length) {
      const f = queue.shift()!;
      if (f === service) {
        const chain = [service];
        let at = previous.get(service)!;
        while (at !== service) {
          chain.unshift(at);
          at = previous.get(at)!;
        }
        chain.unshift(service);
        cycles.push(chain.map((c) => path.relative(SRC, c)).join(' -> '));
        break;
      }
      for (const next of graph.get(f) ?? []) {
        if (!previous.has(next)) {
          previous.set(next, f);
          queue.push(next);
        }
      }
    }
  }
  return cycles;
}

describe('module import graph', () => {
  it('has no cycle through a service (src/modules/*/*.service.ts): shared helpers live below the services', () => {
    expect(serviceCycles()).toEqual([]);
  });

  it('sees the imports it checks (a service that imports another is an edge of the graph)', () => {
    const imports = runtimeImports(path.join(SRC, 'modules/invitations/invitation.service.ts')).map((f) =>
      path.relative(SRC, f),
    );
    expect(imports).toContain('modules/organizations/organization.service.ts');
    expect(imports).not.toContain('modules/accounts/account.service.ts');
  });
});
