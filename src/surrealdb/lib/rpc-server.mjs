// The HTTP server: the RPC WebSocket at /rpc (subprotocol cbor), and /health, /status and
// /version as a `surreal start` server has them. Connections are refused until the engine is
// ready, and once the server is shutting down.

import http from 'node:http';
import net from 'node:net';
import { WebSocketServer } from 'ws';
import { fail, log } from './log.mjs';

export class RpcServer {
  /** versionText: what /version answers until the engine says otherwise. */
  constructor(versionText) {
    this.versionText = versionText;
    this.sessions = null; // set once the engine is open and the root user defined
    this.shuttingDown = false;
    this.wss = new WebSocketServer({
      noServer: true,
      handleProtocols: (protocols) => {
        if (protocols.size === 0) return false; // no subprotocol asked: CBOR anyway
        return protocols.has('cbor') ? 'cbor' : false;
      },
    });
    this.wss.on('connection', (ws, req) => {
      if (this.shuttingDown) return ws.close(1001, 'server shutting down');
      if (ws.protocol && ws.protocol !== 'cbor') return ws.close(1002, 'only the cbor protocol is supported');
      this.sessions.open(ws, req);
    });
    this.http = http.createServer((req, res) => this.answer(req, res));
    this.http.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  /** Whether RPC connections are accepted: the engine is open and the root user defined. */
  get ready() {
    return this.sessions !== null;
  }

  answer(req, res) {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const text = (status, body, headers = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      if (path === '/rpc') return text(405, 'HTTP RPC is not supported by this launcher: use a WebSocket at /rpc\n', { allow: 'GET' });
      return text(405, 'method not allowed\n', { allow: 'GET' });
    }
    if (!this.ready && (path === '/health' || path === '/status')) return text(503, 'starting\n');
    if (path === '/health' || path === '/status') return text(200, '');
    if (path === '/version') return text(200, this.versionText);
    if (path === '/rpc') return text(426, 'upgrade to a WebSocket (subprotocol cbor) at /rpc\n', { upgrade: 'websocket' });
    return text(404, 'not found\n');
  }

  upgrade(req, socket, head) {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/rpc' || this.shuttingDown || !this.ready) {
      socket.end(`HTTP/1.1 ${path !== '/rpc' ? '404 Not Found' : '503 Service Unavailable'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  /** Listens on {host, port}; fails with a message naming the fix when it cannot. */
  async listen(bind) {
    await new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(bind.port, bind.host, () => {
        this.http.off('error', reject);
        resolve();
      });
    }).catch((err) => {
      const where = `${bind.host}:${bind.port}`;
      if (err.code === 'EADDRINUSE') fail(`address ${where} is already in use: stop the process listening there, or choose another port with -b HOST:PORT`);
      if (err.code === 'EADDRNOTAVAIL') fail(`address ${where} is not available on this machine: choose another host with -b HOST:PORT`);
      if (err.code === 'EACCES') fail(`no permission to listen on ${where}: choose a port above 1023 with -b HOST:PORT`);
      fail(`cannot listen on ${where}: ${err.message}`);
    });
    this.http.on('error', (err) => log('error', `server: ${err.message}`));
  }

  /** Starts accepting RPC connections, each served by a session of the engine. */
  serve(sessions) {
    this.sessions = sessions;
  }

  /** The address listened on, as ws://HOST:PORT/rpc. */
  url() {
    const addr = this.http.address();
    const hostText = net.isIPv6(addr.address) ? `[${addr.address}]` : addr.address;
    return `ws://${hostText}:${addr.port}/rpc`;
  }

  /** Stops listening and closes every connection. */
  stop() {
    this.shuttingDown = true;
    this.http.close();
    this.sessions.closeAll();
  }
}
