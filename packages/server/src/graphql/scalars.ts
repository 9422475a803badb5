import { DateTimeResolver, JSONObjectResolver } from 'graphql-scalars';

/** ISO-8601 timestamps, e.g. 2026-11-22T10:00:00.000Z. */
export const DateTime = DateTimeResolver;
export const JSONObject = JSONObjectResolver;
