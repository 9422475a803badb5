import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../logger';
import { SecretBox, SecretsKeyError } from '../../crypto/secret-box';
import type {
  GroupMapping,
  LdapProviderSettings,
  OidcProviderSettings,
  OrgRoleName,
  SsoProviderSettings,
  SsoSettings,
  SsoSettingsSource,
} from '../sso/sso-settings';
import type { EnvironmentDefaults } from './settings-environment';

/** The general settings an API override may replace (InstanceSettingField on the wire). */
export const GENERAL_FIELDS = [
  'ssoProvisioning',
  'defaultOrganization',
  'defaultOrgRole',
  'invitationTtlDays',
  'sessionTtlHours',
  'smtpUrl',
  'smtpUsername',
  'smtpPassword',
  'smtpFrom',
  'passwordSignIn',
  'groupMappings',
] as const;
export type GeneralField = (typeof GENERAL_FIELDS)[number];

/** A provider stored through the API: its fields without secrets (those live in `secrets`, encrypted). */
export type StoredProvider =
  | Omit<OidcProviderSettings, 'clientSecret' | 'privateKeyJwk'>
  | Omit<LdapProviderSettings, 'serviceBindPassword'>;

/** The `overrides` column: only what the API set; everything absent falls back to the environment. */
export interface StoredOverrides {
  ssoProvisioning?: boolean;
  defaultOrganization?: string;
  defaultOrgRole?: OrgRoleName;
  invitationTtlDays?: number;
  sessionTtlHours?: number;
  smtpUrl?: string;
  smtpUsername?: string;
  smtpFrom?: string;
  passwordSignIn?: boolean;
  groupMappings?: GroupMapping[];
  providers?: StoredProvider[];
}

/** The `secrets` column: envelope per secret name (see secretName). */
export type StoredSecrets = Record<string, string>;

export interface StoredSettings {
  version: number;
  overrides: StoredOverrides;
  secrets: StoredSecrets;
}

export const PROVIDER_SECRET_FIELDS = ['clientSecret', 'privateKeyJwk', 'serviceBindPassword'] as const;
export type ProviderSecretField = (typeof PROVIDER_SECRET_FIELDS)[number];

/** The name a secret is stored under, also its AES-GCM additional data. */
export const secretName = {
  smtpPassword: 'smtp:password',
  provider: (name: string, field: ProviderSecretField) => `provider:${name}:${field}`,
};

export interface SmtpSettings {
  /** Without credentials when they come from the API (they are then in auth). */
  url: string;
  auth: { user: string; pass: string } | null;
  from: string | undefined;
  /** Changes whenever anything above changes: the sender rebuilds its transport then. */
  fingerprint: string;
}

export interface ProviderView {
  provider: SsoProviderSettings;
  source: 'ENVIRONMENT' | 'API';
}

/** The settings in effect: the environment's defaults overlaid by the stored overrides. */
export interface EffectiveSettings {
  version: number;
  ssoProvisioning: boolean;
  defaultOrganization: string | undefined;
  defaultOrgRole: OrgRoleName;
  invitationTtlDays: number;
  sessionTtlHours: number;
  passwordSignIn: boolean;
  smtp: SmtpSettings | null;
  smtpUsername: string | undefined;
  smtpPasswordSet: boolean;
  smtpFrom: string | undefined;
  providers: ProviderView[];
  groupMappings: GroupMapping[];
  /** General fields whose value comes from the API, not the environment. */
  overridden: GeneralField[];
  /** Stored secrets that could not be decrypted (wrong or missing key): their names and why. */
  unreadableSecrets: Array<{ name: string; message: string }>;
  /** What sign-in reads (the contract with src/modules/sso). */
  sso: SsoSettings;
}

const VERSION_QUERY = 'select version::int as version from instance_settings where id = 1';
const ROW_QUERY = 'select version::int as version, overrides, secrets from instance_settings where id = 1';

function stripCredentials(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString().replace(/\/$/, '');
}

/**
 * The instance settings of this process. `current()` answers from memory and, at most every `refreshMs` (2 s by
 * default, SETTINGS_REFRESH_MS), asks the database for the settings' version (one indexed row); when another process
 * changed them it reloads. A change made in this process is loaded at once (`reload()` after the commit). So a change
 * applies everywhere within `refreshMs` of its commit, without a restart, on PostgreSQL and PGlite alike.
 */
export class InstanceSettingsStore {
  private cached: EffectiveSettings | null = null;
  private checkedAt = 0;
  private inFlight: Promise<EffectiveSettings> | null = null;
  private loggedProblemsAt = -1;

  constructor(
    private readonly orm: MikroORM,
    readonly defaults: EnvironmentDefaults,
    readonly box: SecretBox,
    private readonly logger: Logger,
    private readonly refreshMs = 2000,
  ) {}

  /** The effective settings, at most refreshMs old. */
  current(): Promise<EffectiveSettings> {
    if (this.cached && Date.now() - this.checkedAt < this.refreshMs) return Promise.resolve(this.cached);
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /**
   * Loads now (after this process committed a change): never joins a refresh already in flight, which may have read
   * the row before the commit.
   */
  async reload(): Promise<EffectiveSettings> {
    const started = Date.now();
    return this.keep(this.compute(await InstanceSettingsStore.read(this.orm.em.fork())), started);
  }

  /** Caches a loaded state unless a newer one is cached already (loads may finish out of order). */
  private keep(effective: EffectiveSettings, started: number): EffectiveSettings {
    if (!this.cached || effective.version >= this.cached.version) {
      this.cached = effective;
      this.checkedAt = started;
    }
    return this.cached;
  }

  /** The source sign-in reads (AppServices.ssoSettings). */
  ssoSource(): SsoSettingsSource {
    return { current: async () => (await this.current()).sso };
  }

  private async refresh(): Promise<EffectiveSettings> {
    const em = this.orm.em.fork();
    const started = Date.now();
    if (this.cached) {
      const rows = await em.getConnection().execute<Array<{ version: number }>>(VERSION_QUERY);
      if (rows[0]?.version === this.cached.version) {
        this.checkedAt = started;
        return this.cached;
      }
    }
    return this.keep(this.compute(await InstanceSettingsStore.read(em)), started);
  }

  /** The stored row; `forUpdate` inside a transaction serialises writers. */
  static async read(em: EntityManager, forUpdate = false): Promise<StoredSettings> {
    const rows = await em
      .getConnection()
      .execute<Array<{ version: number; overrides: StoredOverrides; secrets: StoredSecrets }>>(
        forUpdate ? `${ROW_QUERY} for update` : ROW_QUERY,
        [],
        'all',
        em.getTransactionContext(),
      );
    const row = rows[0];
    if (!row) throw new Error('instance_settings has no row: run the migrations');
    return { version: row.version, overrides: row.overrides ?? {}, secrets: row.secrets ?? {} };
  }

  /** Writes the row (inside the caller's transaction, after read(em, true)) and bumps the version. */
  static async write(
    em: EntityManager,
    stored: Pick<StoredSettings, 'overrides' | 'secrets'>,
    updatedBy: string | null,
  ): Promise<void> {
    await em
      .getConnection()
      .execute(
        'update instance_settings set version = version + 1, overrides = ?::jsonb, secrets = ?::jsonb, ' +
          'updated_at = now(), updated_by_id = ? where id = 1',
        [JSON.stringify(stored.overrides), JSON.stringify(stored.secrets), updatedBy],
        'run',
        em.getTransactionContext(),
      );
  }

  /** Environment defaults overlaid by the stored overrides, secrets decrypted. */
  compute(stored: StoredSettings): EffectiveSettings {
    const d = this.defaults;
    const o = stored.overrides;
    const unreadableSecrets: EffectiveSettings['unreadableSecrets'] = [];
    const secret = (name: string): string | undefined => {
      const envelope = stored.secrets[name];
      if (envelope === undefined) return undefined;
      try {
        return this.box.decrypt(envelope, name);
      } catch (err) {
        unreadableSecrets.push({ name, message: err instanceof SecretsKeyError ? err.message : String(err) });
        return undefined;
      }
    };
    const providers: ProviderView[] = d.providers.map((provider) => ({ provider, source: 'ENVIRONMENT' }));
    for (const p of o.providers ?? []) {
      // A provider added to SSO_PROVIDERS later under the same name wins: the environment's is the one listed.
      if (d.providers.some((e) => e.name === p.name)) continue;
      const withSecrets =
        p.kind === 'OIDC'
          ? {
              ...p,
              clientSecret: secret(secretName.provider(p.name, 'clientSecret')),
              privateKeyJwk: secret(secretName.provider(p.name, 'privateKeyJwk')),
            }
          : { ...p, serviceBindPassword: secret(secretName.provider(p.name, 'serviceBindPassword')) };
      providers.push({ provider: withSecrets as SsoProviderSettings, source: 'API' });
    }
    const overridden = GENERAL_FIELDS.filter((f) =>
      f === 'smtpPassword' ? stored.secrets[secretName.smtpPassword] !== undefined : o[f] !== undefined,
    );
    let passwordSignIn = o.passwordSignIn ?? d.passwordSignIn;
    if (!passwordSignIn && providers.length === 0) {
      // Nobody could sign in: the API refuses to get here, but PASSWORD_SIGN_IN=false or a provider removed from the
      // environment can. Password sign-in stays on until an SSO provider exists.
      passwordSignIn = true;
    }
    const smtpPassword = secret(secretName.smtpPassword);
    const smtpUrl = o.smtpUrl ?? d.smtpUrl;
    const smtpFrom = o.smtpFrom ?? d.smtpFrom;
    const envUser = d.smtpUrl && !o.smtpUrl ? decodeURIComponent(new URL(d.smtpUrl).username) : '';
    const smtpUsername = o.smtpUsername ?? (envUser || undefined);
    let smtp: SmtpSettings | null = null;
    if (smtpUrl) {
      const auth = o.smtpUsername !== undefined ? { user: o.smtpUsername, pass: smtpPassword ?? '' } : null;
      // An API URL never has credentials; the environment's may (SMTP_URL=smtp://user:pass@host).
      const url = o.smtpUrl !== undefined || auth ? stripCredentials(smtpUrl) : smtpUrl;
      // In memory only (never logged): tells the sender when to rebuild its transport.
      smtp = { url, auth, from: smtpFrom, fingerprint: JSON.stringify([url, auth?.user, auth?.pass, smtpFrom]) };
    }
    const sso: SsoSettings = {
      providers: providers.map((p) => p.provider),
      provisioning: o.ssoProvisioning ?? d.ssoProvisioning,
      defaultOrganization: o.defaultOrganization ?? d.defaultOrganization,
      defaultRole: o.defaultOrgRole ?? d.defaultOrgRole,
      groupMappings: o.groupMappings ?? d.groupMappings,
      passwordSignIn,
    };
    if (unreadableSecrets.length && this.loggedProblemsAt !== stored.version) {
      this.loggedProblemsAt = stored.version;
      for (const p of unreadableSecrets) this.logger.error({ secret: p.name }, p.message);
    }
    return {
      version: stored.version,
      ssoProvisioning: sso.provisioning,
      defaultOrganization: sso.defaultOrganization,
      defaultOrgRole: sso.defaultRole,
      invitationTtlDays: o.invitationTtlDays ?? d.invitationTtlDays,
      sessionTtlHours: o.sessionTtlHours ?? d.sessionTtlHours,
      passwordSignIn,
      smtp,
      smtpUsername,
      smtpPasswordSet:
        stored.secrets[secretName.smtpPassword] !== undefined ||
        (!o.smtpUrl && !!d.smtpUrl && !!new URL(d.smtpUrl).password),
      smtpFrom,
      providers,
      groupMappings: sso.groupMappings,
      overridden,
      unreadableSecrets,
      sso,
    };
  }
}
