#!/usr/bin/env node
// kafru SurrealDB launcher.
//
// Serves the real SurrealDB engine (npm `@surrealdb/node`, SurrealDB 3.x inside) over
// SurrealDB's RPC WebSocket protocol (CBOR frames at ws://HOST:PORT/rpc), so that any
// client speaking that protocol — kafru's Java client included — can use it as it would
// a `surreal start` server. It is a transport only: every request goes to the engine's
// own RPC layer unchanged, except that the connection's session id is added to it.
//
//   * one engine, one RPC session per WebSocket connection (attach/detach);
//   * root credentials defined at start, and enforced here: before a successful
//     signin/authenticate a connection may only call signin, authenticate, use, ping,
//     version (the engine alone lets an anonymous session do anything);
//   * live-query notifications routed to the connection that owns them;
//   * loopback only unless --allow-remote.
//
// Run `node server.mjs --help` for the flags. See README.md. The parts live in lib/:
//
//   cli.mjs          process lifecycle: start, the "listening on" line, SIGINT/SIGTERM, exit codes
//   options.mjs      the command line: flags, environment, usage, checks of their values
//   log.mjs          stderr logging and startup failures
//   engine.mjs       the native engine: loading it, opening the storage, its root user
//   rpc-server.mjs   HTTP and the WebSocket upgrade at /rpc
//   sessions.mjs     one engine session per connection: auth gate, forwarding, live queries
//   cbor-frames.mjs  splicing the CBOR frames of the RPC without re-encoding their values

import { run } from './lib/cli.mjs';

run(process.argv.slice(2), process.env);
