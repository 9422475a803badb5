import { Service } from '../service';
import { User } from '../accounts/user.entity';
import { InstancePermission } from '../../authz/permissions';
import { ERROR_CODE_DESCRIPTIONS, ErrorCode } from '../../errors';
import { SERVER_VERSION } from '../../version';
import { WarningCode } from '../../graphql/enums';
import { settingsView } from '../settings/settings-view';

export interface InstanceView {
  needsBootstrap: boolean;
  version: string;
  warnings: Array<{ code: WarningCode; message: string }>;
  settings: ReturnType<typeof settingsView> | null;
  errorCodes: Array<{ code: ErrorCode; description: string }>;
}

export class InstanceService extends Service {
  async describe(): Promise<InstanceView> {
    const needsBootstrap = await this.ctx.app.instanceState.needsBootstrap(this.em);
    const isAdmin = this.ctx.authz.canInstance(InstancePermission.READ_SETTINGS);
    const warnings: InstanceView['warnings'] = [];
    const config = this.ctx.app.config;
    const effective = isAdmin ? await this.ctx.app.settings.current() : null;
    if (effective?.unreadableSecrets.length) {
      warnings.push({
        code: WarningCode.SECRETS_UNREADABLE,
        message:
          `${effective.unreadableSecrets.length} stored secret(s) cannot be decrypted: ` +
          `${effective.unreadableSecrets[0]!.message} Until then the settings that need them do not work.`,
      });
    }
    if (isAdmin) {
      const admins = await this.em.count(User, { instanceAdmin: true });
      if (admins === 1) {
        warnings.push({
          code: WarningCode.SINGLE_INSTANCE_ADMIN,
          message:
            'Only one instance admin exists: if that account is lost nobody can manage the instance. Make a second ' +
            'user instance admin (grantInstanceAdmin, or roster-admin promote on the host).',
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
      settings: effective ? settingsView(effective, config, this.ctx.app.settings.box) : null,
      errorCodes: Object.values(ErrorCode).map((code) => ({ code, description: ERROR_CODE_DESCRIPTIONS[code] })),
    };
  }
}
