import { useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RosterError } from '@roster/sdk';
import type {
  CreateLdapProviderInput,
  GroupMappingRole,
  InstanceSettingField,
  OrgRole,
  RosterClient,
  UpdateInstanceSettingsInput,
} from '@roster/sdk';
import { useClient } from '../../lib/client';
import { keys, useViewer } from '../../lib/queries';
import { TableWrap } from '../../components/TableWrap';
import { roleLabel } from '../../lib/format';
import { ORG_ROLES } from '../org/types';
import { Button, ConfirmDialog, Dialog, ErrorMessage, Select, Spinner } from '../../components/ui';

type Settings = Awaited<ReturnType<RosterClient['instanceSettings']>>;
const SETTINGS_KEY = ['instanceSettings'] as const;

/** Instance settings (instance admins): sign-in and provisioning, SMTP, SSO providers, group mappings, seats. */
export default function InstanceSettings() {
  const viewer = useViewer();
  const client = useClient();
  const admin = viewer.data?.user?.instanceAdmin === true;
  const settings = useQuery({ queryKey: SETTINGS_KEY, queryFn: () => client.instanceSettings(), enabled: admin });
  const signInSave = useSaveSettings();
  const smtpSave = useSaveSettings();
  if (viewer.isPending) return <Spinner />;
  if (!admin) {
    return (
      <div className="stack">
        <h1>Instance settings</h1>
        <p className="notice" data-testid="instance-settings-denied">
          Only instance admins may see and change the instance's settings.
        </p>
      </div>
    );
  }
  if (settings.isPending) return <Spinner />;
  if (settings.error) return <ErrorMessage error={settings.error} title="Could not load the instance settings" />;
  const s = settings.data;
  return (
    <div className="stack">
      <h1>Instance settings</h1>
      <dl className="dl card">
        <div>
          <dt>Public URL</dt>
          <dd>{s.publicUrl}</dd>
        </div>
        <div>
          <dt>Database</dt>
          <dd>{s.embeddedDatabase ? 'Embedded (PGlite)' : 'PostgreSQL'}</dd>
        </div>
        <div>
          <dt>Secrets key</dt>
          <dd>{s.secretsKeyConfigured ? 'Configured' : 'Not configured'}</dd>
        </div>
        <div>
          <dt>Longest API key lifetime</dt>
          <dd>{s.apiKeyMaxTtlDays} days</dd>
        </div>
        <div>
          <dt>Settings version</dt>
          <dd>{s.version}</dd>
        </div>
      </dl>
      {/* Keyed by the settings' version: a reset (or any change) shows the values now in effect, not the form's
          copy of the old ones. Their save state lives here, so a form re-created by its own save still says so. */}
      <SignInSettings key={`signin-${s.version}`} settings={s} save={signInSave} />
      <SmtpSettings key={`smtp-${s.version}`} settings={s} save={smtpSave} />
      <SsoProviders settings={s} />
      <Seats />
    </div>
  );
}

function useSaveSettings() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateInstanceSettingsInput) => client.updateInstanceSettings(input),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: SETTINGS_KEY });
      await qc.invalidateQueries({ queryKey: keys.instance });
    },
  });
}

/** "Set here" badge and a reset button for a setting stored through the API (it overrides the environment). */
function Override({ settings, field, save }: { settings: Settings; field: InstanceSettingField; save: () => void }) {
  if (!settings.overridden.includes(field)) return <span className="hint">from the environment</span>;
  return (
    <span className="row" style={{ gap: '0.25rem' }}>
      <span className="badge">set here</span>
      <Button variant="ghost" onClick={save} aria-label={`Reset ${field.toLowerCase().replace(/_/g, ' ')}`}>
        Reset
      </Button>
    </span>
  );
}

function Section({ title, children, id }: { title: string; children: ReactNode; id: string }) {
  return (
    <section className="card stack" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

type SaveSettings = ReturnType<typeof useSaveSettings>;

function SignInSettings({ settings: s, save }: { settings: Settings; save: SaveSettings }) {
  const [passwordSignIn, setPasswordSignIn] = useState(s.passwordSignIn);
  const [ssoProvisioning, setSsoProvisioning] = useState(s.ssoProvisioning);
  const [defaultOrganization, setDefaultOrganization] = useState(s.defaultOrganization ?? '');
  const [defaultOrgRole, setDefaultOrgRole] = useState<OrgRole>(s.defaultOrgRole);
  const [invitationTtlDays, setInvitationTtlDays] = useState(String(s.invitationTtlDays));
  const [sessionTtlHours, setSessionTtlHours] = useState(String(s.sessionTtlHours));
  const reset = (field: InstanceSettingField) => save.mutate({ reset: [field] });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      passwordSignIn,
      ssoProvisioning,
      defaultOrgRole,
      invitationTtlDays: Number.parseInt(invitationTtlDays, 10),
      sessionTtlHours: Number.parseInt(sessionTtlHours, 10),
      ...(defaultOrganization.trim() ? { defaultOrganization: defaultOrganization.trim() } : {}),
    });
  };
  return (
    <Section title="Sign-in and provisioning" id="signin-title">
      <form className="stack" onSubmit={submit}>
        <div className="row">
          <label className="check spacer">
            <input type="checkbox" checked={passwordSignIn} onChange={(e) => setPasswordSignIn(e.target.checked)} />
            Password sign-in <span className="hint">— off: SSO only (needs an SSO provider)</span>
          </label>
          <Override settings={s} field="PASSWORD_SIGN_IN" save={() => reset('PASSWORD_SIGN_IN')} />
        </div>
        <div className="row">
          <label className="check spacer">
            <input type="checkbox" checked={ssoProvisioning} onChange={(e) => setSsoProvisioning(e.target.checked)} />
            SSO auto-provisioning <span className="hint">— the first SSO sign-in creates the user</span>
          </label>
          <Override settings={s} field="SSO_PROVISIONING" save={() => reset('SSO_PROVISIONING')} />
        </div>
        <div className="grid-2">
          <div className="field">
            <label htmlFor="default-org">Organization provisioned users join</label>
            <input
              id="default-org"
              type="text"
              value={defaultOrganization}
              onChange={(e) => setDefaultOrganization(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="default-role">Their role there</label>
            <Select
              id="default-role"
              value={defaultOrgRole}
              onValueChange={(v) => setDefaultOrgRole(v as OrgRole)}
              options={ORG_ROLES.map((role) => ({ value: role, label: roleLabel(role) }))}
            />
          </div>
          <div className="field">
            <label htmlFor="invitation-ttl">Invitation lifetime (days, 1–365)</label>
            <input
              id="invitation-ttl"
              type="text"
              inputMode="numeric"
              value={invitationTtlDays}
              onChange={(e) => setInvitationTtlDays(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="session-ttl">Session lifetime (hours, 1–8760)</label>
            <input
              id="session-ttl"
              type="text"
              inputMode="numeric"
              value={sessionTtlHours}
              onChange={(e) => setSessionTtlHours(e.target.value)}
            />
          </div>
        </div>
        <ErrorMessage error={save.error} title="Could not save" />
        <p className="hint" role="status">
          {save.isPending ? 'Saving…' : save.isSuccess ? 'Saved.' : ''}
        </p>
        <div className="row">
          <Button type="submit" variant="primary" busy={save.isPending}>
            Save sign-in settings
          </Button>
        </div>
      </form>
    </Section>
  );
}

function SmtpSettings({ settings: s, save }: { settings: Settings; save: SaveSettings }) {
  const [smtpUrl, setSmtpUrl] = useState(s.smtpUrl ?? '');
  const [smtpUsername, setSmtpUsername] = useState(s.smtpUsername ?? '');
  const [smtpPassword, setSmtpPassword] = useState('');
  const [smtpFrom, setSmtpFrom] = useState(s.smtpFrom ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      ...(smtpUrl.trim() ? { smtpUrl: smtpUrl.trim() } : {}),
      ...(smtpUsername.trim() ? { smtpUsername: smtpUsername.trim() } : {}),
      ...(smtpPassword ? { smtpPassword } : {}),
      ...(smtpFrom.trim() ? { smtpFrom: smtpFrom.trim() } : {}),
    });
    setSmtpPassword('');
  };
  return (
    <Section title="Email (SMTP)" id="smtp-title">
      <p className="hint">
        {s.smtpConfigured
          ? 'Email is configured: invitations are sent.'
          : 'Email is not configured: share invitation links by hand.'}
      </p>
      <form className="stack" onSubmit={submit}>
        <div className="grid-2">
          <div className="field">
            <label htmlFor="smtp-url">Server (smtp://host:port or smtps://host:port)</label>
            <input id="smtp-url" type="text" value={smtpUrl} onChange={(e) => setSmtpUrl(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="smtp-from">From address</label>
            <input id="smtp-from" type="text" value={smtpFrom} onChange={(e) => setSmtpFrom(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="smtp-username">User name</label>
            <input
              id="smtp-username"
              type="text"
              autoComplete="off"
              value={smtpUsername}
              onChange={(e) => setSmtpUsername(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="smtp-password">Password {s.smtpPasswordSet ? '(set; type to replace)' : ''}</label>
            <input
              id="smtp-password"
              type="password"
              autoComplete="new-password"
              value={smtpPassword}
              onChange={(e) => setSmtpPassword(e.target.value)}
            />
          </div>
        </div>
        <ErrorMessage error={save.error} title="Could not save" />
        <p className="hint" role="status">
          {save.isPending ? 'Saving…' : save.isSuccess ? 'Saved.' : ''}
        </p>
        <div className="row">
          <Button type="submit" variant="primary" busy={save.isPending}>
            Save email settings
          </Button>
          {s.overridden.some((f) => f.startsWith('SMTP_')) ? (
            <Button
              onClick={() =>
                save.mutate({ reset: s.overridden.filter((f) => f.startsWith('SMTP_')) as InstanceSettingField[] })
              }
            >
              Reset to the environment
            </Button>
          ) : null}
        </div>
      </form>
    </Section>
  );
}

function SsoProviders({ settings: s }: { settings: Settings }) {
  const client = useClient();
  const qc = useQueryClient();
  const [deleting, setDeleting] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [addingLdap, setAddingLdap] = useState(false);
  return (
    <Section title="SSO providers" id="sso-title">
      <TableWrap label="SSO providers">
        <table className="data" aria-label="SSO providers">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Button label</th>
              <th scope="col">Kind</th>
              <th scope="col">Issuer or directory</th>
              <th scope="col">Source</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {s.ssoProviders.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">
                  No SSO provider: people sign in with passwords.
                </td>
              </tr>
            ) : null}
            {s.ssoProviders.map((p) => (
              <tr key={p.name}>
                <td>{p.name}</td>
                <td>{p.label}</td>
                <td>{p.kind}</td>
                <td>{p.oidc?.issuer ?? p.ldap?.url ?? '—'}</td>
                <td>{p.source === 'API' ? 'Set here' : 'Environment'}</td>
                <td>
                  <Button
                    variant="ghost"
                    disabled={p.source !== 'API'}
                    disabledReason={p.source !== 'API' ? 'Configured in the server environment: change it there' : null}
                    aria-label={`Delete provider ${p.name}`}
                    onClick={() => setDeleting(p.name)}
                  >
                    Delete
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <div className="row">
        <Button
          onClick={() => setAdding(true)}
          disabled={!s.secretsKeyConfigured}
          disabledReason={s.secretsKeyConfigured ? null : 'Set SECRETS_KEY on the server to store client secrets'}
        >
          Add OIDC provider
        </Button>
        <Button onClick={() => setAddingLdap(true)}>Add LDAP provider</Button>
      </div>
      <GroupMappings settings={s} />
      <AddOidcDialog open={adding} onOpenChange={setAdding} />
      <AddLdapDialog open={addingLdap} onOpenChange={setAddingLdap} secretsKey={s.secretsKeyConfigured} />
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={`Delete the SSO provider ${deleting ?? ''}?`}
        description="Its sign-in button disappears; accounts linked to it keep their other ways to sign in."
        confirmLabel="Delete provider"
        danger
        onConfirm={async () => {
          if (deleting) await client.deleteSsoProvider({ name: deleting });
          await qc.invalidateQueries({ queryKey: SETTINGS_KEY });
          await qc.invalidateQueries({ queryKey: keys.ssoProviders });
        }}
      />
    </Section>
  );
}

function AddOidcDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const client = useClient();
  const qc = useQueryClient();
  const [f, setF] = useState({ name: '', label: '', issuer: '', clientId: '', clientSecret: '' });
  const create = useMutation({
    mutationFn: () =>
      client.createOidcProvider({
        name: f.name.trim(),
        label: f.label.trim(),
        issuer: f.issuer.trim(),
        clientId: f.clientId.trim(),
        ...(f.clientSecret ? { clientSecret: f.clientSecret } : {}),
      }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: SETTINGS_KEY });
      await qc.invalidateQueries({ queryKey: keys.ssoProviders });
      close(false);
    },
  });
  const close = (o: boolean) => {
    if (!o) {
      create.reset();
      setF({ name: '', label: '', issuer: '', clientId: '', clientSecret: '' });
    }
    onOpenChange(o);
  };
  const field = (k: keyof typeof f, label: string, type = 'text') => (
    <div className="field">
      <label htmlFor={`oidc-${k}`}>{label}</label>
      <input
        id={`oidc-${k}`}
        type={type}
        autoComplete="off"
        value={f[k]}
        onChange={(e) => setF((x) => ({ ...x, [k]: e.target.value }))}
      />
    </div>
  );
  return (
    <Dialog open={open} onOpenChange={close} title="Add OIDC provider">
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        {field('name', 'Name (in URLs, e.g. okta)')}
        {field('label', 'Button label (e.g. Sign in with Okta)')}
        {field('issuer', 'Issuer URL')}
        {field('clientId', 'Client id')}
        {field('clientSecret', 'Client secret', 'password')}
        <ErrorMessage error={create.error} />
        {create.isPending ? (
          <p className="hint" role="status">
            Checking the issuer's discovery document…
          </p>
        ) : null}
        <div className="dialog-actions">
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Add provider
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** The server's message and, when it names one, the input field it is about. */
function ServerError({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <>
      <ErrorMessage error={error} {...(title ? { title } : {})} />
      {error instanceof RosterError && error.field ? (
        <p className="hint" data-testid="error-field">
          Field: <code>{error.field}</code>
        </p>
      ) : null}
    </>
  );
}

const EMPTY_LDAP = {
  name: '',
  label: '',
  url: '',
  startTls: false,
  tlsCaPem: '',
  bindDnTemplate: '',
  userSearchBase: '',
  userSearchAttribute: '',
  serviceBindDn: '',
  serviceBindPassword: '',
  usernameAttribute: '',
  emailAttribute: '',
  nameAttribute: '',
  groupSource: 'MEMBER_OF' as 'MEMBER_OF' | 'SEARCH',
  groupSearchBase: '',
  groupMemberAttribute: '',
  groupAllowList: '',
};
const NO_SECRETS_KEY = 'Set SECRETS_KEY on the server to store a service bind password.';
type LdapText = Exclude<keyof typeof EMPTY_LDAP, 'startTls' | 'groupSource'>;

/** createLdapProvider's fields; the service bind password is write-only (never shown again). */
function AddLdapDialog({
  open,
  onOpenChange,
  secretsKey,
}: {
  open: boolean;
  onOpenChange: (o: boolean) => void;
  secretsKey: boolean;
}) {
  const client = useClient();
  const qc = useQueryClient();
  const [f, setF] = useState(EMPTY_LDAP);
  const create = useMutation({
    mutationFn: () => {
      const input: CreateLdapProviderInput = {
        name: f.name.trim(),
        label: f.label.trim(),
        url: f.url.trim(),
        startTls: f.startTls,
        groupSource: f.groupSource,
      };
      const optional: Array<Exclude<LdapText, 'name' | 'label' | 'url' | 'groupAllowList'>> = [
        'tlsCaPem',
        'bindDnTemplate',
        'userSearchBase',
        'userSearchAttribute',
        'serviceBindDn',
        'usernameAttribute',
        'emailAttribute',
        'nameAttribute',
        'groupSearchBase',
        'groupMemberAttribute',
      ];
      for (const k of optional) if (f[k].trim()) input[k] = f[k].trim();
      if (f.serviceBindPassword) input.serviceBindPassword = f.serviceBindPassword;
      const allow = f.groupAllowList
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean);
      if (allow.length) input.groupAllowList = allow;
      return client.createLdapProvider(input);
    },
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: SETTINGS_KEY });
      await qc.invalidateQueries({ queryKey: keys.ssoProviders });
      close(false);
    },
  });
  const close = (o: boolean) => {
    if (!o) {
      create.reset();
      setF(EMPTY_LDAP);
    }
    onOpenChange(o);
  };
  const field = (k: LdapText, label: string, type = 'text', disabled = false) => (
    <div className="field">
      <label htmlFor={`ldap-${k}`}>{label}</label>
      <input
        id={`ldap-${k}`}
        type={type}
        autoComplete={type === 'password' ? 'new-password' : 'off'}
        value={f[k]}
        disabled={disabled}
        onChange={(e) => setF((x) => ({ ...x, [k]: e.target.value }))}
      />
    </div>
  );
  return (
    <Dialog open={open} onOpenChange={close} title="Add LDAP provider">
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        {field('name', 'Name (the provider of logIn, e.g. corp)')}
        {field('label', 'Label on the sign-in page')}
        {field('url', 'Server URL (ldap://host:389 or ldaps://host:636)')}
        <label className="row">
          <input
            type="checkbox"
            checked={f.startTls}
            onChange={(e) => setF((x) => ({ ...x, startTls: e.target.checked }))}
          />
          StartTLS (ldap:// only)
        </label>
        <div className="field">
          <label htmlFor="ldap-tlsCaPem">Extra CA to trust (PEM, optional)</label>
          <textarea
            id="ldap-tlsCaPem"
            rows={3}
            value={f.tlsCaPem}
            onChange={(e) => setF((x) => ({ ...x, tlsCaPem: e.target.value }))}
          />
        </div>
        {field('bindDnTemplate', 'Direct bind DN template with {username} (e.g. uid={username},ou=people,dc=corp)')}
        <p className="hint">Or search, then bind:</p>
        {field('userSearchBase', 'User search base')}
        {field('userSearchAttribute', 'User search attribute (e.g. uid)')}
        {field('serviceBindDn', 'Service bind DN')}
        {field('serviceBindPassword', 'Service bind password (write-only)', 'password', !secretsKey)}
        {secretsKey ? null : <p className="hint">{NO_SECRETS_KEY}</p>}
        {field('usernameAttribute', 'Username attribute (default uid)')}
        {field('emailAttribute', 'Email attribute (default mail)')}
        {field('nameAttribute', 'Name attribute (default cn)')}
        <div className="field">
          <label htmlFor="ldap-groupSource">Groups from</label>
          <select
            id="ldap-groupSource"
            value={f.groupSource}
            onChange={(e) => setF((x) => ({ ...x, groupSource: e.target.value as 'MEMBER_OF' | 'SEARCH' }))}
          >
            <option value="MEMBER_OF">The user's memberOf attribute</option>
            <option value="SEARCH">A group search</option>
          </select>
        </div>
        {field('groupSearchBase', 'Group search base (group search)')}
        {field('groupMemberAttribute', 'Group member attribute (group search, e.g. member)')}
        {field('groupAllowList', 'Only these groups may sign in (comma-separated; empty: anyone)')}
        <ServerError error={create.error} />
        <div className="dialog-actions">
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Add provider
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

interface MappingRow {
  key: number;
  group: string;
  organization: string;
  team: string;
  role: GroupMappingRole;
}
const MAPPING_ROLES: GroupMappingRole[] = ['ADMIN', 'MEMBER', 'VIEWER'];

/** IdP group → team mappings: edit the rows, then save them all (setGroupMappings). */
function GroupMappings({ settings: s }: { settings: Settings }) {
  const client = useClient();
  const qc = useQueryClient();
  const [next, setNext] = useState(s.groupMappings.length);
  const [rows, setRows] = useState<MappingRow[]>(() =>
    s.groupMappings.map((g, i) => ({
      key: i,
      group: g.group,
      organization: g.organization,
      team: g.team,
      role: g.role,
    })),
  );
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: () =>
      client.setGroupMappings({
        mappings: rows.map(({ group, organization, team, role }) => ({
          group: group.trim(),
          organization: organization.trim(),
          team: team.trim(),
          role,
        })),
      }),
    onSuccess: async () => {
      setSaved(true);
      await qc.invalidateQueries({ queryKey: SETTINGS_KEY });
    },
  });
  const edit = (key: number, change: Partial<MappingRow>) => {
    setSaved(false);
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...change } : r)));
  };
  const input = (r: MappingRow, k: 'group' | 'organization' | 'team', label: string, n: number) => (
    <input
      aria-label={`${label} of mapping ${n}`}
      value={r[k]}
      onChange={(e) => edit(r.key, { [k]: e.target.value })}
    />
  );
  return (
    <form
      className="stack"
      aria-labelledby="mappings-title"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <h3 id="mappings-title">Group mappings</h3>
      <p className="hint">
        Members of an IdP group (OIDC groups claim, LDAP group CN) join the team at sign-in.{' '}
        {s.overridden.includes('GROUP_MAPPINGS') ? 'Set here.' : 'From the environment until saved here.'}
      </p>
      <TableWrap label="Group mappings">
        <table className="data compact" aria-label="Group mappings">
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Organization</th>
              <th scope="col">Team</th>
              <th scope="col">Role</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={5} className="muted">
                  No group mappings.
                </td>
              </tr>
            ) : null}
            {rows.map((r, i) => (
              <tr key={r.key} data-testid={`mapping-${i + 1}`}>
                <td>{input(r, 'group', 'Group', i + 1)}</td>
                <td>{input(r, 'organization', 'Organization', i + 1)}</td>
                <td>{input(r, 'team', 'Team', i + 1)}</td>
                <td>
                  <select
                    aria-label={`Role of mapping ${i + 1}`}
                    value={r.role}
                    onChange={(e) => edit(r.key, { role: e.target.value as GroupMappingRole })}
                  >
                    {MAPPING_ROLES.map((role) => (
                      <option key={role} value={role}>
                        {roleLabel(role)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <Button
                    variant="ghost"
                    aria-label={`Remove mapping ${i + 1}`}
                    onClick={() => {
                      setSaved(false);
                      setRows((rs) => rs.filter((x) => x.key !== r.key));
                    }}
                  >
                    Remove
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <div className="row">
        <Button
          onClick={() => {
            setSaved(false);
            setRows((rs) => [...rs, { key: next, group: '', organization: '', team: '', role: 'MEMBER' }]);
            setNext(next + 1);
          }}
        >
          Add mapping
        </Button>
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save group mappings
        </Button>
        <span className="hint" role="status">
          {saved ? 'Saved.' : ''}
        </span>
      </div>
      <ServerError error={save.error} title="Could not save the group mappings" />
    </form>
  );
}

/** Seats per organization: members, seats used and the limit (instance admins set it). */
function Seats() {
  const client = useClient();
  const usage = useQuery({ queryKey: ['instanceUsage', 'seats'], queryFn: () => client.instanceUsage({ first: 100 }) });
  return (
    <Section title="Organizations and seats" id="seats-title">
      <ErrorMessage error={usage.error} />
      {usage.isPending ? <Spinner /> : null}
      {usage.data ? (
        <TableWrap label="Organizations and seats">
          <table className="data" aria-label="Organizations and seats">
            <thead>
              <tr>
                <th scope="col">Organization</th>
                <th scope="col">Members</th>
                <th scope="col">Active in 30 days</th>
                <th scope="col">Seats used</th>
                <th scope="col">Seat limit</th>
              </tr>
            </thead>
            <tbody>
              {usage.data.organizations.nodes.map((o) => (
                <tr key={o.name}>
                  <td>
                    {o.displayName} <span className="hint">{o.name}</span>
                  </td>
                  <td>{o.usage.members}</td>
                  <td>{o.usage.activeUsersLast30Days}</td>
                  <td>{o.usage.seatsUsed}</td>
                  <td>
                    <SeatLimit org={o.name} limit={o.usage.seatLimit ?? null} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </Section>
  );
}

function SeatLimit({ org, limit }: { org: string; limit: number | null }) {
  const client = useClient();
  const qc = useQueryClient();
  const [value, setValue] = useState(limit === null ? '' : String(limit));
  const save = useMutation({
    mutationFn: () =>
      client.updateOrganization({ organization: org, seatLimit: value.trim() ? Number.parseInt(value, 10) : null }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['instanceUsage'] });
      await qc.invalidateQueries({ queryKey: keys.organization(org) });
    },
  });
  return (
    <form
      className="row"
      style={{ flexWrap: 'nowrap' }}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <input
        type="text"
        inputMode="numeric"
        aria-label={`Seat limit of ${org} (empty: unlimited)`}
        placeholder="unlimited"
        value={value}
        style={{ width: '7rem' }}
        onChange={(e) => setValue(e.target.value)}
      />
      <Button type="submit" busy={save.isPending} aria-label={`Save seat limit of ${org}`}>
        Save
      </Button>
      {save.isSuccess ? (
        <span className="hint" role="status">
          Saved
        </span>
      ) : null}
      <ErrorMessage error={save.error} />
    </form>
  );
}
