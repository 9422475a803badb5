import { Entity, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { ApiKey } from '../modules/api-keys/api-key.entity';

/**
 * The client addresses each API key was used from, one row per key and address: the row's insert is what claims the
 * `api_key.used_from_new_address` audit event, so concurrent requests and processes write it once. Deleted with the
 * key.
 */
@Entity({ tableName: 'api_key_addresses' })
export class ApiKeyAddress {
  @ManyToOne({ entity: () => ApiKey, ref: true, primary: true, deleteRule: 'cascade' })
  apiKey!: Ref<ApiKey>;

  @PrimaryKey({ type: 'string', length: 64 })
  clientAddress!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  firstSeenAt: Date = new Date();
}
