// Tests of the launcher's CBOR framing (lib/cbor-frames.mjs) with Node's test runner: every value
// kafru's Java client (SurrealCbor) sends or receives crosses a spliced frame byte for byte and
// decodes to itself, and malformed frames are refused with a CborFormatError naming the fault.
import test from 'node:test';
import assert from 'node:assert/strict';
import { DateTime, Decimal, Duration, RecordId, Table, Uuid } from 'surrealdb';
import {
  CborFormatError, KEY, decode, decodeValue, encode, entriesExcept, errorValue, isNone, mapEntries, mapHeader,
  rawValue, response, skipItem, splitEngineReply, uuidBytes,
} from '../lib/cbor-frames.mjs';

const hex = (text) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** A value with SurrealDB's types spelled out, so that deepStrictEqual compares what they hold (the SDK keeps it in private fields). */
function plain(v) {
  if (v instanceof RecordId) return { RecordId: [v.table.name, plain(v.id)] };
  if (v instanceof Table) return { Table: v.name };
  if (v instanceof DateTime || v instanceof Duration || v instanceof Uuid || v instanceof Decimal) {
    return { [v.constructor.name.replace(/\$\d+$/, '')]: v.toString() };
  }
  if (v instanceof Set) return { Set: [...v].map(plain) };
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return { bytes: Buffer.from(v instanceof ArrayBuffer ? new Uint8Array(v) : v).toString('hex') };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** A request as a client sends it, {id, method, params: [value]}, with the value's bytes as given. */
function request(valueBytes) {
  return Buffer.concat([mapHeader(3), KEY.id, encode(7), encode('method'), encode('query'),
    encode('params'), hex('81'), valueBytes]);
}

/** Asserts that a value's bytes survive framing unchanged, are measured exactly, and decode to `expected`. */
function crossesUnchanged(bytes, expected) {
  assert.equal(skipItem(bytes, 0), bytes.length, 'the item is measured to its last byte');
  const frame = request(bytes);
  const entries = mapEntries(frame);
  const params = rawValue(frame, entries.get('params'));
  assert.deepEqual(params, Buffer.concat([hex('81'), bytes]), 'the value is passed on byte for byte');
  assert.deepStrictEqual(plain(decodeValue(frame, entries.get('params'))[0]), plain(expected));
  assert.equal(decodeValue(frame, entries.get('method')), 'query');
}

/** Asserts that mapEntries refuses the frame with a CborFormatError carrying this message. */
function refuses(frame, message) {
  assert.throws(() => mapEntries(frame), (err) => {
    assert.ok(err instanceof CborFormatError, `a CborFormatError, not ${err}`);
    assert.equal(err.message, message);
    return true;
  });
}

const values = {
  'null': null,
  'NONE': undefined,
  'true': true,
  'false': false,
  'zero': 0,
  'a one-byte int': 23,
  'an int of 1 extra byte': 24,
  'an int of 2 extra bytes': 65535,
  'an int of 4 extra bytes': 4294967295,
  'an int beyond 2^32': 2 ** 32 + 5,
  'the largest safe int': Number.MAX_SAFE_INTEGER,
  'the largest uint64': 2n ** 64n - 1n,
  'a small negative int': -1,
  'a negative int of 1 extra byte': -25,
  'a negative int beyond -2^32': -(2 ** 40),
  'the smallest int64 CBOR holds': -(2n ** 64n),
  'a float': 1.5,
  'a float that is not exact in binary': -0.1,
  'an empty string': '',
  'an ASCII string': 'report',
  'a non-ASCII string': 'grüße, 日本, 🚀',
  'a string of 1 extra length byte': 'x'.repeat(100),
  'a string of 2 extra length bytes': 'é'.repeat(300),
  'a byte string': new Uint8Array([0, 1, 254, 255]),
  'an empty array': [],
  'a nested array': [1, ['a', [null, true]], {}],
  'a map': { handler: 'report', attempts: 3, parameters: { to: 'ü@example.org', ids: [1, 2] } },
  'a map of 24 entries': Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`k${i}`, i])),
  'a record id with a text key': new RecordId('task', 'abc'),
  'a record id with a number key': new RecordId('task', 42),
  'a record id with an array key': new RecordId('lock', ['queue', 1]),
  'a table': new Table('task'),
  'a datetime with nanoseconds': new DateTime('2026-12-01T02:03:04.123456789Z'),
  'a datetime before 1970': new DateTime('1969-07-20T20:17:40Z'),
  'a duration': new Duration('1h30m5s7ns'),
  'a uuid': new Uuid('6a9f1e4c-0d3b-4b7e-9f2a-3c1d5e7f9a0b'),
  'a decimal': new Decimal('12.5'),
  'a set': new Set([1, 'a']),
};

for (const [name, value] of Object.entries(values)) {
  test(`${name} crosses a spliced frame unchanged`, () => {
    crossesUnchanged(encode(value), value);
  });
}

// As kafru's Java client writes them (Jackson CBOR, SurrealCbor), and as the engine may answer.
const javaFrames = {
  'NONE: tag 6 over null': ['c6 f6', undefined],
  'an int of 8 extra bytes': ['1b 00 00 00 01 00 00 00 05', 2 ** 32 + 5],
  'a negative int of 8 extra bytes': ['3b 00 00 00 ff ff ff ff ff', -(2 ** 40)],
  'a half-precision float': ['f9 3e 00', 1.5],
  'a single-precision float': ['fa 3f c0 00 00', 1.5],
  'a double-precision float': ['fb 3f f8 00 00 00 00 00 00', 1.5],
  'the largest double': ['fb 7f ef ff ff ff ff ff ff', Number.MAX_VALUE],
  'a record id: tag 8 [table, key]': ['c8 82 64 7461736b 63 616263', new RecordId('task', 'abc')],
  'a datetime: tag 12 [seconds, nanoseconds]': ['cc 82 1a 6b0e2ad8 1a 075bcd15', new DateTime('2026-12-01T02:03:04.123456789Z')],
  'a datetime as text: tag 0': ['c0 74 323032362d31322d30315430323a30333a30345a', new DateTime('2026-12-01T02:03:04Z')],
  'a duration: tag 14 [seconds, nanoseconds]': ['ce 82 19 151d 07', new Duration('1h30m5s7ns')],
  'a uuid: tag 37 over 16 bytes': ['d8 25 50 6a9f1e4c0d3b4b7e9f2a3c1d5e7f9a0b', new Uuid('6a9f1e4c-0d3b-4b7e-9f2a-3c1d5e7f9a0b')],
  'a uuid as text: tag 9': ['c9 78 24 36613966316534632d306433622d346237652d396632612d336331643565376639613062',
    new Uuid('6a9f1e4c-0d3b-4b7e-9f2a-3c1d5e7f9a0b')],
  'a decimal: tag 10 text, trailing zero kept on the wire': ['ca 65 31322e3530', new Decimal('12.50')],
  'a table: tag 7 text': ['c7 64 7461736b', new Table('task')],
  'a set: tag 56 array': ['d8 38 82 01 61 61', new Set([1, 'a'])],
  'an indefinite-length array and map': ['9f bf 61 61 62 6869 ff ff', [{ a: 'hi' }]],
};

for (const [name, [bytes, value]] of Object.entries(javaFrames)) {
  test(`${name} crosses a spliced frame unchanged`, () => {
    crossesUnchanged(hex(bytes), value);
  });
}

test('an indefinite-length string is measured and passed on byte for byte', () => {
  // Not decoded here: the SDK's decoder pads such a string with zeros; the engine gets it intact.
  const bytes = hex('7f 62 6869 61 21 ff');
  assert.equal(skipItem(bytes, 0), bytes.length);
  const frame = request(bytes);
  assert.deepEqual(rawValue(frame, mapEntries(frame).get('params')), Buffer.concat([hex('81'), bytes]));
});

test('an indefinite-length request map is split like a definite one', () => {
  const frame = hex('bf 62 6964 01 66 6d6574686f64 64 70696e67 ff');
  const entries = mapEntries(frame);
  assert.deepEqual([...entries.keys()], ['id', 'method']);
  assert.equal(decodeValue(frame, entries.get('method')), 'ping');
});

test('keys longer than 23 bytes and non-text keys are kept apart', () => {
  const long = 'k'.repeat(30);
  const frame = Buffer.concat([mapHeader(2), encode(long), encode(1), encode(5), encode('five')]);
  const entries = mapEntries(frame);
  assert.equal(decodeValue(frame, entries.get(long)), 1);
  const [other] = [...entries.keys()].filter((k) => typeof k === 'symbol');
  assert.equal(decodeValue(frame, entries.get(other)), 'five');
});

test('the map header the launcher writes is right for every size', () => {
  for (const n of [0, 1, 23, 24, 255, 256, 70000]) {
    const entries = Array.from({ length: n }, (_, i) => Buffer.concat([encode(`k${i}`), encode(i)]));
    const frame = Buffer.concat([mapHeader(n), ...entries]);
    assert.equal(mapEntries(frame).size, n);
    assert.equal(Object.keys(decode(frame)).length, n);
  }
});

test('a request loses its session entry and keeps every other entry byte for byte', () => {
  const frame = Buffer.concat([mapHeader(3), KEY.id, encode('x'), KEY.session, uuidBytes('6a9f1e4c-0d3b-4b7e-9f2a-3c1d5e7f9a0b'),
    encode('params'), encode([new RecordId('task', 'a')])]);
  const { parts, count } = entriesExcept(frame, mapEntries(frame), 'session');
  assert.equal(count, 2);
  const spliced = Buffer.concat([mapHeader(count), ...parts]);
  assert.deepEqual(spliced, Buffer.concat([mapHeader(2), KEY.id, encode('x'), encode('params'), encode([new RecordId('task', 'a')])]));
});

test('a session id is SurrealDB\'s uuid', () => {
  const text = '6a9f1e4c-0d3b-4b7e-9f2a-3c1d5e7f9a0b';
  assert.deepStrictEqual(plain(decode(uuidBytes(text))), { Uuid: text });
});

test('NONE, null and undefined mean no session; anything else is one', () => {
  for (const none of ['c6f6', 'f6', 'f7', 'c6f7']) assert.ok(isNone(hex(none)), none);
  for (const some of ['00', 'f4', '60', 'd825500000000000000000000000000000000000']) assert.ok(!isNone(hex(some)), some);
});

test('a reply echoes the id as the client sent it, with the result or the error', () => {
  const id = encode(new RecordId('req', 9));
  assert.deepStrictEqual(plain(decode(response(id, 'result', encode([1, 'a'])))), { id: { RecordId: ['req', 9] }, result: [1, 'a'] });
  assert.deepStrictEqual(decode(response(null, 'error', errorValue(-32700, 'Validation', 'Parse error', { kind: 'Parse' }))),
    { error: { code: -32700, kind: 'Validation', message: 'Parse error', details: { kind: 'Parse' } } });
});

test('an engine reply is an error only when it is {error: {code or message}}', () => {
  const error = encode({ error: { code: -32000, message: 'boom' } });
  assert.deepEqual(splitEngineReply(error), { error: rawValue(error, mapEntries(error).get('error')) });
  for (const result of [encode({ error: 'not an error object' }), encode({ error: { other: 1 } }), encode([1]), encode(undefined)]) {
    assert.deepEqual(splitEngineReply(result), { result }, decode(result));
  }
});

test('a value that is not a map is no request', () => {
  assert.equal(mapEntries(encode([1, 2])), null);
  assert.equal(mapEntries(Buffer.alloc(0)), null);
});

test('deeply nested values are measured without running out of stack', () => {
  const depth = 200000;
  const nested = Buffer.concat([Buffer.alloc(depth, 0x81), hex('00')]);
  assert.equal(skipItem(nested, 0), nested.length);
});

test('every truncation of a frame is refused as truncated', () => {
  const frame = request(encode({ when: new DateTime('2026-12-01T02:03:04.5Z'), who: 'ü', n: 2 ** 40, b: new Uint8Array(3) }));
  for (let end = 1; end < frame.length; end++) refuses(frame.subarray(0, end), 'truncated CBOR item');
  const indefinite = hex('bf 61 61 01 ff');
  for (let end = 1; end < indefinite.length; end++) refuses(indefinite.subarray(0, end), 'truncated CBOR item');
});

test('a length beyond the frame is refused as truncated', () => {
  refuses(hex('a1 61 61 78 64 616263'), 'truncated CBOR item'); // text of 100 bytes, 3 given
  refuses(hex('a1 61 61 5b 0000010000000000 00'), 'truncated CBOR item'); // bytes of 2^40, 1 given
  refuses(hex('a1 61 61 85 01 02'), 'truncated CBOR item'); // array of 5 items, 2 given
  refuses(hex('a2 61 61 01'), 'truncated CBOR item'); // map of 2 entries, 1 given
  refuses(hex('a1 61 61 c8'), 'truncated CBOR item'); // tag over nothing
});

test('reserved additional information (28 to 30) is refused', () => {
  for (const ib of [0x1c, 0x3d, 0x5e, 0x7c, 0x9d, 0xbe, 0xdc, 0xfd]) {
    refuses(Buffer.concat([hex('a1 61 61'), Buffer.from([ib]), Buffer.alloc(8)]), 'reserved CBOR additional info');
  }
  refuses(hex('bc 00'), 'reserved CBOR additional info'); // the request map's own header
});

test('indefinite lengths where CBOR has none are refused', () => {
  refuses(hex('a1 61 61 1f'), 'indefinite integer');
  refuses(hex('a1 61 61 3f'), 'indefinite integer');
  refuses(hex('a1 61 61 df 00'), 'indefinite tag');
  refuses(hex('a1 61 61 ff'), 'unexpected CBOR break'); // a break with no indefinite container open
  refuses(hex('a1 61 61 82 01 ff'), 'unexpected CBOR break'); // a break inside a definite array
});

test('bytes after the request map are refused', () => {
  refuses(Buffer.concat([request(encode(1)), hex('00')]), 'trailing bytes after CBOR item');
});
