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
