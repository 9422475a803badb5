import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RosterClient, TeamPermission, TeamRole } from '@roster/sdk';
import { useClient } from '../../lib/client';
import { keys, useCustomRoles, useOrgName, usePermissions } from '../../lib/queries';
import { formatDate } from '../../lib/format';
import { TEAM_ROLE_LABEL } from '../teams/team-data';
import { TableWrap } from '../../components/TableWrap';
import { Button, ConfirmDialog, ErrorMessage, Spinner } from '../../components/ui';

type Catalogue = Awaited<ReturnType<RosterClient['permissionCatalogue']>>;
type CustomRole = Awaited<ReturnType<RosterClient['customRoles']>>['nodes'][number];

/** `SERVICE_ACCOUNT_MANAGE` → `service_account:manage` (the API's enum values are the names upper-cased). */
export function permissionName(p: string): string {
  const object = p.startsWith('SERVICE_ACCOUNT_') ? 'SERVICE_ACCOUNT' : (p.split('_')[0] ?? p);
  return `${object.toLowerCase()}:${p.slice(object.length + 1).toLowerCase()}`;
}

function objectOf(p: string): string {
  return permissionName(p).split(':')[0] ?? p;
}

/** Everything `p` needs, transitively (not `p` itself). */
function requirementsOf(p: TeamPermission, catalogue: Catalogue): Set<TeamPermission> {
  const byName = new Map(catalogue.permissions.map((x) => [x.name, x]));
  const out = new Set<TeamPermission>();
  const stack = [...(byName.get(p)?.requires ?? [])];
  while (stack.length) {
    const next = stack.pop() as TeamPermission;
    if (out.has(next)) continue;
    out.add(next);
    stack.push(...(byName.get(next)?.requires ?? []));
  }
  return out;
}

/** Custom roles of the organization: a base role plus permissions, built from the permission catalogue. */
export default function CustomRoles() {
  const org = useOrgName();
  const client = useClient();
  const qc = useQueryClient();
  const { can } = usePermissions(org);
  const mayManage = can('CUSTOM_ROLE_MANAGE');
  const reason = mayManage ? null : 'Only organization admins manage custom roles';
  const catalogue = useQuery({
    queryKey: ['permissionCatalogue'],
    queryFn: () => client.permissionCatalogue(),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const roles = useCustomRoles(org);
  const [editing, setEditing] = useState<CustomRole | 'new' | null>(null);
  const [deleting, setDeleting] = useState<CustomRole | null>(null);
  const [status, setStatus] = useState('');
  const refresh = () => qc.invalidateQueries({ queryKey: keys.orgPart(org, 'custom-roles') });
  const max = catalogue.data?.maxCustomRolesPerOrganization;
  const full = max !== undefined && (roles.data?.totalCount ?? 0) >= max;
  return (
    <div className="stack">
      <div className="row">
        <h1 className="spacer" style={{ margin: 0 }}>
          Custom roles
        </h1>
        <Button
          variant="primary"
          disabled={!mayManage || full}
          disabledReason={reason ?? (full ? `An organization has at most ${max} custom roles` : null)}
          onClick={() => setEditing('new')}
        >
          New custom role
        </Button>
      </div>
      <p className="muted">
        A custom role starts from View-Only or Member and adds permissions. Team admins can then give it to members of
        their teams (team Settings → Members).
      </p>
      <p className="hint" role="status" data-testid="roles-status">
        {status}
      </p>
      <ErrorMessage error={roles.error ?? catalogue.error} />
      {roles.isPending ? <Spinner /> : null}
      {roles.data ? (
        <TableWrap label="Custom roles">
          <table className="data" aria-label="Custom roles">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Base role</th>
                <th scope="col">Added permissions</th>
                <th scope="col">Description</th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {roles.data.nodes.length === 0 ? (
                <tr>
                  <td colSpan={6} className="muted">
                    No custom roles yet.
                  </td>
                </tr>
              ) : null}
              {roles.data.nodes.map((r) => (
                <tr key={r.id} data-testid={`custom-role-${r.name}`}>
                  <td>{r.name}</td>
                  <td>{TEAM_ROLE_LABEL[r.inheritsFrom] ?? r.inheritsFrom}</td>
                  <td>
                    {r.permissions.length === 0
                      ? '—'
                      : r.permissions.map((p) => (
                          <code key={p} className="perm-chip">
                            {permissionName(p)}
                          </code>
                        ))}
                  </td>
                  <td>{r.description ?? ''}</td>
                  <td>{formatDate(r.updatedAt)}</td>
                  <td>
                    <div className="row" style={{ flexWrap: 'nowrap' }}>
                      <Button
                        variant="ghost"
                        disabled={!mayManage}
                        disabledReason={reason}
                        aria-label={`Edit ${r.name}`}
                        onClick={() => setEditing(r)}
                      >
                        Edit
                      </Button>
                      <Button
                        variant="ghost"
                        disabled={!mayManage}
                        disabledReason={reason}
                        aria-label={`Delete ${r.name}`}
                        onClick={() => setDeleting(r)}
                      >
                        Delete
                      </Button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      {editing && catalogue.data ? (
        <RoleEditor
          key={editing === 'new' ? 'new' : editing.id}
          org={org}
          role={editing === 'new' ? null : editing}
          catalogue={catalogue.data}
          onDone={(message) => {
            setEditing(null);
            if (message) setStatus(message);
            void refresh();
          }}
        />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={`Delete the custom role ${deleting?.name ?? ''}?`}
        description="Members who hold it go back to its base role."
        confirmLabel="Delete role"
        danger
        onConfirm={async () => {
          if (!deleting) return;
          const res = await client.deleteCustomRole({ id: deleting.id });
          setStatus(`${deleting.name} deleted; ${res.reassigned} member(s) went back to its base role.`);
          await refresh();
        }}
      />
    </div>
  );
}

function RoleEditor({
  org,
  role,
  catalogue,
  onDone,
}: {
  org: string;
  role: CustomRole | null;
  catalogue: Catalogue;
  onDone: (message: string | null) => void;
}) {
  const client = useClient();
  const bases = catalogue.roles.filter((r) => r.inheritable);
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [base, setBase] = useState<TeamRole>(role?.inheritsFrom ?? 'MEMBER');
  const [added, setAdded] = useState<Set<TeamPermission>>(new Set(role?.permissions ?? []));
  const [note, setNote] = useState('');
  const nameRef = useRef<HTMLInputElement>(null);
  // The editor opens below the list: bring it into view and put the cursor in its first field.
  useEffect(() => {
    nameRef.current?.scrollIntoView({ block: 'center' });
    nameRef.current?.focus({ preventScroll: true });
  }, []);
  const inBase = useMemo(
    () => new Set<TeamPermission>(catalogue.roles.find((r) => r.role === base)?.permissions ?? []),
    [catalogue, base],
  );
  const groups = useMemo(() => {
    const m = new Map<string, Catalogue['permissions']>();
    for (const p of catalogue.permissions) {
      const o = objectOf(p.name);
      m.set(o, [...(m.get(o) ?? []), p]);
    }
    return [...m.entries()];
  }, [catalogue]);

  const tick = (p: TeamPermission, on: boolean) => {
    const next = new Set(added);
    if (on) {
      next.add(p);
      const also = [...requirementsOf(p, catalogue)].filter((r) => !inBase.has(r) && !next.has(r));
      for (const r of also) next.add(r);
      setNote(
        also.length ? `Also ticked, as ${permissionName(p)} needs them: ${also.map(permissionName).join(', ')}` : '',
      );
    } else {
      next.delete(p);
      // Whatever needs `p` cannot stay without it.
      const dependents = [...next].filter((x) => requirementsOf(x, catalogue).has(p));
      for (const d of dependents) next.delete(d);
      setNote(
        dependents.length
          ? `Also unticked, as they need ${permissionName(p)}: ${dependents.map(permissionName).join(', ')}`
          : '',
      );
    }
    setAdded(next);
  };

  const save = useMutation({
    mutationFn: async () => {
      // Only what the base role does not already hold.
      const permissions = [...added].filter((p) => !inBase.has(p));
      if (role) {
        await client.updateCustomRole({
          id: role.id,
          name: name.trim(),
          description: description.trim() ? description.trim() : null,
          inheritsFrom: base,
          permissions,
        });
      } else {
        await client.createCustomRole({
          organization: org,
          name: name.trim(),
          inheritsFrom: base,
          permissions,
          ...(description.trim() ? { description: description.trim() } : {}),
        });
      }
    },
    onSuccess: () => onDone(role ? `${name.trim()} saved.` : `${name.trim()} created.`),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="role-editor-title" data-testid="role-editor">
      <h2 id="role-editor-title">{role ? `Edit ${role.name}` : 'New custom role'}</h2>
      <div className="grid-2">
        <div className="field">
          <label htmlFor="role-name">Name</label>
          <input
            ref={nameRef}
            id="role-name"
            type="text"
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="role-description">Description (optional)</label>
          <input
            id="role-description"
            type="text"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
      </div>
      <fieldset className="fieldset row">
        <legend>Base role</legend>
        {bases.map((b) => (
          <label key={b.role} className="check">
            <input type="radio" name="base-role" checked={base === b.role} onChange={() => setBase(b.role)} />
            {TEAM_ROLE_LABEL[b.role] ?? b.role} <span className="hint">({b.permissions.length} permissions)</span>
          </label>
        ))}
      </fieldset>
      <p className="hint" role="status" data-testid="dependency-note">
        {note}
      </p>
      <div className="perm-grid">
        {groups.map(([object, perms]) => (
          <fieldset key={object} className="perm-group">
            <legend>
              <strong>{object.replace('_', ' ')}</strong>
            </legend>
            {perms.map((p) => {
              const fromBase = inBase.has(p.name);
              const requires = p.requires.map(permissionName).join(', ');
              const id = `perm-${p.name}`;
              return (
                <div key={p.name} className="check" style={{ alignItems: 'flex-start' }}>
                  <input
                    id={id}
                    type="checkbox"
                    checked={fromBase || added.has(p.name)}
                    disabled={fromBase}
                    onChange={(e) => tick(p.name, e.target.checked)}
                    aria-describedby={`${id}-desc`}
                  />
                  <div>
                    <label htmlFor={id} style={{ fontWeight: 400, margin: 0 }}>
                      <code>{permissionName(p.name)}</code>
                    </label>
                    <span id={`${id}-desc`} className="hint" style={{ display: 'block' }}>
                      {p.description}
                      {requires ? ` Needs ${requires}.` : ''}
                      {fromBase ? ` Included in ${TEAM_ROLE_LABEL[base] ?? base}.` : ''}
                    </span>
                  </div>
                </div>
              );
            })}
          </fieldset>
        ))}
      </div>
      <ErrorMessage error={save.error} title="Could not save the role" />
      <div className="row">
        <Button type="submit" variant="primary" busy={save.isPending}>
          {role ? 'Save role' : 'Create role'}
        </Button>
        <Button onClick={() => onDone(null)}>Cancel</Button>
      </div>
    </form>
  );
}
