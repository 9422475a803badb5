import { User } from '../modules/accounts/user.entity';
import { Session } from '../auth/session.entity';
import { ApiKey } from '../modules/api-keys/api-key.entity';
import { Organization } from '../modules/organizations/organization.entity';
import { Membership } from '../modules/organizations/membership.entity';
import { DailyActivity } from '../modules/activity/daily-activity.entity';
import { AuditEvent } from '../modules/audit/audit-event.entity';

/** Every entity, listed explicitly: no folder scanning, so tsc output and vitest see the same set. */
export const ENTITIES = [User, Session, ApiKey, Organization, Membership, DailyActivity, AuditEvent];
