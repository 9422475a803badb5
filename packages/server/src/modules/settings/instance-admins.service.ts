import { z } from 'zod';
import { Service } from '../service';
import { InstancePermission } from '../../authz/permissions';
import { AppError, ErrorCode, forbidden, notFound } from '../../errors';
import { parseInput, userLoginSchema } from '../../validation';
import { AuditAction } from '../audit/audit.service';
import { User } from '../accounts/user.entity';
import { byLogin } from '../accounts/login';

const inputSchema = z.object({ user: userLoginSchema });

/**
 * Granting and revoking instance admin. Both lock every instance admin's row (in id order, so two of them never
 * deadlock) before deciding: two admins revoking each other at once are serialised, and the second finds that it is no
 * longer an admin (FORBIDDEN) or that its target is the last one (LAST_INSTANCE_ADMIN). The instance never has zero.
 */
export class InstanceAdminService extends Service {
  async set(raw: unknown, admin: boolean): Promise<{ user: User; changed: boolean }> {
    const principal = this.ctx.authz.requireUser();
    this.ctx.authz.requireInstance(InstancePermission.MANAGE_ADMINS);
    const input = parseInput(inputSchema, raw);
    return this.em.transactional(async (em) => {
      const admins = await em
        .getConnection()
        .execute<Array<{ id: string }>>(
          'select id from users where instance_admin order by id for update',
          [],
          'all',
          em.getTransactionContext(),
        );
      if (!admins.some((a) => a.id === principal.user.id)) throw forbidden('You are no longer an instance admin.');
      const user = await em.findOne(User, byLogin(input.user), { refresh: true });
      if (!user) throw notFound(`No user with email or username "${input.user}".`);
      const isAdmin = admins.some((a) => a.id === user.id);
      if (isAdmin === admin) return { user, changed: false };
      if (!admin && admins.length <= 1) {
        throw new AppError(
          ErrorCode.LAST_INSTANCE_ADMIN,
          `${user.username} is the only instance admin: grant instance admin to someone else first.`,
          { field: 'user' },
        );
      }
      await em.nativeUpdate(User, { id: user.id }, { instanceAdmin: admin });
      user.instanceAdmin = admin;
      this.audit(em, {
        action: admin ? AuditAction.INSTANCE_ADMIN_GRANTED : AuditAction.INSTANCE_ADMIN_REVOKED,
        target: { type: 'user', id: user.id, label: user.username },
        metadata: { instanceAdmins: admins.length + (admin ? 1 : -1) },
      });
      return { user, changed: true };
    });
  }
}
