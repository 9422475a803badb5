import { Service } from '../service';
import { User } from '../accounts/user.entity';
import { InstancePermission } from '../../authz/permissions';
import { ERROR_CODE_DESCRIPTIONS, ErrorCode } from '../../errors';
import { SERVER_VERSION } from '../../version';
import { WarningCode } from '../../graphql/enums';

export interface InstanceView {
  needsBootstrap: boolean;
  version: string;
  warnings: Array<{ code: WarningCode; message: string }>;
  settings: {
    ssoProvisioning: boolean;
    smtpConfigured: boolean;
    invitationTtlDays: number;
    sessionTtlHours: number;
    apiKeyMaxTtlDays: number;
    publicUrl: string;
    embeddedDatabase: boolean;
  } | null;
  errorCodes: Array<{ code: ErrorCode; description: string }>;
}

export class InstanceService extends Service {
  async describe(): Promise<InstanceView> {
    const needsBootstrap = await this.ctx.app.instanceState.needsBootstrap(this.em);
    const isAdmin = this.ctx.authz.canInstance(InstancePermission.READ_SETTINGS);
    const warnings: InstanceView['warnings'] = [];
    const config = this.ctx.app.config;
    if (isAdmin) {
      const admins = await this.em.count(User, { instanceAdmin: true });
      if (admins === 1) {
        warnings.push({
          code: WarningCode.SINGLE_INSTANCE_ADMIN,
          message:
            'Only one instance admin exists: if that account is lost nobody can manage the instance. Make a second ' +
            'user instance admin (roster-admin create-admin).',
        });
      }
      if (!config.databaseUrl) {
        warnings.push({
          code: WarningCode.EMBEDDED_DATABASE,
          message:
            'Running on the embedded database (PGlite): set DATABASE_URL to a real PostgreSQL for production and ' +
            'for more than one server process.',
        });
      }
    }
    return {
      needsBootstrap,
      version: SERVER_VERSION,
      warnings,
      settings: isAdmin
        ? {
            ssoProvisioning: config.ssoProvisioning,
            smtpConfigured: Boolean(config.smtpUrl),
            invitationTtlDays: config.invitationTtlDays,
            sessionTtlHours: config.sessionTtlHours,
            apiKeyMaxTtlDays: config.apiKeyMaxTtlDays,
            publicUrl: config.publicUrl,
            embeddedDatabase: !config.databaseUrl,
          }
        : null,
      errorCodes: Object.values(ErrorCode).map((code) => ({ code, description: ERROR_CODE_DESCRIPTIONS[code] })),
    };
  }
}
