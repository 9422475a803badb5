import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { z } from 'zod';
import type { HeapSettings } from './observability/heap';
import { parseSecretsKey } from './crypto/secret-key';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = (name: string) =>
  z.coerce
    .number({ message: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be above 0`);

const nonNegativeInt = (name: string) =>
  z.coerce
    .number({ message: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(0, `${name} must be 0 (keep forever) or more`);

const envSchema = z.object({
  // Production unless development is asked for: introspection, suggestions and error detail stay off by default.
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0, 'PORT must be 0-65535').max(65535, 'PORT must be 0-65535').default(4000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must look like postgres://user:pass@host:5432/dbname')
    .optional(),
  DATA_DIR: z.string().default('.roster-data'),
  DATABASE_POOL_MAX: positiveInt('DATABASE_POOL_MAX').default(10),
  PUBLIC_URL: z.url({ message: 'PUBLIC_URL must be an absolute URL such as https://roster.example.com' }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: positiveInt('SESSION_TTL_HOURS').default(24 * 14),
  INVITE_TTL_DAYS: positiveInt('INVITE_TTL_DAYS').default(7),
  API_KEY_MAX_TTL_DAYS: positiveInt('API_KEY_MAX_TTL_DAYS').default(365),
  ACTIVITY_WRITE_INTERVAL_SECONDS: positiveInt('ACTIVITY_WRITE_INTERVAL_SECONDS').default(300),
  API_KEY_USED_WRITE_INTERVAL_SECONDS: positiveInt('API_KEY_USED_WRITE_INTERVAL_SECONDS').default(300),
  // Retention (docs/OPERATIONS.md, "Retention"): 0 keeps forever.
  AUDIT_RETENTION_DAYS: nonNegativeInt('AUDIT_RETENTION_DAYS').default(365),
  EMAIL_RETENTION_DAYS: nonNegativeInt('EMAIL_RETENTION_DAYS').default(90),
  EMAIL_BODY_RETENTION_DAYS: nonNegativeInt('EMAIL_BODY_RETENTION_DAYS').default(7),
  RETENTION_INTERVAL_MINUTES: positiveInt('RETENTION_INTERVAL_MINUTES').default(60),
  SHUTDOWN_GRACE_SECONDS: positiveInt('SHUTDOWN_GRACE_SECONDS').default(20),
  DISABLE_SSO_PROVISIONING: bool.default(false),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'SMTP_URL must look like smtp://user:pass@host:587 or smtps://host:465')
    .refine(
      (v) => URL.canParse(v),
      'SMTP_URL is not a valid URL: percent-encode special characters in the user and password',
    )
    .optional(),
  SMTP_FROM: z.string().optional(),
  EMAIL_MAX_ATTEMPTS: positiveInt('EMAIL_MAX_ATTEMPTS').default(10),
  EMAIL_RETRY_BASE_SECONDS: positiveInt('EMAIL_RETRY_BASE_SECONDS').default(30),
  EMAIL_POLL_SECONDS: positiveInt('EMAIL_POLL_SECONDS').default(5),
  // At least 3 s so the heartbeat (every third of the lease) is not a busy loop; at most 10 min, the old fixed lock.
  EMAIL_LEASE_SECONDS: positiveInt('EMAIL_LEASE_SECONDS')
    .min(3, 'EMAIL_LEASE_SECONDS must be 3-600')
    .max(600, 'EMAIL_LEASE_SECONDS must be 3-600')
    .default(30),
  GRAPHIQL: bool.optional(),
  // The built dashboard (packages/dashboard/dist by default); DASHBOARD=false turns serving it off.
  DASHBOARD: bool.default(true),
  DASHBOARD_DIR: z.string().optional(),
  GRAPHQL_INTROSPECTION: bool.optional(),
  GRAPHQL_JIT: bool.default(true),
  CORS_ORIGINS: z
    .string()
    .refine(
      (v) => v.split(',').every((o) => /^https?:\/\/[^/\s]+$/.test(o.trim())),
      'CORS_ORIGINS must be comma-separated origins such as https://dashboard.example.com,http://localhost:5173 ' +
        '(scheme, host and port; no path)',
    )
    .optional(),
  TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|\d{1,2}|[0-9a-fA-F.:/, ]+|loopback|linklocal|uniquelocal)$/,
      'TRUST_PROXY must be false, true, a hop count such as 1, or comma-separated proxy addresses/CIDRs (or ' +
        'loopback, linklocal, uniquelocal)',
    )
    .default('false'),
  QUERY_MAX_DEPTH: positiveInt('QUERY_MAX_DEPTH').default(10),
  QUERY_MAX_ALIASES: positiveInt('QUERY_MAX_ALIASES').default(30),
  QUERY_MAX_ROOT_FIELDS: positiveInt('QUERY_MAX_ROOT_FIELDS').default(20),
  QUERY_MAX_DIRECTIVES: positiveInt('QUERY_MAX_DIRECTIVES').default(50),
  QUERY_MAX_TOKENS: positiveInt('QUERY_MAX_TOKENS').default(2000),
  QUERY_MAX_COST: positiveInt('QUERY_MAX_COST').default(25_000),
  REQUEST_TIMEOUT_SECONDS: positiveInt('REQUEST_TIMEOUT_SECONDS').default(30),
  RESPONSE_MAX_BYTES: positiveInt('RESPONSE_MAX_BYTES').default(8 * 1024 * 1024),
  // 4 MiB: the largest legitimate body is inviteUsers at MAX_BULK_INVITES (10,000) rows, about 1.1 MB with one team
  // assignment per row and 1.9 MB with three (40-character addresses); twice that leaves room for longer ones.
  REQUEST_BODY_MAX_BYTES: positiveInt('REQUEST_BODY_MAX_BYTES').default(4 * 1024 * 1024),
  // SCIM requests per token per minute (docs/SCIM.md): Okta and Entra ID stay well below it.
  SCIM_RATE_LIMIT_PER_MINUTE: positiveInt('SCIM_RATE_LIMIT_PER_MINUTE').default(1200),
  SIGN_IN_MAX_FAILURES_PER_ACCOUNT: positiveInt('SIGN_IN_MAX_FAILURES_PER_ACCOUNT').default(10),
  SIGN_IN_MAX_FAILURES_PER_ADDRESS: positiveInt('SIGN_IN_MAX_FAILURES_PER_ADDRESS').default(50),
  SIGN_IN_FAILURE_WINDOW_SECONDS: positiveInt('SIGN_IN_FAILURE_WINDOW_SECONDS').default(15 * 60),
  SIGN_IN_LOCKOUT_SECONDS: positiveInt('SIGN_IN_LOCKOUT_SECONDS').default(15 * 60),
  // As many argon2 hashes at once as the machine has cores, at most 4: each holds 19 MiB of native memory, and more
  // hashes than cores only queue inside libuv while holding theirs.
  PASSWORD_HASH_CONCURRENCY: positiveInt('PASSWORD_HASH_CONCURRENCY').default(Math.min(4, os.availableParallelism())),
  PASSWORD_HASH_MAX_QUEUE: positiveInt('PASSWORD_HASH_MAX_QUEUE').default(64),
  HEAP_GROWING_PERCENT: z.coerce
    .number({ message: 'HEAP_GROWING_PERCENT must be a number' })
    .int('HEAP_GROWING_PERCENT must be a whole number')
    .min(0, 'HEAP_GROWING_PERCENT must be 0-400 (0: V8 decides)')
    .max(400, 'HEAP_GROWING_PERCENT must be 0-400 (0: V8 decides)')
    .default(60),
  IDLE_HEAP_COMPACT_SECONDS: z.coerce
    .number({ message: 'IDLE_HEAP_COMPACT_SECONDS must be a number' })
    .int('IDLE_HEAP_COMPACT_SECONDS must be a whole number')
    .min(0, 'IDLE_HEAP_COMPACT_SECONDS must be 0-3600 (0: off)')
    .max(3600, 'IDLE_HEAP_COMPACT_SECONDS must be 0-3600 (0: off)')
    .default(5),
  METRICS: z.enum(['off', 'on'], { message: 'METRICS must be off or on' }).default('off'),
  METRICS_TOKEN: z
    .string()
    .min(16, 'METRICS_TOKEN must be at least 16 characters (e.g. openssl rand -hex 32)')
    .regex(/^[\x21-\x7e]+$/, 'METRICS_TOKEN must be printable ASCII without spaces')
    .optional(),
  // Instance settings (issue 12, item 5): the environment's defaults, which the API's stored overrides overlay.
  SECRETS_KEY: z
    .string()
    .refine(
      (v) => parseSecretsKey(v) !== null,
      'SECRETS_KEY must be 32 bytes as base64 or 64 hex digits (openssl rand -base64 32)',
    )
    .optional(),
  SECRETS_KEY_PREVIOUS: z
    .string()
    .refine(
      (v) => v.split(',').every((k) => parseSecretsKey(k) !== null),
      'SECRETS_KEY_PREVIOUS must be comma-separated keys of 32 bytes (base64 or 64 hex digits)',
    )
    .optional(),
  SSO_PROVIDERS: z.string().optional(),
  SSO_PROVIDERS_FILE: z.string().optional(),
  SSO_GROUP_MAPPINGS: z.string().optional(),
  SSO_DEFAULT_ORGANIZATION: z.string().optional(),
  SSO_DEFAULT_ROLE: z
    .enum(['ADMIN', 'MEMBER', 'VIEWER'], { message: 'SSO_DEFAULT_ROLE must be ADMIN, MEMBER or VIEWER' })
    .default('MEMBER'),
  PASSWORD_SIGN_IN: bool.default(true),
  SETTINGS_REFRESH_MS: positiveInt('SETTINGS_REFRESH_MS')
    .max(60_000, 'SETTINGS_REFRESH_MS must be at most 60000')
    .default(2000),
});

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** A real PostgreSQL, or undefined for the embedded PGlite database. */
  databaseUrl: string | undefined;
  dataDir: string;
  databasePoolMax: number;
  publicUrl: string;
  logLevel: string;
  sessionTtlHours: number;
  invitationTtlDays: number;
  apiKeyMaxTtlDays: number;
  activityWriteIntervalSeconds: number;
  apiKeyUsedWriteIntervalSeconds: number;
  /** Days kept before pruning (0: forever), and how often the pruner runs (docs/OPERATIONS.md, "Retention"). */
  retention: { auditDays: number; emailDays: number; emailBodyDays: number; intervalMs: number };
  shutdownGraceSeconds: number;
  ssoProvisioning: boolean;
  smtpUrl: string | undefined;
  smtpFrom: string | undefined;
  /** Delivery attempts before an email is FAILED. */
  emailMaxAttempts: number;
  /** First retry delay; doubles per attempt, capped at one hour. */
  emailRetryBaseSeconds: number;
  /** How often the sender looks for due emails (it is also woken right after an invite commits). */
  emailPollSeconds: number;
  /**
   * How long a sender's claim on an email lasts without renewal. A live sender renews it every third of
   * this while the email is in its hands, so only a dead sender's claim lapses; another process then
   * retries the email within this plus EMAIL_POLL_SECONDS.
   */
  emailLeaseSeconds: number;
  graphiql: boolean;
  /** Directory of the built dashboard served at `/`; null: none (DASHBOARD=false, or no index.html there). */
  dashboardDir: string | null;
  /** Introspection and "Did you mean" suggestions: on in development, off in production unless asked for. */
  introspection: boolean;
  /** Repeated queries run compiled by graphql-jit (src/graphql/jit-executor.ts); false: graphql-js only. */
  graphqlJit: boolean;
  /** Browser origins allowed to call the API with credentials (CORS); empty: same-origin only. */
  corsOrigins: string[];
  /** Express's `trust proxy`: false, true, a hop count, or a list of proxy addresses/CIDRs. */
  trustProxy: boolean | number | string;
  queryLimits: QueryLimits;
  /** Work on a request stops after this long (also when the client goes away). */
  requestTimeoutMs: number;
  responseMaxBytes: number;
  requestBodyMaxBytes: number;
  /** SCIM requests allowed per token per minute (SCIM_RATE_LIMIT_PER_MINUTE, docs/SCIM.md). */
  scimRateLimitPerMinute: number;
  signInThrottle: SignInThrottleLimits;
  passwordHashing: PasswordHashingLimits;
  /** `GET /metrics` (Prometheus); off unless METRICS=on. */
  metrics: MetricsConfig;
  /** V8 heap growth and idle compaction (src/observability/heap.ts); applied by the server process's entry point. */
  heap: HeapSettings;
  /** Instance settings defaults and the secrets key (src/modules/settings, docs/OPERATIONS.md "Instance settings"). */
  settings: SettingsEnvironment;
}

/** The environment's part of the instance settings: raw text, validated when the server starts. */
export interface SettingsEnvironment {
  /** SECRETS_KEY: encrypts secrets stored through the API. */
  secretsKey: string | undefined;
  /** SECRETS_KEY_PREVIOUS: decrypt only (rotation). */
  secretsKeyPrevious: string[];
  /** SSO_PROVIDERS (JSON array) or the contents of SSO_PROVIDERS_FILE. */
  ssoProvidersJson: string | undefined;
  /** Where ssoProvidersJson came from, for messages. */
  ssoProvidersSource: string;
  ssoGroupMappingsJson: string | undefined;
  ssoDefaultOrganization: string | undefined;
  ssoDefaultRole: 'ADMIN' | 'MEMBER' | 'VIEWER';
  passwordSignIn: boolean;
  /** How often a process checks the stored settings' version (the longest a change takes to reach it). */
  refreshMs: number;
}

export interface MetricsConfig {
  enabled: boolean;
  /** When set, a scrape must send `Authorization: Bearer <token>`. Required with METRICS=on in production. */
  token: string | undefined;
}

/**
 * Failed password checks (logIn, acceptInvitation with a password) allowed before sign-in is refused (see docs/API.md).
 */
export interface SignInThrottleLimits {
  /** Per login (username or email as typed, normalised; known or not) within the window. */
  accountMaxFailures: number;
  /** Per client address (req.ip, see TRUST_PROXY) within the window. */
  addressMaxFailures: number;
  windowSeconds: number;
  /** How long a login or address stays locked once it reached its limit. */
  lockoutSeconds: number;
}

/** Process-wide bound on argon2 work, so a flood of sign-ins cannot starve other requests. */
export interface PasswordHashingLimits {
  concurrency: number;
  /** Password checks allowed to wait for a slot; beyond this they are refused with RATE_LIMITED. */
  maxQueue: number;
}

/** Limits a GraphQL document must meet before it is executed (see SECURITY.md). */
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

export class ConfigError extends Error {}

function settingsEnvironment(e: z.output<typeof envSchema>, cwd: string): SettingsEnvironment {
  if (e.SSO_PROVIDERS && e.SSO_PROVIDERS_FILE) {
    throw new ConfigError(
      'Invalid configuration; fix these environment variables:\n  - SSO_PROVIDERS_FILE: set either SSO_PROVIDERS or ' +
        'SSO_PROVIDERS_FILE, not both',
    );
  }
  let ssoProvidersJson = e.SSO_PROVIDERS;
  if (e.SSO_PROVIDERS_FILE) {
    try {
      ssoProvidersJson = fs.readFileSync(path.resolve(cwd, e.SSO_PROVIDERS_FILE), 'utf8');
    } catch (err) {
      throw new ConfigError(
        `Invalid configuration; fix these environment variables:\n  - SSO_PROVIDERS_FILE: cannot read ${
          e.SSO_PROVIDERS_FILE
        } (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  return {
    secretsKey: e.SECRETS_KEY,
    secretsKeyPrevious: e.SECRETS_KEY_PREVIOUS ? e.SECRETS_KEY_PREVIOUS.split(',').map((k) => k.trim()) : [],
    ssoProvidersJson,
    ssoProvidersSource: e.SSO_PROVIDERS_FILE ? `SSO_PROVIDERS_FILE (${e.SSO_PROVIDERS_FILE})` : 'SSO_PROVIDERS',
    ssoGroupMappingsJson: e.SSO_GROUP_MAPPINGS,
    ssoDefaultOrganization: e.SSO_DEFAULT_ORGANIZATION,
    ssoDefaultRole: e.SSO_DEFAULT_ROLE,
    passwordSignIn: e.PASSWORD_SIGN_IN,
    refreshMs: e.SETTINGS_REFRESH_MS,
  };
}

/** Reads and validates the environment once; every problem is reported together with what to fix. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration; fix these environment variables:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.SMTP_URL && !e.SMTP_FROM) {
    throw new ConfigError(
      'Invalid configuration; fix these environment variables:\n  - SMTP_FROM: required when SMTP_URL is set (e.g. ' +
        '"Roster <roster@example.com>")',
    );
  }
  if (e.METRICS === 'on' && !e.METRICS_TOKEN && e.NODE_ENV === 'production') {
    throw new ConfigError(
      'Invalid configuration; fix these environment variables:\n  - METRICS_TOKEN: required when METRICS=on in ' +
        'production (the metrics reveal traffic and operation names); generate one with openssl rand -hex 32',
    );
  }
  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(cwd, e.DATA_DIR),
    databasePoolMax: e.DATABASE_POOL_MAX,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    logLevel: e.LOG_LEVEL,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    invitationTtlDays: e.INVITE_TTL_DAYS,
    apiKeyMaxTtlDays: e.API_KEY_MAX_TTL_DAYS,
    activityWriteIntervalSeconds: e.ACTIVITY_WRITE_INTERVAL_SECONDS,
    apiKeyUsedWriteIntervalSeconds: e.API_KEY_USED_WRITE_INTERVAL_SECONDS,
    retention: {
      auditDays: e.AUDIT_RETENTION_DAYS,
      emailDays: e.EMAIL_RETENTION_DAYS,
      emailBodyDays: e.EMAIL_BODY_RETENTION_DAYS,
      intervalMs: e.RETENTION_INTERVAL_MINUTES * 60_000,
    },
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    ssoProvisioning: !e.DISABLE_SSO_PROVISIONING,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    emailMaxAttempts: e.EMAIL_MAX_ATTEMPTS,
    emailRetryBaseSeconds: e.EMAIL_RETRY_BASE_SECONDS,
    emailPollSeconds: e.EMAIL_POLL_SECONDS,
    emailLeaseSeconds: e.EMAIL_LEASE_SECONDS,
    graphiql: e.GRAPHIQL ?? true,
    dashboardDir: e.DASHBOARD ? resolveDashboardDir(e.DASHBOARD_DIR, cwd) : null,
    introspection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== 'production',
    graphqlJit: e.GRAPHQL_JIT,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    corsOrigins: e.CORS_ORIGINS ? e.CORS_ORIGINS.split(',').map((o) => o.trim().replace(/\/$/, '')) : [],
    queryLimits: {
      maxDepth: e.QUERY_MAX_DEPTH,
      maxAliases: e.QUERY_MAX_ALIASES,
      maxRootFields: e.QUERY_MAX_ROOT_FIELDS,
      maxDirectives: e.QUERY_MAX_DIRECTIVES,
      maxTokens: e.QUERY_MAX_TOKENS,
      maxCost: e.QUERY_MAX_COST,
    },
    requestTimeoutMs: e.REQUEST_TIMEOUT_SECONDS * 1000,
    responseMaxBytes: e.RESPONSE_MAX_BYTES,
    requestBodyMaxBytes: e.REQUEST_BODY_MAX_BYTES,
    scimRateLimitPerMinute: e.SCIM_RATE_LIMIT_PER_MINUTE,
    signInThrottle: {
      accountMaxFailures: e.SIGN_IN_MAX_FAILURES_PER_ACCOUNT,
      addressMaxFailures: e.SIGN_IN_MAX_FAILURES_PER_ADDRESS,
      windowSeconds: e.SIGN_IN_FAILURE_WINDOW_SECONDS,
      lockoutSeconds: e.SIGN_IN_LOCKOUT_SECONDS,
    },
    passwordHashing: { concurrency: e.PASSWORD_HASH_CONCURRENCY, maxQueue: e.PASSWORD_HASH_MAX_QUEUE },
    metrics: { enabled: e.METRICS === 'on', token: e.METRICS_TOKEN },
    heap: { growingPercent: e.HEAP_GROWING_PERCENT, idleCompactSeconds: e.IDLE_HEAP_COMPACT_SECONDS },
    settings: settingsEnvironment(e, cwd),
  };
}

/**
 * Where the built dashboard is: DASHBOARD_DIR (relative to the working directory), else the workspace's
 * packages/dashboard/dist beside this package (src/ and dist/ are both two levels below packages/server).
 * null when that directory has no index.html (the dashboard was not built).
 */
function resolveDashboardDir(value: string | undefined, cwd: string): string | null {
  const dir = value ? path.resolve(cwd, value) : path.resolve(__dirname, '..', '..', 'dashboard', 'dist');
  return fs.existsSync(path.join(dir, 'index.html')) ? dir : null;
}
