/**
 * node:http <-> API Gateway HTTP API (payload format 2.0): what the local server hands the approval
 * function, built the way API Gateway builds it, and the function's answer written back.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ApprovalResponse } from '../approval/handler';

/** What the local server knows about one request, beyond the node:http request itself. */
export interface LocalRequest {
  method: string;
  /** The request target as sent: path and query string, undecoded. */
  url: string;
  headers: IncomingMessage['headers'];
  /** The remote address of the socket (the browser's, always a loopback address here). */
  sourceIp: string;
  httpVersion: string;
  body: string;
  at: Date;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's requestContext.time: `18/Jun/2026:00:00:00 +0000`. */
export function apiGatewayTime(at: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(at.getUTCDate())}/${MONTHS[at.getUTCMonth()] ?? ''}/${at.getUTCFullYear()}:${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())} +0000`;
}

/** Header names lower-cased (node:http already does) and repeated values joined with commas, as API Gateway does. */
function flatHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return flat;
}

/** Repeated parameters joined with commas, as API Gateway does; undefined when there are none. */
function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    const previous = parameters[name];
    parameters[name] = previous === undefined ? value : `${previous},${value}`;
  }
  return Object.keys(parameters).length > 0 ? parameters : undefined;
}

/** The event API Gateway would send for this request on the `$default` stage and route. */
export function toHttpApiEvent(request: LocalRequest): APIGatewayProxyEventV2 {
  const queryAt = request.url.indexOf('?');
  const rawPath = (queryAt === -1 ? request.url : request.url.slice(0, queryAt)) || '/';
  const rawQueryString = queryAt === -1 ? '' : request.url.slice(queryAt + 1);
  const headers = flatHeaders(request.headers);
  const queryStringParameters = queryParameters(rawQueryString);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers['host'] ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: apiGatewayTime(request.at),
      timeEpoch: request.at.getTime(),
    },
    ...(request.body !== '' ? { body: request.body } : {}),
    isBase64Encoded: false,
  };
}

/** Writes the function's answer: status, headers and body (decoded if the function base64-encoded it). */
export function writeHttpApiResponse(response: ServerResponse, result: ApprovalResponse): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers)) headers[name] = String(value);
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  response.writeHead(result.statusCode, { ...headers, 'content-length': String(body.length) });
  response.end(body);
}
