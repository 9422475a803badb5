import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ErrorCode } from '../errors';
import type { Logger } from '../logger';

/**
 * The path of a URL with each query value replaced: query strings carry tokens (`/invite?token=`) and GET variables.
 */
export function redactedUrl(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  if (q === -1) return url;
  const keys = [...new URLSearchParams(url.slice(q + 1)).keys()].slice(0, 20);
  return `${url.slice(0, q)}?${keys.map((k) => `${encodeURIComponent(k)}=[redacted]`).join('&')}`;
}

function errorBody(message: string, code: ErrorCode, extra: Record<string, unknown> = {}) {
  return { errors: [{ message, extensions: { code, ...extra } }] };
}

/** Unknown routes answer JSON, like everything else that is not an HTML page. */
export const notFoundHandler: RequestHandler = (req, res) => {
  res
    .status(404)
    .json(
      errorBody(
        `No route ${req.method} ${req.path}. The API is POST /graphql; see /healthz and /readyz for probes.`,
        ErrorCode.NOT_FOUND,
      ),
    );
};

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

/**
 * Errors raised outside GraphQL (a body that is not JSON, too large, a bad encoding) become a JSON error
 * with a stable code and no stack trace, in every mode. Anything unexpected is logged without its details
 * leaving the server.
 */
export function httpErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const e = (typeof err === 'object' && err !== null ? err : {}) as HttpError;
    const status = e.status ?? e.statusCode ?? 500;
    if (e.type === 'entity.parse.failed') {
      res
        .status(400)
        .json(
          errorBody(
            'The request body is not valid JSON. Send {"query": "...", "variables": {...}} with content-type ' +
              'application/json.',
            ErrorCode.BAD_REQUEST,
          ),
        );
    } else if (e.type === 'entity.too.large') {
      res
        .status(413)
        .json(
          errorBody(
            'The request body is too large; send a smaller document or fewer variables (see REQUEST_BODY_MAX_BYTES).',
            ErrorCode.BAD_REQUEST,
          ),
        );
    } else if (status >= 400 && status < 500) {
      res
        .status(status)
        .json(
          errorBody(
            'The HTTP request is malformed (check its content-type, encoding and body).',
            ErrorCode.BAD_REQUEST,
          ),
        );
    } else {
      const requestId = String(req.id ?? 'unknown');
      logger.error({ err, requestId, url: redactedUrl(req.originalUrl) }, 'Unexpected error outside GraphQL');
      res
        .status(500)
        .json(
          errorBody(
            `Internal server error. Quote request id ${requestId} to your operator.`,
            ErrorCode.INTERNAL_SERVER_ERROR,
            { requestId },
          ),
        );
    }
  };
}
