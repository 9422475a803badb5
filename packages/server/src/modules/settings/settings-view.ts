import type { Config } from '../../config';
import type { OrgRole } from '../../authz/roles';
import { secretName, type EffectiveSettings, type ProviderSecretField } from './instance-settings-store';
import type { SecretBox } from '../../crypto/secret-box';

function stripCredentials(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString().replace(/\/$/, '');
}

/** The InstanceSettings object the API returns: effective values, secrets only as `...Set` flags. */
export function settingsView(s: EffectiveSettings, config: Config, box: SecretBox) {
  // A stored secret that cannot be decrypted (wrong key) is still set: Instance.warnings says what is wrong.
  const unreadable = (name: string, field: ProviderSecretField) =>
    s.unreadableSecrets.some((u) => u.name === secretName.provider(name, field));
  return {
    ssoProvisioning: s.ssoProvisioning,
    smtpConfigured: Boolean(s.smtp),
    invitationTtlDays: s.invitationTtlDays,
    sessionTtlHours: s.sessionTtlHours,
    apiKeyMaxTtlDays: config.apiKeyMaxTtlDays,
    publicUrl: config.publicUrl,
    embeddedDatabase: !config.databaseUrl,
    version: s.version,
    passwordSignIn: s.passwordSignIn,
    defaultOrganization: s.defaultOrganization ?? null,
    defaultOrgRole: s.defaultOrgRole as OrgRole,
    smtpUrl: s.smtp ? stripCredentials(s.smtp.url) : null,
    smtpUsername: s.smtpUsername ?? null,
    smtpPasswordSet: s.smtpPasswordSet,
    smtpFrom: s.smtpFrom ?? null,
    ssoProviders: s.providers.map(({ provider: p, source }) => ({
      name: p.name,
      label: p.label,
      kind: p.kind,
      source,
      oidc:
        p.kind === 'OIDC'
          ? {
              issuer: p.issuer,
              clientId: p.clientId,
              clientAuth: p.clientAuth,
              clientSecretSet: !!p.clientSecret || unreadable(p.name, 'clientSecret'),
              privateKeyJwkSet: !!p.privateKeyJwk || unreadable(p.name, 'privateKeyJwk'),
              extraScopes: p.extraScopes,
              groupsClaim: p.groupsClaim ?? null,
            }
          : null,
      ldap:
        p.kind === 'LDAP'
          ? {
              url: p.url,
              startTls: p.startTls,
              tlsCaPem: p.tlsCaPem ?? null,
              bindDnTemplate: p.bindDnTemplate ?? null,
              serviceBindDn: p.serviceBindDn ?? null,
              serviceBindPasswordSet: !!p.serviceBindPassword || unreadable(p.name, 'serviceBindPassword'),
              userSearchBase: p.userSearchBase ?? null,
              userSearchAttribute: p.userSearchAttribute ?? null,
              usernameAttribute: p.usernameAttribute,
              emailAttribute: p.emailAttribute,
              nameAttribute: p.nameAttribute,
              groupAllowList: p.groupAllowList,
              groupSource: p.groupSource,
              groupSearchBase: p.groupSearchBase ?? null,
              groupMemberAttribute: p.groupMemberAttribute ?? null,
            }
          : null,
    })),
    groupMappings: s.groupMappings,
    overridden: s.overridden,
    secretsKeyConfigured: box.canEncrypt,
  };
}
