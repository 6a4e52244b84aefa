// Minimal CBOR framing of SurrealDB's RPC: requests, replies and notifications are spliced at
// the top-level map only. Values are never decoded and re-encoded, so every SurrealDB tag (none,
// table, record id, decimal, datetime, duration, uuid, set, ranges, geometries, ...) reaches the
// engine and the client byte for byte as it was sent. Where the launcher must read a value (a
// method name, a live-query id), it decodes it with the SurrealDB SDK's codec.

import { CborCodec } from 'surrealdb';

const codec = CborCodec.DEFAULT;

/** A frame that is not well-formed CBOR; the message says what is wrong with it. */
export class CborFormatError extends Error {}

/** Encodes a JavaScript value (SDK types for SurrealDB's tags) as CBOR. */
export function encode(value) {
  return Buffer.from(codec.encode(value));
}

/** Decodes one CBOR data item into a JavaScript value (SDK types for SurrealDB's tags). */
export function decode(buf) {
  return codec.decode(buf);
}

function need(buf, pos, n) {
  if (pos + n > buf.length) throw new CborFormatError('truncated CBOR item');
}

/**
 * Reads the argument of the initial byte ib (its additional info, then 0, 1, 2, 4 or 8 more bytes)
 * starting at pos: {arg, pos} with pos just after it; arg is -1 for an indefinite length.
 */
function readArgument(buf, ib, pos) {
  const ai = ib & 0x1f;
  if (ai < 24) return { arg: ai, pos };
  if (ai === 24) { need(buf, pos, 1); return { arg: buf[pos], pos: pos + 1 }; }
  if (ai === 25) { need(buf, pos, 2); return { arg: buf.readUInt16BE(pos), pos: pos + 2 }; }
  if (ai === 26) { need(buf, pos, 4); return { arg: buf.readUInt32BE(pos), pos: pos + 4 }; }
  if (ai === 27) { need(buf, pos, 8); return { arg: buf.readUInt32BE(pos) * 0x100000000 + buf.readUInt32BE(pos + 4), pos: pos + 8 }; }
  if (ai === 31) return { arg: -1, pos };
  throw new CborFormatError('reserved CBOR additional info');
}

/** Returns the position just after the CBOR data item starting at pos (iterative, no recursion). */
export function skipItem(buf, pos) {
  const stack = [];
  let remaining = 1; // items still to read in the current container (Infinity: until a break)
  for (;;) {
    while (remaining === 0) {
      if (stack.length === 0) return pos;
      remaining = stack.pop();
    }
    need(buf, pos, 1);
    const ib = buf[pos++];
    if (ib === 0xff) {
      if (remaining !== Infinity) throw new CborFormatError('unexpected CBOR break');
      remaining = 0;
      continue;
    }
    const mt = ib >> 5;
    let arg;
    ({ arg, pos } = readArgument(buf, ib, pos));
    if (remaining !== Infinity) remaining--;
    switch (mt) {
      case 0:
      case 1:
        if (arg === -1) throw new CborFormatError('indefinite integer');
        break;
      case 2:
      case 3:
        if (arg === -1) { stack.push(remaining); remaining = Infinity; }
        else { need(buf, pos, arg); pos += arg; }
        break;
      case 4:
        if (arg === -1) { stack.push(remaining); remaining = Infinity; }
        else if (arg > 0) { stack.push(remaining); remaining = arg; }
        break;
      case 5:
        if (arg === -1) { stack.push(remaining); remaining = Infinity; }
        else if (arg > 0) { stack.push(remaining); remaining = arg * 2; }
        break;
      case 6:
        if (arg === -1) throw new CborFormatError('indefinite tag');
        stack.push(remaining);
        remaining = 1;
        break;
      default: // 7: simple values and floats, already consumed
        if (arg === -1) throw new CborFormatError('unexpected CBOR break');
    }
  }
}

/**
 * Splits a top-level CBOR map into raw entries, keyed by their text key (a symbol for any other
 * key): each entry is {ks, ke, ve}, the offsets of its key's start, its key's end (its value's
 * start) and its value's end. Null when the item is not a map.
 */
export function mapEntries(buf) {
  if (buf.length === 0 || buf[0] >> 5 !== 5) return null;
  let { arg: count, pos } = readArgument(buf, buf[0], 1);
  if (count === -1) count = Infinity;
  const entries = new Map();
  for (let n = 0; n < count; n++) {
    if (count === Infinity) {
      need(buf, pos, 1);
      if (buf[pos] === 0xff) { pos++; break; }
    }
    const ks = pos;
    const ke = skipItem(buf, ks);
    const ve = skipItem(buf, ke);
    const key = keyText(buf, ks, ke);
    if (key !== null) entries.set(key, { ks, ke, ve });
    else entries.set(Symbol('non-text key'), { ks, ke, ve });
    pos = ve;
  }
  if (pos !== buf.length) throw new CborFormatError('trailing bytes after CBOR item');
  return entries;
}

function keyText(buf, ks, ke) {
  const ib = buf[ks];
  if (ib >= 0x60 && ib <= 0x77) return buf.toString('utf8', ks + 1, ke);
  if (ib >> 5 !== 3) return null;
  const v = codec.decode(buf.subarray(ks, ke));
  return typeof v === 'string' ? v : null;
}

/** The decoded value of a map entry. */
export function decodeValue(buf, entry) {
  return codec.decode(buf.subarray(entry.ke, entry.ve));
}

/** The bytes of a map entry's value, as sent. */
export function rawValue(buf, entry) {
  return buf.subarray(entry.ke, entry.ve);
}

/** The bytes of a whole map entry, key and value, as sent. */
export function rawEntry(buf, entry) {
  return buf.subarray(entry.ks, entry.ve);
}

/** The raw entries of a map but the one under the given key: {parts, count}, to splice into a new map. */
export function entriesExcept(buf, entries, key) {
  const parts = [];
  for (const [k, e] of entries) {
    if (k !== key) parts.push(rawEntry(buf, e));
  }
  return { parts, count: parts.length };
}

/** The header of a definite-length map of n entries. */
export function mapHeader(n) {
  if (n < 24) return Buffer.from([0xa0 + n]);
  if (n < 256) return Buffer.from([0xb8, n]);
  const b = Buffer.alloc(5);
  b[0] = 0xba;
  b.writeUInt32BE(n, 1);
  return b;
}

/** The encoded keys the launcher writes into frames. */
export const KEY = Object.fromEntries(['id', 'result', 'error', 'session'].map((k) => [k, encode(k)]));

/** Hex of the values that mean "no value": SurrealDB's NONE tag, null, undefined. */
const NONE_VALUES = new Set(['c6f6', 'f6', 'f7', 'c6f7']);

/** Whether raw CBOR bytes say "no value" (NONE, null or undefined). */
export function isNone(raw) {
  return NONE_VALUES.has(Buffer.from(raw).toString('hex'));
}

/** Encodes a UUID's text as SurrealDB's CBOR uuid (tag 37 over 16 bytes). */
export function uuidBytes(text) {
  return Buffer.concat([Buffer.from([0xd8, 0x25, 0x50]), Buffer.from(text.replace(/-/g, ''), 'hex')]);
}

/** {id?, result|error} built from raw pieces: the id as the client sent it, the value as the engine gave it. */
export function response(idRaw, field, valueRaw) {
  const parts = [mapHeader(idRaw ? 2 : 1)];
  if (idRaw) parts.push(KEY.id, idRaw);
  parts.push(field === 'error' ? KEY.error : KEY.result, valueRaw);
  return Buffer.concat(parts);
}

/** An RPC error value {code, kind, message, details?}, encoded. */
export function errorValue(code, kind, message, details) {
  const e = { code, kind, message };
  if (details) e.details = details;
  return encode(e);
}

/** The engine replies with the bare result, or {error: {code, message, kind, ...}}: {result} or {error}, raw. */
export function splitEngineReply(reply) {
  if (reply.length > 7 && reply[0] === 0xa1 && reply[1] === 0x65 && reply.toString('latin1', 2, 7) === 'error') {
    try {
      const entries = mapEntries(reply);
      const err = entries?.get('error');
      if (err) {
        const inner = mapEntries(Buffer.from(rawValue(reply, err)));
        if (inner && (inner.has('code') || inner.has('message'))) return { error: rawValue(reply, err) };
      }
    } catch {
      // not an error object: a result that happens to look like one
    }
  }
  return { result: reply };
}
