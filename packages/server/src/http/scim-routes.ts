import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response } from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import { RateLimiterRes, type RateLimiterPostgres } from 'rate-limiter-flexible';
import { RateLimiterPostgresUnnamed, SIGN_IN_THROTTLE_TABLE } from '../auth/sign-in-throttle';
import { hashSecret, isWellFormedScimToken } from '../auth/secrets';
import type { Logger } from '../logger';
import { ScimToken } from '../modules/scim/scim-token.entity';
import { ScimService, type ScimContext } from '../modules/scim/scim.service';
import { ScimError, invalidSyntax, scimNotFound } from '../modules/scim/scim-errors';
import { parseProjection, project, wants, type Resource } from '../modules/scim/scim-representation';
import {
  MAX_BODY_BYTES,
  SCHEMA_DEFINITIONS,
  LIST_RESPONSE_SCHEMA,
  resourceTypes,
  schemaResource,
  serviceProviderConfig,
  type ResourceKind,
} from '../modules/scim/scim-schema';

export const SCIM_MEDIA_TYPE = 'application/scim+json';
/** The identity provider's request id, first header present wins: Entra ID's, then the common ones, Okta's. */
const IDP_REQUEST_ID_HEADERS = ['client-request-id', 'x-request-id', 'x-okta-request-id', 'request-id'];
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

interface ScimLocals {
  token: ScimToken;
  organizationId: string;
}

/**
 * SCIM 2.0 (RFC 7643, RFC 7644) under /scim/v2 (docs/SCIM.md): one organization per token. Every answer, errors
 * included (401, 404 routes, bad JSON, 413, 429), is `application/scim+json`.
 */
export async function scimRouter(params: {
  orm: MikroORM;
  logger: Logger;
  publicUrl: string;
  ratePerMinute: number;
}): Promise<express.Router> {
  const { orm, logger } = params;
  let limiter: RateLimiterPostgres | undefined;
  // The ready callback may run inside the constructor (tableCreated) or later: wait for it either way.
  await new Promise<void>((resolve, reject) => {
    limiter = new RateLimiterPostgresUnnamed(
      {
        storeClient: orm.em.getConnection().getKnex(),
        storeType: 'knex',
        // The sign-in throttle's table (rate-limiter-flexible's layout, Migration20261129091500_SignInThrottle), under
        // its own key prefix; its cleanup deletes expired rows of both.
        tableName: SIGN_IN_THROTTLE_TABLE,
        tableCreated: true,
        clearExpiredByTimeout: false,
        keyPrefix: 'scim',
        points: params.ratePerMinute,
        duration: 60,
      },
      (err?: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()),
    );
  });
  const rateLimiter = limiter!;

  // `location` and `$ref`: the configured public URL and the mount path, never the request's Host header (a client
  // could otherwise have the server name a host of its choosing in what it returns and stores).
  const publicBase = params.publicUrl.replace(/\/+$/, '');
  const baseOf = (req: Request) => `${publicBase}${req.baseUrl}`;
  const router = express.Router({ caseSensitive: false });
  const send = (res: Response, status: number, body: unknown) => {
    res.status(status).type(SCIM_MEDIA_TYPE).send(JSON.stringify(body));
  };

  // Authentication: an organization's SCIM token, nothing else (sessions and API keys are not SCIM credentials).
  router.use(async (req, res, next) => {
    try {
      const header = req.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      if (!match)
        throw new ScimError(
          401,
          'Send "Authorization: Bearer <SCIM token>" (createScimToken gives one).',
          undefined,
          'UNAUTHENTICATED',
          {
            'WWW-Authenticate': 'Bearer realm="scim"',
          },
        );
      const secret = match[1]!;
      if (!isWellFormedScimToken(secret))
        throw new ScimError(
          401,
          'The bearer token is not a SCIM token (rsc_…) or was not copied whole.',
          undefined,
          'UNAUTHENTICATED',
          {
            'WWW-Authenticate': 'Bearer realm="scim", error="invalid_token"',
          },
        );
      const em = orm.em.fork();
      const token = await em.findOne(ScimToken, { tokenHash: hashSecret(secret) });
      if (!token || token.revokedAt)
        throw new ScimError(
          401,
          'The SCIM token is unknown or revoked: create a new one (createScimToken).',
          undefined,
          'UNAUTHENTICATED',
          {
            'WWW-Authenticate': 'Bearer realm="scim", error="invalid_token"',
          },
        );
      try {
        await rateLimiter.consume(token.id);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        const retry = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        throw new ScimError(
          429,
          `Too many SCIM requests with this token (at most ${params.ratePerMinute} a minute): retry in ${retry} s.`,
          undefined,
          'RATE_LIMITED',
          { 'Retry-After': String(retry) },
        );
      }
      // lastUsedAt, written at most once a minute per token whatever the request rate: not even a statement while the
      // value just read is that recent; the condition keeps concurrent requests and processes to one write.
      if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() >= 60_000)
        await em.execute(
          'update scim_tokens set last_used_at = now() where id = ? and ' +
            `(last_used_at is null or last_used_at < now() - interval '1 minute')`,
          [token.id],
        );
      (res.locals as ScimLocals).token = token;
      (res.locals as ScimLocals).organizationId = token.organization.id;
      next();
    } catch (err) {
      next(err);
    }
  });
  router.use(express.json({ type: [SCIM_MEDIA_TYPE, 'application/json'], limit: MAX_BODY_BYTES }));

  const service = (req: Request, res: Response): ScimService => {
    const locals = res.locals as ScimLocals;
    const idp = IDP_REQUEST_ID_HEADERS.map((h) => req.get(h)).find((v) => v && REQUEST_ID_PATTERN.test(v)) ?? null;
    const ctx: ScimContext = {
      em: orm.em.fork(),
      organizationId: locals.organizationId,
      token: locals.token,
      base: baseOf(req),
      idpRequestId: idp,
      clientAddress: req.ip ?? null,
    };
    return new ScimService(ctx);
  };
  const handle =
    (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => {
      fn(req, res).catch(next);
    };
  const query = (req: Request, name: string): unknown => {
    const key = Object.keys(req.query).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : req.query[key];
  };
  const projection = (kind: ResourceKind, req: Request, src: (n: string) => unknown = (n) => query(req, n)) =>
    parseProjection(kind, src('attributes'), src('excludedAttributes'));
  const ifMatch = (req: Request) => req.get('if-match');
  const sendResource = (req: Request, res: Response, kind: ResourceKind, status: number, r: Resource) => {
    const meta = r.meta as { version: string; location: string };
    res.setHeader('ETag', meta.version);
    if (status === 201) res.setHeader('Location', meta.location);
    send(res, status, project(r, projection(kind, req)));
  };

  router.get('/ServiceProviderConfig', (req, res) => send(res, 200, serviceProviderConfig(baseOf(req))));
  router.get('/ResourceTypes', (req, res) => {
    const list = resourceTypes(baseOf(req));
    send(res, 200, {
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: list.length,
      startIndex: 1,
      itemsPerPage: list.length,
      Resources: list,
    });
  });
  router.get('/ResourceTypes/:id', (req, res, next) => {
    const found = resourceTypes(baseOf(req)).find((r) => r.id === req.params.id);
    if (!found) return next(scimNotFound(`No resource type "${String(req.params.id)}".`));
    send(res, 200, found);
  });
  router.get('/Schemas', (req, res) => {
    const list = SCHEMA_DEFINITIONS.map((d) => schemaResource(d, baseOf(req)));
    send(res, 200, {
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: list.length,
      startIndex: 1,
      itemsPerPage: list.length,
      Resources: list,
    });
  });
  router.get('/Schemas/:id', (req, res, next) => {
    const def = SCHEMA_DEFINITIONS.find((d) => d.id === req.params.id);
    if (!def) return next(scimNotFound(`No schema "${String(req.params.id)}".`));
    send(res, 200, schemaResource(def, baseOf(req)));
  });

  for (const [path, kind] of [
    ['Users', 'User'],
    ['Groups', 'Group'],
  ] as const) {
    router.get(
      `/${path}`,
      handle(async (req, res) => {
        const p = projection(kind, req);
        const q = {
          filter: query(req, 'filter'),
          startIndex: query(req, 'startIndex'),
          count: query(req, 'count'),
          sortBy: query(req, 'sortBy'),
          sortOrder: query(req, 'sortOrder'),
        };
        send(res, 200, await service(req, res).list(kind, q, p));
      }),
    );
    // RFC 7644 §3.4.3: the same query in a POST body.
    router.post(
      `/${path}/.search`,
      handle(async (req, res) => {
        const b = (req.body ?? {}) as Record<string, unknown>;
        const get = (n: string) => {
          const k = Object.keys(b).find((key) => key.toLowerCase() === n.toLowerCase());
          const v = k === undefined ? undefined : b[k];
          if (Array.isArray(v)) return v.join(',');
          return typeof v === 'number' ? String(v) : v;
        };
        const p = projection(kind, req, get);
        send(
          res,
          200,
          await service(req, res).list(
            kind,
            {
              filter: get('filter'),
              startIndex: get('startIndex'),
              count: get('count'),
              sortBy: get('sortBy'),
              sortOrder: get('sortOrder'),
            },
            p,
          ),
        );
      }),
    );
    router.get(
      `/${path}/:id`,
      handle(async (req, res) => {
        const svc = service(req, res);
        const r =
          kind === 'User' ? await svc.getUser(String(req.params.id)) : await svc.getGroup(String(req.params.id));
        const inm = req.get('if-none-match');
        const version = (r.meta as { version: string }).version;
        if (inm?.split(',').some((t) => t.trim().replace(/^W\//, '') === version.replace(/^W\//, ''))) {
          res.setHeader('ETag', version);
          res.status(304).end();
          return;
        }
        sendResource(req, res, kind, 200, r);
      }),
    );
    router.post(
      `/${path}`,
      handle(async (req, res) => {
        const svc = service(req, res);
        const r = kind === 'User' ? await svc.createUser(req.body) : await svc.createGroup(req.body);
        sendResource(req, res, kind, 201, r);
      }),
    );
    router.put(
      `/${path}/:id`,
      handle(async (req, res) => {
        const svc = service(req, res);
        const id = String(req.params.id);
        const r =
          kind === 'User'
            ? await svc.replaceUser(id, req.body, ifMatch(req))
            : await svc.replaceGroup(id, req.body, ifMatch(req));
        sendResource(req, res, kind, 200, r);
      }),
    );
    router.patch(
      `/${path}/:id`,
      handle(async (req, res) => {
        const svc = service(req, res);
        const id = String(req.params.id);
        const r =
          kind === 'User'
            ? await svc.patchUser(id, req.body, ifMatch(req))
            : await svc.patchGroup(id, req.body, ifMatch(req), wants(projection(kind, req), 'members'));
        sendResource(req, res, kind, 200, r);
      }),
    );
    router.delete(
      `/${path}/:id`,
      handle(async (req, res) => {
        const svc = service(req, res);
        const id = String(req.params.id);
        if (kind === 'User') await svc.deleteUser(id, ifMatch(req));
        else await svc.deleteGroup(id, ifMatch(req));
        res.status(204).end();
      }),
    );
  }
  for (const path of ['/Bulk', '/Me']) {
    router.all(path, (_req, _res, next) =>
      next(new ScimError(501, `${path} is not supported (see ServiceProviderConfig).`)),
    );
  }
  router.use((req, _res, next) => {
    next(new ScimError(404, `No SCIM endpoint ${req.method} /scim/v2${req.path}.`));
  });
  const errors: ErrorRequestHandler = (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    let e: ScimError;
    const http = (typeof err === 'object' && err !== null ? err : {}) as { type?: string; status?: number };
    if (err instanceof ScimError) e = err;
    else if (http.type === 'entity.parse.failed') e = invalidSyntax('The request body is not valid JSON.');
    else if (http.type === 'entity.too.large')
      e = new ScimError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    else if (http.status && http.status >= 400 && http.status < 500)
      e = new ScimError(http.status, 'The request is malformed.', 'invalidSyntax');
    else {
      (req.log ?? logger).error({ err }, 'SCIM request failed');
      e = new ScimError(500, `Internal error; quote request id ${String(req.id)} to the operator.`);
    }
    for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
    send(res, e.status, e.body());
  };
  router.use(errors);
  return router;
}
