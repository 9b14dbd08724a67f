// node-redis against the server on $REDIS_PORT: strings, hashes, lists, pub/sub, transactions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, defineScript } from 'redis';

const url = `redis://127.0.0.1:${process.env.REDIS_PORT}`;
let client;

before(async () => {
  client = createClient({ url });
  await client.connect();
});
after(async () => client.quit());

test('strings and counters', async () => {
  assert.equal(await client.set('node:k', 'v'), 'OK');
  assert.equal(await client.get('node:k'), 'v');
  assert.equal(await client.incrBy('node:n', 5), 5);
  assert.deepEqual(await client.mGet(['node:k', 'node:none']), ['v', null]);
});

test('hashes, lists, sets, sorted sets', async () => {
  await client.hSet('node:h', { a: '1', b: '2' });
  assert.deepEqual({ ...(await client.hGetAll('node:h')) }, { a: '1', b: '2' });
  await client.rPush('node:l', ['x', 'y']);
  assert.deepEqual(await client.lRange('node:l', 0, -1), ['x', 'y']);
  await client.sAdd('node:s', ['a', 'b']);
  assert.equal(await client.sCard('node:s'), 2);
  await client.zAdd('node:z', [{ score: 2, value: 'b' }, { score: 1, value: 'a' }]);
  assert.deepEqual(await client.zRange('node:z', 0, -1), ['a', 'b']);
});

test('multi/exec', async () => {
  const res = await client.multi().set('node:t', '1').incr('node:t').exec();
  assert.deepEqual(res, ['OK', 2]);
});

test('pub/sub with patterns', async () => {
  const sub = client.duplicate();
  await sub.connect();
  const got = new Promise((resolve) => sub.pSubscribe('chan:*', (msg, ch) => resolve([ch, msg])));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(await client.publish('chan:1', 'hello'), 1);
  assert.deepEqual(await got, ['chan:1', 'hello']);
  await sub.quit();
});

test('blocking pop with timeout', async () => {
  const blocker = client.duplicate();
  await blocker.connect();
  const start = Date.now();
  assert.equal(await blocker.blPop('node:empty', 0.2), null);
  assert.ok(Date.now() - start >= 150);
  await blocker.quit();
});

test('errors come back as errors', async () => {
  await client.rPush('node:list', 'a');
  await assert.rejects(client.get('node:list'), /WRONGTYPE/);
});

test('defineScript: a scripted command on the client', async () => {
  const scripted = createClient({
    url,
    scripts: {
      incrCapped: defineScript({
        NUMBER_OF_KEYS: 1,
        SCRIPT: `local v = redis.call('INCR', KEYS[1])
                 if v > tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) return tonumber(ARGV[1]) end
                 return v`,
        transformArguments(key, cap) { return [key, String(cap)]; },
        transformReply(reply) { return reply; },
      }),
    },
  });
  await scripted.connect();
  await scripted.scriptFlush();
  assert.equal(await scripted.incrCapped('node:capped', 2), 1);
  assert.equal(await scripted.incrCapped('node:capped', 2), 2);
  assert.equal(await scripted.incrCapped('node:capped', 2), 2);
  assert.equal(await scripted.get('node:capped'), '2');
  await scripted.quit();
});
