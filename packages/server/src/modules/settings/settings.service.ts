import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Service } from '../service';
import { InstancePermission } from '../../authz/permissions';
import { AppError, ErrorCode, badInput, conflict, forbidden, notFound } from '../../errors';
import { parseInput, ssoProviderNameSchema } from '../../validation';
import { AuditAction } from '../audit/audit.service';
import {
  apiSmtpUrlSchema,
  clientSecretSchema,
  groupMappingsSchema,
  ldapFieldsSchema,
  ldapProblems,
  oidcFieldsSchema,
  oidcProblems,
  privateKeyJwkSchema,
} from './settings.schemas';
import {
  GENERAL_FIELDS,
  InstanceSettingsStore,
  PROVIDER_SECRET_FIELDS,
  secretName,
  type EffectiveSettings,
  type GeneralField,
  type StoredOverrides,
  type StoredProvider,
  type StoredSettings,
} from './instance-settings-store';
import type { GroupMapping } from '../sso/sso-settings';

const updateSchema = z.object({
  ssoProvisioning: z.boolean().optional(),
  defaultOrganization: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(40)
    .transform((v) => v.toLowerCase())
    .optional(),
  defaultOrgRole: z.enum(['ADMIN', 'MEMBER', 'VIEWER']).optional(),
  invitationTtlDays: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be 1-365')
    .max(365, 'must be 1-365')
    .optional(),
  sessionTtlHours: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be 1-8760 (a year)')
    .max(8760, 'must be 1-8760 (a year)')
    .optional(),
  smtpUrl: apiSmtpUrlSchema.optional(),
  smtpUsername: z.string().min(1, 'must not be empty').max(254).optional(),
  smtpPassword: z.string().min(1, 'must not be empty').max(1024).optional(),
  smtpFrom: z.string().trim().min(3).max(320).optional(),
  passwordSignIn: z.boolean().optional(),
  reset: z.array(z.enum(GENERAL_FIELDS)).max(GENERAL_FIELDS.length).default([]),
});

const oidcSecretsSchema = z.object({
  clientSecret: clientSecretSchema.optional(),
  privateKeyJwk: privateKeyJwkSchema.optional(),
});
const ldapSecretsSchema = z.object({ serviceBindPassword: z.string().min(1).max(1024).optional() });

type Kind = 'OIDC' | 'LDAP';

/** Drops undefined values (GraphQL leaves absent input fields undefined; null means "clear" where allowed). */
function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

/**
 * Instance settings through the API (issue 12, item 5), for instance admins. Every change runs in one transaction
 * that locks the settings row, is audited with the names of the fields it changed (never a secret's value), bumps
 * the settings version and is loaded by this process at once; other processes load it within SETTINGS_REFRESH_MS.
 */
export class SettingsService extends Service {
  private get store(): InstanceSettingsStore {
    return this.ctx.app.settings;
  }

  async view(): Promise<EffectiveSettings> {
    this.ctx.authz.requireInstance(InstancePermission.READ_SETTINGS);
    return this.store.current();
  }

  /** Locks the settings row, re-checks that the caller is still an instance admin, runs the change, reloads. */
  private async change(
    work: (em: EntityManager, stored: StoredSettings) => Promise<void> | void,
  ): Promise<EffectiveSettings> {
    const principal = this.ctx.authz.requireUser();
    this.ctx.authz.requireInstance(InstancePermission.MANAGE_SETTINGS);
    await this.em.transactional(async (em) => {
      const stored = await InstanceSettingsStore.read(em, true);
      const still = await em
        .getConnection()
        .execute<Array<{ instance_admin: boolean }>>(
          'select instance_admin from users where id = ?',
          [principal.user.id],
          'all',
          em.getTransactionContext(),
        );
      if (!still[0]?.instance_admin) throw forbidden('You are no longer an instance admin.');
      await work(em, stored);
      await InstanceSettingsStore.write(em, stored, principal.user.id);
    });
    return this.store.reload();
  }

  private encrypt(stored: StoredSettings, name: string, value: string): void {
    stored.secrets[name] = this.store.box.encrypt(value, name);
  }

  private providerCount(stored: StoredSettings): number {
    return this.store.defaults.providers.length + (stored.overrides.providers?.length ?? 0);
  }

  private requireProviderForPasswordOff(stored: StoredSettings): void {
    const passwordSignIn = stored.overrides.passwordSignIn ?? this.store.defaults.passwordSignIn;
    if (!passwordSignIn && this.providerCount(stored) === 0) {
      throw new AppError(
        ErrorCode.SSO_PROVIDER_REQUIRED,
        'Password sign-in cannot be off while no SSO provider is configured: nobody could sign in. Add an SSO ' +
          'provider first (createOidcProvider, createLdapProvider).',
        { field: 'passwordSignIn' },
      );
    }
  }

  private async requireOrganization(em: EntityManager, name: string, field: string): Promise<string> {
    const rows = await em
      .getConnection()
      .execute<Array<{ id: string }>>(
        'select id from organizations where name = ?',
        [name],
        'all',
        em.getTransactionContext(),
      );
    if (!rows[0]) throw new AppError(ErrorCode.NOT_FOUND, `No organization named "${name}".`, { field });
    return rows[0].id;
  }

  async update(raw: Record<string, unknown>): Promise<EffectiveSettings> {
    // null resets a field to the environment's value, like listing it in `reset`.
    const nulls = Object.keys(raw).filter((k) => raw[k] === null && k !== 'reset');
    const given = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null));
    const input = parseInput(updateSchema, {
      ...given,
      reset: [...new Set([...((raw.reset as string[] | null) ?? []), ...nulls])],
    });
    for (const f of input.reset) {
      if (f === 'groupMappings') throw badInput('reset', 'reset group mappings with setGroupMappings(reset: true)');
      if (input[f as Exclude<GeneralField, 'groupMappings'>] !== undefined)
        throw badInput('reset', `${f} is both set and reset`);
    }
    const changed: string[] = [];
    return this.change(async (em, stored) => {
      const o = stored.overrides as Record<string, unknown>;
      for (const f of input.reset) {
        if (f === 'smtpPassword') {
          if (stored.secrets[secretName.smtpPassword] !== undefined) changed.push(f);
          delete stored.secrets[secretName.smtpPassword];
        } else {
          if (o[f] !== undefined) changed.push(f);
          delete o[f];
        }
      }
      if (input.defaultOrganization !== undefined)
        await this.requireOrganization(em, input.defaultOrganization, 'defaultOrganization');
      const plain = defined({ ...input, reset: undefined, smtpPassword: undefined });
      for (const [f, v] of Object.entries(plain)) {
        if (o[f] !== v) changed.push(f);
        o[f] = v;
      }
      if (input.smtpPassword !== undefined) {
        this.encrypt(stored, secretName.smtpPassword, input.smtpPassword);
        changed.push('smtpPassword');
      }
      if (input.smtpPassword !== undefined && stored.overrides.smtpUsername === undefined)
        throw badInput('smtpUsername', 'set smtpUsername with smtpPassword');
      this.requireProviderForPasswordOff(stored);
      this.audit(em, {
        action: AuditAction.INSTANCE_SETTINGS_UPDATED,
        target: { type: 'instance_settings', id: 'instance', label: 'instance settings' },
        metadata: { changed: [...new Set(changed)], reset: input.reset },
      });
    });
  }

  private findStored(stored: StoredSettings, name: string): StoredProvider | undefined {
    return stored.overrides.providers?.find((p) => p.name === name);
  }

  async saveProvider(kind: Kind, raw: Record<string, unknown>, mode: 'create' | 'update'): Promise<EffectiveSettings> {
    const name = parseInput(z.object({ name: ssoProviderNameSchema }), { name: raw.name }).name;
    const secretsSchema = kind === 'OIDC' ? oidcSecretsSchema : ldapSecretsSchema;
    const secretKeys = kind === 'OIDC' ? ['clientSecret', 'privateKeyJwk'] : ['serviceBindPassword'];
    const newSecrets = parseInput(secretsSchema, defined(Object.fromEntries(secretKeys.map((k) => [k, raw[k]]))));
    // Omitted fields keep their value; null clears an optional one (create: the same as omitting it).
    const fieldsInput = Object.fromEntries(
      Object.entries(raw).filter(([k, v]) => !secretKeys.includes(k) && v !== undefined),
    );
    let changed: string[] = [];
    return this.change(async (em, stored) => {
      if (this.store.defaults.providers.some((p) => p.name === name)) {
        throw conflict(
          `The SSO provider "${name}" comes from the environment (SSO_PROVIDERS): change it there, or use ` +
            'another name.',
          'name',
        );
      }
      const existing = this.findStored(stored, name);
      if (mode === 'create' && existing) throw conflict(`An SSO provider named "${name}" exists.`, 'name');
      if (mode === 'update' && !existing) throw notFound(`No SSO provider named "${name}" was set through the API.`);
      if (existing && existing.kind !== kind)
        throw badInput(
          'name',
          `"${name}" is an ${existing.kind} provider; use update${existing.kind === 'OIDC' ? 'Oidc' : 'Ldap'}Provider.`,
        );
      const { kind: _k, ...base } = (existing ?? {}) as StoredProvider;
      const merged: Record<string, unknown> = { ...base };
      for (const [k, v] of Object.entries(fieldsInput)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      const fields = kind === 'OIDC' ? parseInput(oidcFieldsSchema, merged) : parseInput(ldapFieldsSchema, merged);
      const has = (f: string) =>
        (newSecrets as Record<string, unknown>)[f] !== undefined ||
        stored.secrets[secretName.provider(name, f as 'clientSecret')] !== undefined;
      const problem =
        kind === 'OIDC'
          ? oidcProblems(fields as z.output<typeof oidcFieldsSchema>, {
              clientSecret: has('clientSecret'),
              privateKeyJwk: has('privateKeyJwk'),
            })
          : ldapProblems(fields as z.output<typeof ldapFieldsSchema>, {
              serviceBindPassword: has('serviceBindPassword'),
            });
      if (problem) throw badInput(problem[0], `${problem[0]} ${problem[1]}`);
      const provider = { kind, ...fields } as StoredProvider;
      changed = existing
        ? Object.keys({ ...existing, ...provider }).filter(
            (k) =>
              JSON.stringify((existing as Record<string, unknown>)[k]) !==
              JSON.stringify((provider as Record<string, unknown>)[k]),
          )
        : Object.keys(provider);
      for (const [f, v] of Object.entries(newSecrets)) {
        if (v === undefined) continue;
        this.encrypt(stored, secretName.provider(name, f as 'clientSecret'), v as string);
        changed.push(f);
      }
      // Secrets the chosen method no longer uses are dropped, so nothing unused lingers.
      const unused =
        provider.kind === 'OIDC'
          ? [provider.clientAuth === 'private_key_jwt' ? 'clientSecret' : 'privateKeyJwk']
          : provider.serviceBindDn
            ? []
            : ['serviceBindPassword'];
      for (const f of unused) delete stored.secrets[secretName.provider(name, f as 'clientSecret')];
      const list = (stored.overrides.providers ?? []).filter((p) => p.name !== name);
      const index = stored.overrides.providers?.findIndex((p) => p.name === name) ?? -1;
      list.splice(index < 0 ? list.length : index, 0, provider);
      stored.overrides.providers = list;
      this.audit(em, {
        action: existing ? AuditAction.SSO_PROVIDER_UPDATED : AuditAction.SSO_PROVIDER_CREATED,
        target: { type: 'sso_provider', id: name, label: fields.label },
        metadata: { kind, changed: [...new Set(changed)].sort() },
      });
    });
  }

  async deleteProvider(raw: unknown): Promise<EffectiveSettings> {
    const { name } = parseInput(z.object({ name: ssoProviderNameSchema }), raw);
    return this.change(async (em, stored) => {
      if (this.store.defaults.providers.some((p) => p.name === name))
        throw conflict(
          `The SSO provider "${name}" comes from the environment (SSO_PROVIDERS): remove it there.`,
          'name',
        );
      const existing = this.findStored(stored, name);
      if (!existing) throw notFound(`No SSO provider named "${name}".`);
      stored.overrides.providers = stored.overrides.providers!.filter((p) => p.name !== name);
      for (const f of PROVIDER_SECRET_FIELDS) delete stored.secrets[secretName.provider(name, f)];
      this.requireProviderForPasswordOff(stored);
      this.audit(em, {
        action: AuditAction.SSO_PROVIDER_DELETED,
        target: { type: 'sso_provider', id: name, label: existing.label },
        metadata: { kind: existing.kind },
      });
    });
  }

  async setGroupMappings(raw: unknown): Promise<EffectiveSettings> {
    const input = parseInput(
      z.object({ mappings: groupMappingsSchema.default([]), reset: z.boolean().default(false) }),
      raw,
    );
    if (input.reset && input.mappings.length) throw badInput('reset', 'give mappings or reset, not both');
    return this.change(async (em, stored) => {
      const seen = new Set<string>();
      for (const [n, m] of input.mappings.entries()) {
        const key = `${m.group}\u0000${m.organization}\u0000${m.team.toLowerCase()}`;
        if (seen.has(key))
          throw badInput(
            `mappings.${n}`,
            `mappings.${n}: group "${m.group}" is mapped to ${m.organization}/${m.team} twice`,
          );
        seen.add(key);
      }
      // Every mapping's organization and team in one statement (up to 1,000 mappings), in input order.
      const rows = input.mappings.length
        ? await em
            .getConnection()
            .execute<Array<{ n: number; org: string | null; team: string | null }>>(
              'select k.n, o.id as org, t.name as team from unnest(array[?]::text[], array[?]::text[]) ' +
                'with ordinality as k(organization, team, n) left join organizations o on o.name = k.organization ' +
                'left join lateral ' +
                '(select name from teams where organization_id = o.id and lower(name) = lower(k.team) limit 1) t ' +
                'on true order by k.n',
              [input.mappings.map((m) => m.organization), input.mappings.map((m) => m.team)],
              'all',
              em.getTransactionContext(),
            )
        : [];
      for (const [n, m] of input.mappings.entries()) {
        const row = rows[n];
        if (!row?.org)
          throw new AppError(ErrorCode.NOT_FOUND, `mappings.${n}: no organization named "${m.organization}".`, {
            field: `mappings.${n}.organization`,
          });
        if (!row.team)
          throw new AppError(
            ErrorCode.NOT_FOUND,
            `mappings.${n}: organization "${m.organization}" has no team named "${m.team}"; create it first.`,
            { field: `mappings.${n}.team` },
          );
        m.team = row.team;
      }
      if (input.reset) delete stored.overrides.groupMappings;
      else stored.overrides.groupMappings = input.mappings as GroupMapping[];
      this.audit(em, {
        action: AuditAction.GROUP_MAPPINGS_SET,
        target: { type: 'instance_settings', id: 'instance', label: 'group mappings' },
        metadata: { count: input.mappings.length, reset: input.reset },
      });
    });
  }
}

export type { StoredOverrides };
