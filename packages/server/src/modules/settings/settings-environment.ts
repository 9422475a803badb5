import { z } from 'zod';
import { ConfigError, type Config } from '../../config';
import type { GroupMapping, SsoProviderSettings } from '../sso/sso-settings';
import {
  clientSecretSchema,
  groupMappingsSchema,
  ldapFieldsSchema,
  ldapProblems,
  oidcFieldsSchema,
  oidcProblems,
  privateKeyJwkSchema,
} from './settings.schemas';

/** What the environment gives, before the API's stored overrides (docs/OPERATIONS.md, "Instance settings"). */
export interface EnvironmentDefaults {
  ssoProvisioning: boolean;
  defaultOrganization: string | undefined;
  defaultOrgRole: 'ADMIN' | 'MEMBER' | 'VIEWER';
  invitationTtlDays: number;
  sessionTtlHours: number;
  smtpUrl: string | undefined;
  smtpFrom: string | undefined;
  passwordSignIn: boolean;
  /** From SSO_PROVIDERS / SSO_PROVIDERS_FILE, secrets in plaintext (they never leave the process through the API). */
  providers: SsoProviderSettings[];
  groupMappings: GroupMapping[];
}

const envOidc = oidcFieldsSchema.extend({
  kind: z.literal('OIDC'),
  clientSecret: clientSecretSchema.optional(),
  privateKeyJwk: privateKeyJwkSchema.optional(),
});
const envLdap = ldapFieldsSchema.extend({ kind: z.literal('LDAP'), serviceBindPassword: z.string().optional() });
const envProviders = z.array(z.discriminatedUnion('kind', [envOidc, envLdap]));

function invalid(variable: string, message: string): never {
  throw new ConfigError(`Invalid configuration; fix these environment variables:\n  - ${variable}: ${message}`);
}

function parseJson(variable: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return invalid(variable, 'is not valid JSON');
  }
}

/** Validates the SSO variables (with the API's rules) when the server starts; a problem stops it with what to fix. */
export function environmentDefaults(config: Config): EnvironmentDefaults {
  const env = config.settings;
  let providers: SsoProviderSettings[] = [];
  if (env.ssoProvidersJson) {
    const parsed = envProviders.safeParse(parseJson(env.ssoProvidersSource, env.ssoProvidersJson));
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      invalid(env.ssoProvidersSource, `[${i.path.join('.')}] ${i.message}`);
    }
    const seen = new Set<string>();
    parsed.data.forEach((p, n) => {
      if (seen.has(p.name)) invalid(env.ssoProvidersSource, `[${n}.name] "${p.name}" appears twice`);
      seen.add(p.name);
      const problem =
        p.kind === 'OIDC'
          ? oidcProblems(p, { clientSecret: !!p.clientSecret, privateKeyJwk: !!p.privateKeyJwk })
          : ldapProblems(p, { serviceBindPassword: !!p.serviceBindPassword });
      if (problem) invalid(env.ssoProvidersSource, `[${n}.${problem[0]}] ${problem[1]}`);
    });
    providers = parsed.data as SsoProviderSettings[];
  }
  let groupMappings: GroupMapping[] = [];
  if (env.ssoGroupMappingsJson) {
    const parsed = groupMappingsSchema.safeParse(parseJson('SSO_GROUP_MAPPINGS', env.ssoGroupMappingsJson));
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      invalid('SSO_GROUP_MAPPINGS', `[${i.path.join('.')}] ${i.message}`);
    }
    groupMappings = parsed.data;
  }
  return {
    ssoProvisioning: config.ssoProvisioning,
    defaultOrganization: env.ssoDefaultOrganization?.trim().toLowerCase() || undefined,
    defaultOrgRole: env.ssoDefaultRole,
    invitationTtlDays: config.invitationTtlDays,
    sessionTtlHours: config.sessionTtlHours,
    smtpUrl: config.smtpUrl,
    smtpFrom: config.smtpFrom,
    passwordSignIn: env.passwordSignIn,
    providers,
    groupMappings,
  };
}
