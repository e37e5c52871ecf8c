'use strict';
// Smoke test of Switchboard through the official Twilio Node SDK (twilio-node).
// Environment: SWITCHBOARD_URL (e.g. http://127.0.0.1:5000), TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN.
// Prints one "ok ..." line per check, "CANCELED CA..." for the call it cancels, and exits 1 with
// a message on the first failure. Run by tests/Switchboard.Tests/Api/NodeSdkSmokeTests.cs against a
// server on a fake clock, where created calls stay queued/ringing until canceled.
const assert = require('node:assert/strict');
const twilio = require('twilio');

const TO = '+14155550100';
const FROM = '+14155550199';
const TWIML = '<Response><Pause length="10"/></Response>';
const LIVE = ['queued', 'ringing'];

function env(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`environment variable ${name} is not set`);
  }
  return value;
}

function ok(what) {
  console.log(`ok ${what}`);
}

async function main() {
  const baseUrl = env('SWITCHBOARD_URL').replace(/\/+$/, '');
  const accountSid = env('TWILIO_ACCOUNT_SID');
  const client = twilio(accountSid, env('TWILIO_AUTH_TOKEN'), { timeout: 15000 });
  client.api.baseUrl = baseUrl;
  console.log(`twilio-node ${require('twilio/package.json').version} -> ${baseUrl}`);

  // Create three calls.
  const created = [];
  for (let i = 0; i < 3; i++) {
    const call = await client.calls.create({ to: TO, from: FROM, twiml: TWIML });
    assert.match(call.sid, /^CA[0-9a-f]{32}$/, `create #${i + 1}: sid`);
    assert.ok(LIVE.includes(call.status), `create #${i + 1}: status ${call.status} not in ${LIVE}`);
    created.push(call.sid);
  }
  assert.equal(new Set(created).size, 3, 'create: three distinct SIDs');
  ok(`create: 3 calls ${created.join(' ')}`);

  // Fetch one.
  const fetched = await client.calls(created[0]).fetch();
  assert.equal(fetched.sid, created[0], 'fetch: sid');
  assert.equal(fetched.accountSid, accountSid, 'fetch: accountSid');
  assert.ok(LIVE.includes(fetched.status), `fetch: status ${fetched.status} not in ${LIVE}`);
  assert.equal(fetched.to, TO, 'fetch: to');
  assert.equal(fetched.from, FROM, 'fetch: from');
  assert.equal(fetched.direction, 'outbound-api', 'fetch: direction');
  assert.ok(fetched.dateCreated instanceof Date && !Number.isNaN(fetched.dateCreated.getTime()), 'fetch: dateCreated parses');
  ok(`fetch: ${fetched.sid} status=${fetched.status} to=${fetched.to} from=${fetched.from} direction=${fetched.direction}`);

  // Page through two pages of two.
  const first = await client.calls.page({ pageSize: 2 });
  assert.equal(first.instances.length, 2, 'page 1: two calls');
  assert.ok(first.nextPageUrl, 'page 1: has a next page');
  assert.ok(first.nextPageUrl.startsWith(`${baseUrl}/2010-04-01/Accounts/${accountSid}/Calls.json?`),
    `page 1: next page URL ${first.nextPageUrl} is on the local server`);
  ok(`page 1: ${first.instances.map((c) => c.sid).join(' ')} next=${first.nextPageUrl}`);
  const second = await first.nextPage();
  assert.ok(second, 'page 2: nextPage() returned a page');
  assert.equal(second.instances.length, 1, 'page 2: the remaining call');
  assert.equal(second.nextPageUrl, undefined, 'page 2: is the last page');
  const seen = [...first.instances, ...second.instances].map((c) => c.sid);
  assert.deepEqual([...seen].sort(), [...created].sort(), 'pages 1+2: every created SID exactly once');
  ok(`page 2: ${second.instances.map((c) => c.sid).join(' ')}; all 3 SIDs seen once`);

  // The SDK's own auto-paging with a limit.
  const listed = await client.calls.list({ pageSize: 2, limit: 3 });
  assert.deepEqual(listed.map((c) => c.sid).sort(), [...created].sort(), 'list pageSize=2 limit=3: the 3 created SIDs');
  ok('list({pageSize: 2, limit: 3}): 3 calls across 2 pages');

  // A call's sub-resources: no recordings (there is no media), no notifications of either level.
  assert.deepEqual(await client.calls(created[0]).recordings.list(), [], 'recordings: none');
  assert.deepEqual(await client.calls(created[0]).notifications.list({ log: 0 }), [], 'notifications log=0: none');
  ok(`sub-resources of ${created[0]}: recordings [], notifications (log=0) []`);

  // Cancel one.
  const target = created[1];
  const canceled = await client.calls(target).update({ status: 'canceled' });
  assert.equal(canceled.sid, target, 'cancel: sid');
  assert.equal(canceled.status, 'canceled', 'cancel: returned status');
  const refetched = await client.calls(target).fetch();
  assert.equal(refetched.status, 'canceled', 'cancel: fetched status');
  ok(`cancel: ${target} status=${canceled.status}`);
  console.log(`CANCELED ${target}`);

  // Errors. twilio-node refuses a missing `to` itself, before any request.
  assert.throws(() => client.calls.create({ from: FROM, twiml: TWIML }),
    (e) => !(e instanceof twilio.RestException) && /params\['to'\]/.test(e.message),
    'create without to: the SDK throws its own parameter error');
  ok('create without to: calls.create throws "Required parameter params[\'to\'] missing." client-side');

  // An empty `to` passes the SDK's check and reaches the server as To=.
  await assert.rejects(client.calls.create({ to: '', from: FROM, twiml: TWIML }), (e) => {
    assert.ok(e instanceof twilio.RestException, `expected RestException, got ${e && e.constructor && e.constructor.name}: ${e && e.message}`);
    assert.equal(e.code, 21201, 'code');
    assert.equal(e.status, 400, 'status');
    return true;
  }, 'create with to=\'\'');
  ok('create with to=\'\': RestException code=21201 status=400');

  // A POST with no To at all, through the SDK's own request/exception path.
  await assert.rejects(
    client.api.v2010.create({ uri: `/Accounts/${accountSid}/Calls.json`, method: 'post', data: { From: FROM, Twiml: TWIML } }),
    (e) => {
      assert.ok(e instanceof twilio.RestException, `expected RestException, got ${e && e.constructor && e.constructor.name}: ${e && e.message}`);
      assert.equal(e.code, 21201, 'code');
      assert.equal(e.status, 400, 'status');
      assert.equal(typeof e.message, 'string', 'message');
      assert.equal(e.moreInfo, 'https://www.twilio.com/docs/errors/21201', 'moreInfo');
      return true;
    }, 'POST without To');
  ok('POST without To: RestException code=21201 status=400 moreInfo=https://www.twilio.com/docs/errors/21201');

  console.log('smoke: all checks passed');
}

main().catch((e) => {
  console.error(`FAIL: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
