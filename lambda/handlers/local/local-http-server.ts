/**
 * The local server's HTTP side: node:http on 127.0.0.1, each request checked (loopback Host, body
 * size), turned into the API Gateway event the approval function takes, and its answer written back.
 * What answers is passed in (local-server.ts wires the approval function); nothing here decides.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidInputError } from '../../core/errors';
import { escapeHtml, page, PAGE_HEADERS } from '../../core/render/html';
import type { ApprovalHandler } from '../approval/handler';
import { toHttpApiEvent, writeHttpApiResponse } from './http-api-event';

/** The only address the server binds: the review page approves IAM changes, so it is never exposed. */
export const LOOPBACK_ADDRESS = '127.0.0.1';
/** Request bodies beyond this are refused with 413 before the handler sees them (a form is ~60 bytes). */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;

export interface LocalHttpServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** The approval function: every request that passes the checks goes to it. */
  handler: ApprovalHandler;
  /** One line per request (the path only: the query string holds the review token), and failures. */
  log: (line: string) => void;
}

export interface LocalHttpServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/** Loopback names only: a page reached through another name (DNS rebinding) is refused. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopbackHost(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  const host = hostHeader.trim().toLowerCase().replace(/:\d+$/, '');
  return LOOPBACK_HOSTS.has(host);
}

type BodyRead = { ok: true; body: string } | { ok: false };

/** The request body as text, or not ok once it passes the limit (the rest is not read). */
function readBody(request: IncomingMessage, limit: number): Promise<BodyRead> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        request.pause();
        resolve({ ok: false });
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!done) resolve({ ok: true, body: Buffer.concat(chunks).toString('utf8') });
    });
    request.on('error', reject);
  });
}

function sendPage(response: ServerResponse, statusCode: number, title: string, message: string): void {
  const body = Buffer.from(
    page(title, `<h1 id="result">${escapeHtml(title)}</h1><p id="message">${escapeHtml(message)}</p>`),
    'utf8',
  );
  // The connection is closed: an unread body must not be taken for the next request.
  response.writeHead(statusCode, {
    ...PAGE_HEADERS,
    'content-length': String(body.length),
    connection: 'close',
  });
  response.end(body);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EADDRINUSE'
          ? `--port ${port}: ${LOOPBACK_ADDRESS}:${port} is already in use; pick another port, or --port 0 for a free one`
          : `--port ${port}: cannot listen on ${LOOPBACK_ADDRESS}:${port} (${error.code ?? error.message})`;
      reject(new InvalidInputError(why, '--port', { cause: error }));
    };
    server.once('error', failed);
    server.listen(port, LOOPBACK_ADDRESS, () => {
      server.off('error', failed);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function pathOf(request: IncomingMessage): string {
  return (request.url ?? '/').split('?')[0] ?? '/';
}

/** Listens on the loopback address; a port in use is an InvalidInputError naming --port. */
export async function startLocalHttpServer(options: LocalHttpServerOptions): Promise<LocalHttpServer> {
  const { handler, log } = options;
  let url = '';

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = new Date();
    const method = request.method ?? 'GET';
    const path = pathOf(request);
    if (!isLoopbackHost(request.headers.host)) {
      sendPage(response, 421, 'Wrong address', `This server answers at ${url} only.`);
      log(`${method} ${path} 421 (Host ${String(request.headers.host).slice(0, 100)})`);
      return;
    }
    const read = await readBody(request, MAX_REQUEST_BODY_BYTES);
    if (!read.ok) {
      sendPage(
        response,
        413,
        'Request too large',
        `Requests are limited to ${MAX_REQUEST_BODY_BYTES} bytes.`,
      );
      log(`${method} ${path} 413`);
      return;
    }
    const result = await handler(
      toHttpApiEvent({
        method,
        url: request.url ?? '/',
        headers: request.headers,
        sourceIp: request.socket.remoteAddress ?? '',
        httpVersion: request.httpVersion,
        body: read.body,
        at,
      }),
    );
    writeHttpApiResponse(response, result);
    // The path only: the query string holds the review token.
    log(`${method} ${path} ${result.statusCode}`);
  }

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      const line = `${request.method ?? 'GET'} ${pathOf(request)}`;
      log(`error: ${line} failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) sendPage(response, 500, 'Something went wrong', 'Nothing was decided.');
      else response.destroy();
    });
  });
  const boundPort = await listen(server, options.port);
  url = `http://${LOOPBACK_ADDRESS}:${boundPort}`;

  let closed: Promise<void> | null = null;
  return {
    url,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Browsers keep connections alive: without this, close would wait for them to time out.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
