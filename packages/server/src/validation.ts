import { z } from 'zod';
import { AppError, ErrorCode } from './errors';

/**
 * Parses service input; the first problem becomes BAD_USER_INPUT naming the field, all of them go in
 * `extensions.problems`.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
  const first = problems[0]!;
  throw new AppError(ErrorCode.BAD_USER_INPUT, `${first.field}: ${first.message}`, {
    field: first.field,
    details: { problems },
  });
}

export const emailSchema = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address such as ada@example.com')
  .transform((s) => s.toLowerCase());

export const usernameSchema = z
  .string()
  .trim()
  .min(2, 'must be at least 2 characters')
  .max(40, 'must be at most 40 characters')
  .regex(/^[a-z0-9_-]+$/, 'may contain only lower-case letters, digits, "_" and "-"');

export const personNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters');

export const passwordSchema = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters');

export const orgNameSchema = z
  .string()
  .trim()
  .min(2, 'must be at least 2 characters')
  .max(40, 'must be at most 40 characters')
  .regex(
    /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    'must be lower-case letters, digits and "-", starting and ending with a letter or digit',
  );

/**
 * The one validator for naming an existing organization in an input (`organization: "acme"`): the lookup
 * (OrganizationService.getVisible) lower-cases it, and an unknown name is NOT_FOUND like an invisible one.
 * New names go through orgNameSchema.
 */
export const orgRefSchema = z.string().trim().min(1, 'must not be empty').max(40, 'must be at most 40 characters');

/** Naming an existing team in an input, within its organization (the lookup lower-cases it). */
export const teamRefSchema = z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters');

/**
 * An SSO provider's name: as the instance settings define it (SSO_PROVIDERS, addSsoProvider…) and as
 * `logIn(provider:)` and `/auth/oidc/login?provider=` name it (the names `ssoProviders` lists).
 */
export const ssoProviderNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(40, 'must be at most 40 characters')
  .regex(/^[a-z0-9-]+$/, 'may contain only lower-case letters, digits and "-"');

/** Naming a user in an input by username or email (see `byLogin` in src/modules/accounts/login.ts). */
export const userLoginSchema = z.string().trim().min(1, 'must not be empty').max(254, 'must be at most 254 characters');

/** An invitation token as the accept link carries it (signUp, acceptInvitation, invitationPreview). */
export const invitationTokenSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'is not an invitation token');

export const displayNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters');

export const seatLimitSchema = z
  .number()
  .int('must be a whole number')
  .min(0, 'must be 0 or more')
  .max(1_000_000, 'must be at most 1000000');

/**
 * The span of dates the database and ISO-8601 output both hold: the DateTime scalar also admits year 0, which
 * PostgreSQL has not.
 */
export const MIN_TIMESTAMP = new Date('0001-01-01T00:00:00.000Z');
export const MAX_TIMESTAMP = new Date('9999-12-31T23:59:59.999Z');
const TIMESTAMP_RANGE = 'must be between 0001-01-01 and 9999-12-31';

/** Every date input (filters, expiries, cursor positions): a valid date within MIN_TIMESTAMP..MAX_TIMESTAMP. */
export const timestampSchema = z
  .date({ message: 'must be a date' })
  .min(MIN_TIMESTAMP, TIMESTAMP_RANGE)
  .max(MAX_TIMESTAMP, TIMESTAMP_RANGE);

/** Every id input: ids are UUIDs, so anything else is refused before it reaches a uuid column. `what`: "an API key". */
/**
 * IANA time zone names (`Europe/Berlin`, `UTC`): those the runtime's ICU knows, canonical or alias. PostgreSQL's
 * tzdata knows the same names; the activity tracker computes days with them (docs/USAGE.md).
 */
const TIME_ZONES: ReadonlySet<string> = new Set(['UTC', ...Intl.supportedValuesOf('timeZone')]);
export const timeZoneSchema = z
  .string()
  .trim()
  .max(64, 'must be at most 64 characters')
  .refine((tz) => TIME_ZONES.has(tz), 'must be an IANA time zone name, such as "UTC" or "Europe/Berlin"');

export const entityIdSchema = (what: string) => z.uuid(`is not ${what} id`);
