// Engine sessions: one engine RPC session per WebSocket connection (attach on open, detach on
// close), the launcher's auth gate, and live-query notifications routed to the connection that
// owns them. Requests go to the engine byte for byte, with the connection's session added.

import { randomUUID } from 'node:crypto';
import { PROG, log, logs } from './log.mjs';
import {
  KEY, decode, decodeValue, encode, entriesExcept, errorValue, isNone, mapEntries, mapHeader, rawValue, response,
  splitEngineReply, uuidBytes,
} from './cbor-frames.mjs';

/** Methods a connection may call before a successful signin/authenticate. */
const OPEN_METHODS = new Set(['signin', 'authenticate', 'use', 'ping', 'version']);
/** Session management stays with the launcher: one session per connection. */
const LAUNCHER_METHODS = new Set(['attach', 'detach', 'sessions']);
/** Byte pattern of `"type": "live"` in a query result (a LIVE SELECT statement). */
const LIVE_TYPE_PATTERN = Buffer.concat([encode('type'), encode('live')]);

/** A random session id, as text (for routing) and as SurrealDB's CBOR uuid (for requests). */
function newSession() {
  const text = randomUUID();
  return { text, bytes: uuidBytes(text) };
}

/** Error for a method the launcher refuses itself: {kind: 'Method', details: {name}}. */
function methodError(code, message, method) {
  return errorValue(code, 'NotAllowed', message, { kind: 'Method', details: { name: method } });
}

/** The connections of one engine, each with its own session, and the live queries each owns. */
export class Sessions {
  constructor(engine) {
    this.engine = engine;
    this.bySession = new Map(); // session uuid text -> connection
    this.byLive = new Map(); // live query uuid text -> connection
    this.connections = new Set();
    this.counter = 0;
    this.closing = false;
  }

  /** Opens a session for a new WebSocket and serves its requests until it closes. */
  open(ws, req) {
    const conn = {
      n: ++this.counter,
      ws,
      session: newSession(),
      authenticated: false,
      closed: false,
      lives: new Set(),
    };
    this.connections.add(conn);
    this.bySession.set(conn.session.text, conn);
    log('debug', `connection ${conn.n} from ${req.socket.remoteAddress}:${req.socket.remotePort} (session ${conn.session.text})`);
    conn.ready = this.engine
      .execute(this.sessionRequest('attach', conn))
      .then((reply) => {
        const { error } = splitEngineReply(reply);
        if (error) throw new Error(decode(error)?.message ?? 'attach failed');
      });
    conn.ready.catch((err) => {
      log('error', `connection ${conn.n}: cannot open a session: ${err.message}`);
      ws.close(1011, 'cannot open a session');
    });
    ws.on('message', (data) => {
      this.handleRequest(conn, Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));
    });
    ws.on('error', (err) => log('debug', `connection ${conn.n}: ${err.message}`));
    ws.on('close', () => this.closed(conn));
  }

  /** Forgets a closed connection and detaches its session, which also kills its live queries. */
  closed(conn) {
    conn.closed = true;
    this.connections.delete(conn);
    this.bySession.delete(conn.session.text);
    for (const id of conn.lives) if (this.byLive.get(id) === conn) this.byLive.delete(id);
    log('debug', `connection ${conn.n} closed`);
    conn.ready
      .then(() => this.engine.execute(this.sessionRequest('detach', conn)))
      .catch((err) => log('debug', `connection ${conn.n}: detach: ${err?.message ?? err}`));
  }

  /** Closes every connection: the server is shutting down. */
  closeAll() {
    this.closing = true;
    for (const conn of this.connections) conn.ws.close(1001, 'server shutting down');
  }

  /** {method, session} for attach/detach of a connection's session. */
  sessionRequest(method, conn) {
    return Buffer.concat([mapHeader(2), encode('method'), encode(method), KEY.session, conn.session.bytes]);
  }

  send(conn, buf) {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(buf, { binary: true });
  }

  noteLive(conn, idText) {
    if (!conn.closed && idText) {
      this.byLive.set(idText, conn);
      conn.lives.add(idText);
    }
  }

  /** Checks one request, forwards it to the engine in the connection's session, and sends the reply. */
  async handleRequest(conn, data) {
    let idRaw = null;
    let method = '?';
    try {
      let entries;
      try {
        entries = mapEntries(data);
      } catch (err) {
        log('debug', `connection ${conn.n}: unparsable request (${err.message})`);
        return this.send(conn, response(null, 'error', errorValue(-32700, 'Validation', 'Parse error', { kind: 'Parse' })));
      }
      if (!entries) return this.send(conn, response(null, 'error', errorValue(-32600, 'Validation', 'Invalid request: expected a CBOR map {id, method, params}')));
      const idEntry = entries.get('id');
      if (idEntry) idRaw = Buffer.from(rawValue(data, idEntry));
      const methodEntry = entries.get('method');
      method = methodEntry ? decodeValue(data, methodEntry) : undefined;
      if (typeof method !== 'string') {
        return this.send(conn, response(idRaw, 'error', errorValue(-32600, 'Validation', 'Invalid request: missing method')));
      }
      const lower = method.toLowerCase(); // for deny-lists, should an engine ever match methods case-insensitively
      const sessionEntry = entries.get('session');
      if (sessionEntry && !isNone(rawValue(data, sessionEntry))) {
        return this.send(conn, response(idRaw, 'error', methodError(-32000,
          `Multiple sessions per connection are not supported by the ${PROG} launcher: send requests without 'session' (open another connection instead)`,
          method)));
      }
      if (LAUNCHER_METHODS.has(lower)) {
        return this.send(conn, response(idRaw, 'error', methodError(-32000,
          `Method '${method}' is not supported by the ${PROG} launcher: it keeps one session per connection`, method)));
      }
      if (!conn.authenticated && !OPEN_METHODS.has(method)) {
        return this.send(conn, response(idRaw, 'error', methodError(-32002,
          `Authentication required: sign in (method 'signin') before calling '${method}'`, method)));
      }
      if (lower === 'invalidate' || lower === 'reset') conn.authenticated = false;

      // Forward: the request's own entries (byte for byte, minus any 'session'), plus ours.
      const { parts, count } = entriesExcept(data, entries, 'session');
      const request = Buffer.concat([mapHeader(count + 1), ...parts, KEY.session, conn.session.bytes]);
      await conn.ready;
      const t0 = logs('trace') ? process.hrtime.bigint() : 0n;
      let reply;
      try {
        reply = splitEngineReply(await this.engine.execute(request));
      } catch (err) {
        // the engine throws (rather than replying) on requests it cannot parse
        reply = { error: errorValue(-32600, 'Validation', `Invalid request: ${err?.message ?? err}`) };
      }
      if (t0) log('trace', `connection ${conn.n}: ${method} ${reply.error ? 'ERR' : 'OK'} in ${Number(process.hrtime.bigint() - t0) / 1e6} ms`);
      if (reply.result) {
        if (method === 'signin' || method === 'authenticate') conn.authenticated = true;
        else if (lower === 'live') this.noteLive(conn, String(decode(reply.result)));
        else if (lower === 'query' && reply.result.includes(LIVE_TYPE_PATTERN)) {
          const results = decode(reply.result);
          if (Array.isArray(results)) for (const r of results) if (r?.type === 'live' && r.status === 'OK') this.noteLive(conn, String(r.result));
        }
        this.send(conn, response(idRaw, 'result', reply.result));
      } else {
        this.send(conn, response(idRaw, 'error', reply.error));
      }
    } catch (err) {
      log('error', `connection ${conn.n}: ${method}: ${err?.stack ?? err}`);
      this.send(conn, response(idRaw, 'error', errorValue(-32000, 'Internal', `Internal launcher error: ${err?.message ?? err}`)));
    }
  }

  /**
   * Starts routing the engine's live notifications, {id, action, record, result, session}, to the
   * owning connection, framed as the real server frames them: {result: {id, action, record, result}}
   * (no top-level id; the launcher-internal session is not shown to the client).
   */
  async routeNotifications() {
    const receiver = await this.engine.notifications();
    (async () => {
      for (;;) {
        let raw;
        try {
          raw = await receiver.recv();
        } catch (err) {
          if (!this.closing) log('error', `notification channel failed: ${err?.message ?? err}`);
          return;
        }
        if (raw === null || raw === undefined) return;
        try {
          this.routeNotification(Buffer.from(raw));
        } catch (err) {
          log('error', `bad notification from the engine: ${err?.message ?? err}`);
        }
      }
    })();
  }

  routeNotification(buf) {
    const entries = mapEntries(buf);
    if (!entries) return;
    const sessionEntry = entries.get('session');
    const idEntry = entries.get('id');
    const sessionText = sessionEntry ? decodeValue(buf, sessionEntry) : undefined;
    const liveText = idEntry ? String(decodeValue(buf, idEntry)) : undefined;
    const conn = (sessionText ? this.bySession.get(String(sessionText)) : undefined) ?? (liveText ? this.byLive.get(liveText) : undefined);
    const actionEntry = entries.get('action');
    const action = actionEntry ? decodeValue(buf, actionEntry) : undefined;
    if (action === 'KILLED' && liveText) {
      const owner = this.byLive.get(liveText);
      this.byLive.delete(liveText);
      owner?.lives.delete(liveText);
    }
    if (!conn || conn.closed) {
      log('trace', `notification for live query ${liveText} dropped: no connection owns it`);
      return;
    }
    const { parts, count } = entriesExcept(buf, entries, 'session');
    this.send(conn, Buffer.concat([mapHeader(1), KEY.result, mapHeader(count), ...parts]));
  }
}
