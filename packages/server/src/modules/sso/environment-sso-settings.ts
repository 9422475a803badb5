import type { Config } from '../../config';
import type { SsoSettings, SsoSettingsSource } from './sso-settings';

/** The SSO settings the environment alone gives: no provider yet, provisioning per DISABLE_SSO_PROVISIONING. */
export function environmentSsoSettings(config: Config): SsoSettingsSource {
  const settings: SsoSettings = {
    providers: [],
    provisioning: config.ssoProvisioning,
    defaultOrganization: undefined,
    defaultRole: 'MEMBER',
    groupMappings: [],
    passwordSignIn: true,
  };
  return { current: async () => settings };
}
