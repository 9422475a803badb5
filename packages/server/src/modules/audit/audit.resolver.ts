import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { OrganizationType } from '../organizations/organization.types';
import type { Organization } from '../organizations/organization.entity';
import { AuditEventConnection, AuditLogArgs, InstanceAuditLogArgs } from './audit.types';
import { AuditLogService } from './audit-log.service';

@Resolver(() => OrganizationType)
export class OrganizationAuditResolver {
  @FieldResolver(() => AuditEventConnection, {
    description:
      'Audit log of the organization, newest first (org admins): its events and its members’ sign-ins, sessions and ' +
      'personal keys. Filter by actions, actor, target and time.',
  })
  auditLog(@Ctx() ctx: RequestContext, @Root() org: Organization, @Args(() => AuditLogArgs) args: AuditLogArgs) {
    return new AuditLogService(ctx).list(org, args);
  }
}

@Resolver()
export class InstanceAuditResolver {
  @Query(() => AuditEventConnection, {
    description:
      'The whole instance’s audit log, newest first (instance admins): every organization’s events and those of ' +
      'none, failed sign-ins of unknown logins included. Filter by organization, actions, actor, target and time.',
  })
  auditLog(@Ctx() ctx: RequestContext, @Args(() => InstanceAuditLogArgs) args: InstanceAuditLogArgs) {
    return new AuditLogService(ctx).listInstance(args);
  }
}
