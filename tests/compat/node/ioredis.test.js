// ioredis against the server on $REDIS_PORT: pipelines, transactions, pub/sub, scan streams.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';

const port = Number(process.env.REDIS_PORT);
const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: false });
after(() => redis.quit());

test('pipeline of 1000 commands', async () => {
  const p = redis.pipeline();
  for (let i = 0; i < 1000; i++) p.set(`io:${i}`, i);
  const res = await p.exec();
  assert.equal(res.length, 1000);
  assert.ok(res.every(([err, v]) => err === null && v === 'OK'));
  assert.equal(await redis.get('io:999'), '999');
});

test('multi/exec and watch', async () => {
  await redis.set('io:w', '1');
  await redis.watch('io:w');
  const other = new Redis({ port });
  await other.set('io:w', '2');
  const res = await redis.multi().set('io:w', '3').exec();
  assert.equal(res, null); // aborted by the concurrent write
  assert.equal(await redis.get('io:w'), '2');
  await other.quit();
});

test('scanStream visits every key', async () => {
  const keys = new Set();
  await new Promise((resolve, reject) => {
    redis.scanStream({ match: 'io:*', count: 100 })
      .on('data', (batch) => batch.forEach((k) => keys.add(k)))
      .on('end', resolve).on('error', reject);
  });
  assert.ok(keys.size >= 1000);
});

test('pub/sub', async () => {
  const sub = new Redis({ port });
  await sub.subscribe('io:chan');
  const got = new Promise((resolve) => sub.on('message', (ch, msg) => resolve([ch, msg])));
  await redis.publish('io:chan', 'hi');
  assert.deepEqual(await got, ['io:chan', 'hi']);
  await sub.quit();
});

test('expiry and ttl', async () => {
  await redis.set('io:e', 'v', 'PX', 100);
  assert.ok((await redis.pttl('io:e')) > 0);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await redis.get('io:e'), null);
});

test('defineCommand: EVALSHA with the EVAL fallback, in pipelines too', async () => {
  redis.defineCommand('ioSwap', {
    numberOfKeys: 2,
    lua: `local a = redis.call('GET', KEYS[1])
          redis.call('SET', KEYS[1], redis.call('GET', KEYS[2]))
          redis.call('SET', KEYS[2], a)
          return {a, tonumber(ARGV[1]) * 2}`,
  });
  await redis.mset('io:s1', 'one', 'io:s2', 'two');
  await redis.script('FLUSH'); // the first call gets NOSCRIPT and falls back to EVAL
  assert.deepEqual(await redis.ioSwap('io:s1', 'io:s2', 21), ['one', 42]);
  assert.deepEqual(await redis.mget('io:s1', 'io:s2'), ['two', 'one']);
  const res = await redis.pipeline().ioSwap('io:s1', 'io:s2', 1).get('io:s1').exec();
  assert.deepEqual(res, [[null, ['two', 2]], [null, 'one']]);
  await assert.rejects(redis.eval('return redis.call("nosuch")', 0), /Unknown Redis command/);
});
