import { z } from 'zod';
import { orgRefSchema, ssoProviderNameSchema, teamRefSchema } from '../../validation';

/**
 * Validation of instance settings, shared by the API (src/modules/settings/settings.service.ts) and the environment
 * (SSO_PROVIDERS, SSO_GROUP_MAPPINGS: src/modules/settings/settings-environment.ts). Secrets are validated here and
 * encrypted by the store; they never come back out of the API.
 */

const labelSchema = z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters');
const shortText = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http to this host only (a provider on the same machine, tests); no query, fragment or credentials. */
export const issuerSchema = z
  .string()
  .trim()
  .max(500, 'must be at most 500 characters')
  .refine((v) => {
    if (!URL.canParse(v)) return false;
    const u = new URL(v);
    const scheme = u.protocol === 'https:' || (u.protocol === 'http:' && LOCAL_HOSTS.has(u.hostname));
    return scheme && !u.search && !u.hash && !u.username && !u.password;
  }, 'must be an https URL without query, fragment or credentials (http only for localhost), e.g. ' +
    'https://example.okta.com');

export const ldapUrlSchema = z
  .string()
  .trim()
  .regex(/^ldaps?:\/\/[^\s/:@]+(:\d{1,5})?\/?$/, 'must look like ldap://host:389 or ldaps://host:636');

const dnSchema = shortText(500).refine(
  (v) => /^[^=,]+=[^,]*(,[^=,]+=[^,]*)*$/.test(v),
  'must be a DN such as ou=people,dc=example,dc=org',
);

export const dnTemplateSchema = shortText(500).refine(
  (v) => v.includes('{username}'),
  'must contain {username}, e.g. uid={username},ou=people,dc=example,dc=org',
);

const attributeSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'must be an LDAP attribute name such as uid, mail or cn');

const scopeSchema = z
  .string()
  .trim()
  .regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, 'must be a scope token such as groups');

export const clientSecretSchema = z.string().min(1, 'must not be empty').max(4096, 'must be at most 4096 characters');

export const privateKeyJwkSchema = z
  .string()
  .max(20_000, 'must be at most 20000 characters')
  .refine((v) => {
    try {
      const jwk = JSON.parse(v) as Record<string, unknown>;
      return typeof jwk === 'object' && jwk !== null && typeof jwk.kty === 'string' && typeof jwk.d === 'string';
    } catch {
      return false;
    }
  }, 'must be a private JWK as JSON text (with "kty" and "d")');

const pemSchema = z
  .string()
  .max(100_000, 'must be at most 100000 characters')
  .refine((v) => v.includes('-----BEGIN CERTIFICATE-----'), 'must be PEM text (-----BEGIN CERTIFICATE-----)');

export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;

/** An OIDC provider's fields other than its secrets. */
export const oidcFieldsSchema = z.object({
  name: ssoProviderNameSchema,
  label: labelSchema,
  issuer: issuerSchema,
  clientId: shortText(255),
  clientAuth: z.enum(CLIENT_AUTH_METHODS).default('client_secret_basic'),
  extraScopes: z.array(scopeSchema).max(20, 'at most 20 scopes').default([]),
  groupsClaim: shortText(100).optional(),
});

/** An LDAP provider's fields other than its secret (serviceBindPassword). */
export const ldapFieldsSchema = z.object({
  name: ssoProviderNameSchema,
  label: labelSchema,
  url: ldapUrlSchema,
  startTls: z.boolean().default(false),
  tlsCaPem: pemSchema.optional(),
  bindDnTemplate: dnTemplateSchema.optional(),
  serviceBindDn: dnSchema.optional(),
  userSearchBase: dnSchema.optional(),
  userSearchAttribute: attributeSchema.optional(),
  usernameAttribute: attributeSchema.default('uid'),
  emailAttribute: attributeSchema.default('mail'),
  nameAttribute: attributeSchema.default('cn'),
  groupAllowList: z.array(shortText(256)).max(100, 'at most 100 groups').default([]),
  groupSource: z.enum(['memberOf', 'search']).default('memberOf'),
  groupSearchBase: dnSchema.optional(),
  groupMemberAttribute: attributeSchema.optional(),
});

export type OidcFields = z.output<typeof oidcFieldsSchema>;
export type LdapFields = z.output<typeof ldapFieldsSchema>;

/** Rules across fields, checked once the secrets are known (set now or kept from before). Returns [field, problem]. */
export function oidcProblems(
  p: OidcFields,
  secrets: { clientSecret: boolean; privateKeyJwk: boolean },
): [string, string] | null {
  if (p.clientAuth === 'private_key_jwt' && !secrets.privateKeyJwk)
    return ['privateKeyJwk', 'is required with clientAuth private_key_jwt'];
  if (p.clientAuth !== 'private_key_jwt' && !secrets.clientSecret)
    return ['clientSecret', `is required with clientAuth ${p.clientAuth}`];
  return null;
}

export function ldapProblems(p: LdapFields, secrets: { serviceBindPassword: boolean }): [string, string] | null {
  if (p.startTls && p.url.startsWith('ldaps:')) return ['startTls', 'must be false with an ldaps:// URL (already TLS)'];
  if (!p.bindDnTemplate && !p.serviceBindDn)
    return ['bindDnTemplate', 'give bindDnTemplate (direct bind) or serviceBindDn (search-then-bind)'];
  if (p.bindDnTemplate && p.serviceBindDn)
    return ['serviceBindDn', 'give either bindDnTemplate (direct bind) or serviceBindDn (search-then-bind), not both'];
  if (p.serviceBindDn) {
    if (!p.userSearchBase) return ['userSearchBase', 'is required with serviceBindDn'];
    if (!p.userSearchAttribute) return ['userSearchAttribute', 'is required with serviceBindDn'];
    if (!secrets.serviceBindPassword) return ['serviceBindPassword', 'is required with serviceBindDn'];
  }
  if (p.groupSource === 'search' && !p.groupSearchBase)
    return ['groupSearchBase', 'is required with groupSource search'];
  return null;
}

export const groupMappingSchema = z.object({
  group: shortText(256),
  organization: orgRefSchema.transform((v) => v.toLowerCase()),
  team: teamRefSchema,
  role: z.enum(['ADMIN', 'MEMBER', 'VIEWER']),
});

export const groupMappingsSchema = z.array(groupMappingSchema).max(1000, 'at most 1000 mappings');

/** An SMTP URL stored through the API: no credentials in it (they go in smtpUsername/smtpPassword, write-only). */
export const apiSmtpUrlSchema = z
  .string()
  .trim()
  .regex(/^smtps?:\/\/[^\s/]+$/, 'must look like smtp://host:587 or smtps://host:465')
  .refine((v) => URL.canParse(v) && !new URL(v).username && !new URL(v).password, {
    message: 'must not contain credentials: give them as smtpUsername and smtpPassword (the password is write-only)',
  });
