import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '../logger';
import type { ActivityTracker } from '../modules/activity/activity-tracker';

/** Label for requests without an operation name (anonymous documents). */
export const ANONYMOUS_OPERATION = 'anonymous';
/** Label for requests whose operation is unknown: the document did not parse, or authentication failed first. */
export const UNKNOWN_OPERATION = 'unknown';
/** Label for operation names beyond the first MAX_OPERATION_NAMES distinct ones. */
export const OTHER_OPERATION = 'other';
/** Distinct operation names given their own series per process; clients choose names, so this bounds them. */
export const MAX_OPERATION_NAMES = 100;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
/** Error codes are the server's own (ErrorCode and Apollo's); anything else is reported as OTHER. */
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,47}$/;

/** The statements the ORM's knex emits events for (knex's `query` / `query-response` / `query-error`). */
interface KnexQueryEvent {
  __knexQueryUid?: string;
}

/** The part of knex's tarn pool the pool gauges read. */
interface PoolLike {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
  max: number;
}

export interface MetricsSources {
  orm: MikroORM;
  activity: ActivityTracker;
  logger: Logger;
}

/**
 * Prometheus metrics of one server process (prom-client, a registry per server so tests can run several).
 * Everything but the outbox is counted as it happens; the outbox gauges cost one indexed query per scrape.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly operationNames = new Set<string>();
  private readonly requests: Counter<'operation' | 'outcome'>;
  private readonly requestDuration: Histogram<'operation' | 'outcome'>;
  private readonly rateLimited: Counter<'operation'>;
  private readonly statements: Counter<'outcome'>;
  private readonly statementDuration: Histogram<'outcome'>;
  private readonly statementStarts = new Map<string, number>();
  private detachKnex: (() => void) | null = null;

  constructor(private readonly sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'roster_graphql_requests_total',
      help: 'GraphQL requests by operation name and outcome (ok, or the first error code).',
      labelNames: ['operation', 'outcome'] as const,
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'roster_graphql_request_duration_seconds',
      help: 'GraphQL request duration, from authentication to the response, by operation name and outcome.',
      labelNames: ['operation', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'roster_rate_limited_total',
      help: 'Requests refused with RATE_LIMITED (sign-in throttling, password-hashing queue), by operation name.',
      labelNames: ['operation'] as const,
      registers,
    });
    this.statements = new Counter({
      name: 'roster_db_statements_total',
      help: 'SQL statements run on the database pool, by outcome (ok or error).',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.statementDuration = new Histogram({
      name: 'roster_db_statement_duration_seconds',
      help: 'SQL statement duration, from sending to the response (waiting for a connection not included).',
      labelNames: ['outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    });
    const pool = (): PoolLike | null => {
      const client = sources.orm.em.getConnection().getKnex().client as { pool?: PoolLike | null };
      return client.pool ?? null;
    };
    new Gauge({
      name: 'roster_db_pool_connections',
      help: 'Database pool connections by state: used, free, pending_acquire (requests waiting), pending_create.',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const p = pool();
        this.set({ state: 'used' }, p?.numUsed() ?? 0);
        this.set({ state: 'free' }, p?.numFree() ?? 0);
        this.set({ state: 'pending_acquire' }, p?.numPendingAcquires() ?? 0);
        this.set({ state: 'pending_create' }, p?.numPendingCreates() ?? 0);
      },
    });
    new Gauge({
      name: 'roster_db_pool_max',
      help: 'Largest number of connections the pool opens (DATABASE_POOL_MAX; 1 on the embedded database).',
      registers,
      collect() {
        this.set(pool()?.max ?? 0);
      },
    });
    new Gauge({
      name: 'roster_activity_backlog',
      help: 'User activity writes issued by this process and not finished yet (the activity coalescer backlog).',
      registers,
      collect() {
        this.set(sources.activity.backlog);
      },
    });
    // One query per scrape for the three outbox gauges: their collects run together and share it.
    let snapshot: Promise<OutboxSnapshot | null> | null = null;
    const outbox = (): Promise<OutboxSnapshot | null> => {
      snapshot ??= readOutbox(sources).finally(() => {
        snapshot = null;
      });
      return snapshot;
    };
    new Gauge({
      name: 'roster_outbox_queue_depth',
      help: 'Outbox emails not delivered yet (QUEUED or SENDING), across all processes.',
      registers,
      async collect() {
        const o = await outbox();
        if (o) this.set(o.depth);
      },
    });
    new Gauge({
      name: 'roster_outbox_due',
      help: 'Outbox emails due now: QUEUED and past their next attempt, or SENDING with a lapsed lease.',
      registers,
      async collect() {
        const o = await outbox();
        if (o) this.set(o.due);
      },
    });
    new Gauge({
      name: 'roster_outbox_oldest_due_age_seconds',
      help: 'How long the oldest due outbox email has been due; 0 when none is.',
      registers,
      async collect() {
        const o = await outbox();
        if (o) this.set(o.oldestDueSeconds);
      },
    });
    this.attachKnex();
  }

  /** Counts the statements of the ORM's knex (its `query` / `query-response` / `query-error` events). */
  private attachKnex(): void {
    const knex = this.sources.orm.em.getConnection().getKnex();
    const onQuery = (q: KnexQueryEvent) => {
      if (!q.__knexQueryUid) return;
      // Bounded: an entry whose end never came is dropped rather than kept forever.
      if (this.statementStarts.size > 10_000) this.statementStarts.clear();
      this.statementStarts.set(q.__knexQueryUid, performance.now());
    };
    const ended = (outcome: 'ok' | 'error', q: KnexQueryEvent | undefined) => {
      this.statements.inc({ outcome });
      const uid = q?.__knexQueryUid;
      const started = uid === undefined ? undefined : this.statementStarts.get(uid);
      if (uid === undefined || started === undefined) return;
      this.statementStarts.delete(uid);
      this.statementDuration.observe({ outcome }, (performance.now() - started) / 1000);
    };
    const onResponse = (_response: unknown, q: KnexQueryEvent) => ended('ok', q);
    const onError = (_error: unknown, q: KnexQueryEvent) => ended('error', q);
    knex.on('query', onQuery);
    knex.on('query-response', onResponse);
    knex.on('query-error', onError);
    this.detachKnex = () => {
      knex.off('query', onQuery);
      knex.off('query-response', onResponse);
      knex.off('query-error', onError);
    };
  }

  /** A bounded label for a client-chosen operation name. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return ANONYMOUS_OPERATION;
    if (!OPERATION_NAME.test(name)) return OTHER_OPERATION;
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return OTHER_OPERATION;
    this.operationNames.add(name);
    return name;
  }

  /** Records one finished GraphQL request; `codes` are the error codes of its response, in order. */
  observeRequest(operation: string, codes: ReadonlyArray<unknown>, seconds: number): void {
    const outcome = codes.length === 0 ? 'ok' : outcomeLabel(codes[0]);
    this.requests.inc({ operation, outcome });
    this.requestDuration.observe({ operation, outcome }, seconds);
    if (codes.includes('RATE_LIMITED')) this.rateLimited.inc({ operation });
  }

  /** Apollo plugin: labels each request with its operation name and outcome once the response is ready. */
  plugin<T extends object>(): ApolloServerPlugin<T> {
    return {
      requestDidStart: async () => {
        const started = performance.now();
        return {
          willSendResponse: async ({ response, operationName, operation, request }) => {
            // A resolved operation's own name; otherwise (the document failed) the name the client sent, if any.
            const name = operation ? (operation.name?.value ?? null) : (operationName ?? request.operationName);
            const label = operation || name ? this.operationLabel(name) : UNKNOWN_OPERATION;
            const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
            const codes = (errors ?? []).map((e) => e.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
            this.observeRequest(label, codes, (performance.now() - started) / 1000);
          },
        };
      },
    };
  }

  /** Serves the registry; with a token, only to `Authorization: Bearer <token>`. */
  handler(token: string | undefined): RequestHandler {
    const expected = token ? digest(token) : null;
    return async (req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      if (expected) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
        if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
          res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
          res.status(401).type('text/plain').send('Unauthorized: send Authorization: Bearer <METRICS_TOKEN>.\n');
          return;
        }
      }
      try {
        const body = await this.registry.metrics();
        res.type(this.registry.contentType).send(body);
      } catch (err) {
        this.sources.logger.error({ err }, 'Metrics: scrape failed');
        res.status(500).type('text/plain').send('Metrics unavailable.\n');
      }
    };
  }

  stop(): void {
    this.detachKnex?.();
    this.detachKnex = null;
    this.statementStarts.clear();
  }
}

interface OutboxSnapshot {
  depth: number;
  due: number;
  oldestDueSeconds: number;
}

/** One indexed query (outbox_emails' (status, next_attempt_at) index); null, and a warning, if it fails. */
async function readOutbox(sources: MetricsSources): Promise<OutboxSnapshot | null> {
  try {
    const rows = await sources.orm.em
      .getConnection()
      .execute<Array<{ depth: string | number; due: string | number; oldest: string | number | null }>>(
        `select count(*) as depth,
                count(*) filter (where due_at <= now()) as due,
                extract(epoch from now() - min(due_at) filter (where due_at <= now())) as oldest
           from (select case when status = 'QUEUED' then next_attempt_at else locked_until end as due_at
                   from outbox_emails where status in ('QUEUED', 'SENDING')) pending`,
      );
    const row = rows[0];
    return {
      depth: Number(row?.depth ?? 0),
      due: Number(row?.due ?? 0),
      oldestDueSeconds: Math.max(0, Number(row?.oldest ?? 0)),
    };
  } catch (err) {
    sources.logger.warn({ err }, 'Metrics: could not read the outbox');
    return null;
  }
}

function outcomeLabel(code: unknown): string {
  return typeof code === 'string' && ERROR_CODE.test(code) ? code : 'OTHER';
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
