// @upstash/redis, unchanged, against the gateway's REST data API: $REST_URL is
// http://host:port/rest/<instance-id>, $REST_TOKEN that instance's REST token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from '@upstash/redis';

const url = process.env.REST_URL;
const token = process.env.REST_TOKEN;
const redis = new Redis({ url, token, retry: false, enableTelemetry: false });

test('set/get, incr, del, exists and ping', async () => {
  assert.equal(await redis.set('str', 'hello'), 'OK');
  assert.equal(await redis.get('str'), 'hello');
  assert.equal(await redis.get('missing'), null);
  assert.equal(await redis.incr('counter'), 1);
  assert.equal(await redis.incrby('counter', 41), 42);
  assert.equal(await redis.get('counter'), 42); // the client parses numeric strings
  assert.equal(await redis.exists('str', 'counter', 'missing'), 2);
  assert.equal(await redis.del('str'), 1);
  assert.equal(await redis.ping(), 'PONG');
  assert.equal(await redis.set('nx', 'a', { nx: true }), 'OK');
  assert.equal(await redis.set('nx', 'b', { nx: true }), null);
});

test('hashes: hset/hget/hgetall', async () => {
  assert.equal(await redis.hset('h', { name: 'ada', age: 36 }), 2);
  assert.equal(await redis.hget('h', 'name'), 'ada');
  assert.deepEqual(await redis.hgetall('h'), { name: 'ada', age: 36 });
  assert.equal(await redis.hgetall('nohash'), null);
});

test('lists: lpush/rpush/lrange', async () => {
  assert.equal(await redis.lpush('l', 'a', 'b'), 2);
  assert.equal(await redis.rpush('l', 'z'), 3);
  assert.deepEqual(await redis.lrange('l', 0, -1), ['b', 'a', 'z']);
});

test('sorted sets: zadd/zrange with scores', async () => {
  assert.equal(await redis.zadd('z', { score: 1.5, member: 'm1' }, { score: 2, member: 'm2' }), 2);
  assert.deepEqual(await redis.zrange('z', 0, -1), ['m1', 'm2']);
  assert.deepEqual(await redis.zrange('z', 0, -1, { withScores: true }), ['m1', 1.5, 'm2', 2]);
  assert.equal(await redis.zscore('z', 'm1'), 1.5);
  assert.equal(await redis.zincrby('z', 0.25, 'm1'), 1.75);
});

test('expire/ttl', async () => {
  await redis.set('ttl', 'x');
  assert.equal(await redis.ttl('ttl'), -1);
  assert.equal(await redis.expire('ttl', 100), 1);
  const ttl = await redis.ttl('ttl');
  assert.ok(ttl > 95 && ttl <= 100, `ttl ${ttl}`);
  await redis.set('ex', 'x', { ex: 50 });
  const ex = await redis.ttl('ex');
  assert.ok(ex > 45 && ex <= 50, `ttl ${ex}`);
});

test('objects are stored as JSON and come back as objects', async () => {
  const doc = { user: 'ada', tags: ['a', 'b'], nested: { n: 1.25, ok: true, none: null } };
  assert.equal(await redis.set('doc', doc), 'OK');
  assert.deepEqual(await redis.get('doc'), doc);
  assert.deepEqual(await redis.mget('doc', 'nothing'), [doc, null]);
});

test('unicode and characters that need escaping survive (base64 responses)', async () => {
  const values = ['héllo wörld', '日本語テキスト', 'emoji 😀👍🏽', 'quote " backslash \\ slash /',
                  'lines\r\nand\ttabs', 'nul \u0000 byte', 'OK', 'T0s=', ' '];
  for (const [i, v] of values.entries()) {
    const key = `u:ключ:${i}`;
    assert.equal(await redis.set(key, v), 'OK');
    assert.equal(await redis.get(key), v, `value ${i}`);
  }
  assert.equal(await redis.strlen('u:ключ:0'), Buffer.byteLength(values[0]));
  assert.deepEqual((await redis.keys('u:ключ:*')).sort(), values.map((_, i) => `u:ключ:${i}`).sort());
});

test('without base64 responses too', async () => {
  const plain = new Redis({ url, token, retry: false, enableTelemetry: false, responseEncoding: false });
  assert.equal(await plain.set('plain', 'héllo 😀'), 'OK');
  assert.equal(await plain.get('plain'), 'héllo 😀');
  assert.deepEqual(await plain.lrange('l', 0, 0), ['b']);
});

test('sets, mset/mget, scan and type', async () => {
  assert.equal(await redis.sadd('s', 'a', 'b', 'c'), 3);
  assert.deepEqual((await redis.smembers('s')).sort(), ['a', 'b', 'c']);
  assert.equal(await redis.sismember('s', 'b'), 1);
  assert.equal(await redis.mset({ 'ms:1': 'one', 'ms:2': { two: 2 } }), 'OK');
  assert.deepEqual(await redis.mget('ms:1', 'ms:2', 'ms:3'), ['one', { two: 2 }, null]);
  assert.equal(await redis.type('s'), 'set');
  const seen = new Set();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, { match: 'ms:*', count: 1 });
    keys.forEach((k) => seen.add(k));
    cursor = String(next);
  } while (cursor !== '0');
  assert.deepEqual([...seen].sort(), ['ms:1', 'ms:2']);
});

test('pipeline()', async () => {
  const p = redis.pipeline();
  p.set('p:a', 1);
  p.incr('p:a');
  p.get('p:a');
  p.hset('p:h', { f: 'v' });
  p.hgetall('p:h');
  p.lrange('nolist', 0, -1);
  assert.deepEqual(await p.exec(), ['OK', 2, 2, 1, { f: 'v' }, []]);
});

test('pipeline() errors: thrown by default, kept with keepErrors', async () => {
  await redis.set('p:str', 'x');
  const p = redis.pipeline().get('p:str').lpush('p:str', 'y').get('p:str');
  await assert.rejects(p.exec(), /WRONGTYPE/);
  const kept = await redis.pipeline().get('p:str').lpush('p:str', 'y').exec({ keepErrors: true });
  assert.equal(kept[0].result, 'x');
  assert.match(kept[1].error, /^WRONGTYPE/);
});

test('multi() runs atomically', async () => {
  assert.deepEqual(await redis.multi().set('m:n', 10).incr('m:n').get('m:n').exec(), ['OK', 11, 11]);
  // Concurrent transactions never interleave: each sees its own INCR's value in its GET.
  const runs = await Promise.all(Array.from({ length: 40 }, () =>
    redis.multi().incr('m:c').get('m:c').exec()));
  for (const [incr, get] of runs) {
    assert.equal(get, incr);
  }
  assert.deepEqual(runs.map(([incr]) => incr).sort((a, b) => a - b),
                   Array.from({ length: 40 }, (_, i) => i + 1));
});

test('multi() with a runtime error fails that command (the rest ran)', async () => {
  await redis.set('m:str', 'x');
  await assert.rejects(redis.multi().set('m:after', 1).lpush('m:str', 'y').exec(), /WRONGTYPE/);
  assert.equal(await redis.get('m:after'), 1);
});

test('a command error surfaces as an exception with Redis message', async () => {
  await redis.set('notint', 'abc');
  await assert.rejects(redis.incr('notint'), /ERR value is not an integer or out of range/);
  await redis.set('wt', 'x');
  await assert.rejects(redis.lpush('wt', 'a'), /WRONGTYPE Operation against a key holding the wrong kind of value/);
  await assert.rejects(redis.exec(['NOSUCHCOMMAND', 'x']), /ERR unknown command/);
});

test('a wrong token is rejected', async () => {
  const wrong = new Redis({ url, token: 'not-the-token', retry: false, enableTelemetry: false });
  await assert.rejects(wrong.get('str'), /Unauthorized/);
  await assert.rejects(wrong.pipeline().get('str').exec(), /Unauthorized/);
});
