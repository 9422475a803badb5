import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { OrganizationType } from '../organizations/organization.types';
import type { Organization } from '../organizations/organization.entity';
import { AuditEventConnection, AuditLogArgs } from './audit.types';
import { AuditLogService } from './audit-log.service';

@Resolver(() => OrganizationType)
export class OrganizationAuditResolver {
  @FieldResolver(() => AuditEventConnection, {
    description: 'Audit log of the organization, newest first (org admins). Filter by actions, actor and time.',
  })
  auditLog(@Ctx() ctx: RequestContext, @Root() org: Organization, @Args(() => AuditLogArgs) args: AuditLogArgs) {
    return new AuditLogService(ctx).list(org, args);
  }
}
