import { Entity, PrimaryKey } from '@mikro-orm/core';

/** One row per user, organization and UTC day on which the user was active there. */
@Entity({ tableName: 'daily_activity' })
export class DailyActivity {
  @PrimaryKey({ type: 'uuid' })
  userId!: string;

  @PrimaryKey({ type: 'uuid' })
  organizationId!: string;

  @PrimaryKey({ type: 'date' })
  day!: string;
}
