'use strict';
/*
 * The real npm `gigya` SDK (pinned in package.json) against a doppelgate server:
 * ds.store / ds.get / ds.search / ds.store(arrayPush) / ds.delete / ds.get(not found).
 * Prints ONE JSON line: {sdkVersion, dataCenter, auth, submitted, proxy, steps: {name:
 * {errorCode, response}}}; tests/gigya/test_npm_sdk.py asserts on it. A failing call does not
 * stop the run: its errorCode and the server's body (GigyaError.gigyaResponse) are recorded.
 *
 * How the requests reach doppelgate: the SDK only knows `https://<ns>.<dc>.gigya.com/<method>`
 * (no base-URL, protocol or host option; `dataCenter` only changes `<dc>`). Its transport, the
 * `request` package, honours HTTPS_PROXY: pointed at doppelgate, each call is a CONNECT to the
 * vendor host, answered by doppelgate with TLS under its local CA, which Node trusts through
 * NODE_EXTRA_CA_CERTS. Nothing is preloaded or patched: the SDK runs exactly as installed.
 *
 * Usage:
 *   HTTPS_PROXY=http://127.0.0.1:8080 NODE_EXTRA_CA_CERTS=ca.pem \
 *   node ds-roundtrip.js --api-key 3_abc --secret <base64>
 *        [--user-key AK1] [--data-center us1] [--oid auto] [--type npmtodo]
 * Every option also reads an environment variable: GIGYA_API_KEY,
 * GIGYA_SECRET, GIGYA_USER_KEY, GIGYA_DATA_CENTER, GIGYA_OID, GIGYA_TYPE.
 * Credentials: apiKey + secret -> the SDK's partner-secret mode (`secret` sent as a param);
 * apiKey + userKey + secret -> its signed mode (timestamp in ms, nonce, HMAC-SHA1 `sig`).
 */

const OPTIONS = {
  'api-key': 'GIGYA_API_KEY',
  secret: 'GIGYA_SECRET',
  'user-key': 'GIGYA_USER_KEY',
  'data-center': 'GIGYA_DATA_CENTER',
  oid: 'GIGYA_OID',
  type: 'GIGYA_TYPE',
};

function parseArgs(argv) {
  const args = {};
  for (const [name, env] of Object.entries(OPTIONS)) {
    if (process.env[env]) {
      args[name] = process.env[env];
    }
  }
  for (let i = 0; i < argv.length; i += 1) {
    const name = argv[i].replace(/^--/, '');
    if (!argv[i].startsWith('--') || !(name in OPTIONS) || i + 1 >= argv.length) {
      usage(`bad argument ${argv[i]}`);
    }
    args[name] = argv[i + 1];
    i += 1;
  }
  for (const required of ['api-key', 'secret']) {
    if (!args[required]) {
      usage(`--${required} (or ${OPTIONS[required]}) is required`);
    }
  }
  return {
    apiKey: args['api-key'],
    secret: args.secret,
    userKey: args['user-key'] || '',
    dataCenter: args['data-center'] || 'us1',
    oid: args.oid || 'auto',
    type: args.type || 'npmtodo',
  };
}

function usage(message) {
  process.stderr.write(`ds-roundtrip.js: ${message}\n`);
  process.exit(2);
}

const config = parseArgs(process.argv.slice(2));
const { Gigya } = require('gigya');
const sdkVersion = require('gigya/package.json').version;

// the main object: nested objects, arrays, every typed suffix, characters that need encoding
const MAIN = {
  title_s: 'Buy milk & eggs = 2+2?',
  notes_t: 'Remember the organic ones from the market',
  priority_i: 3,
  score_f: 2.5,
  done_b: false,
  due_d: '2026-11-30T09:00:00.000Z',
  tags: ['home', 'errand'],
  owner: { name_s: 'Åse Lee', address: { city_s: 'Oslo', zip_i: 150 } },
  unicode_s: 'æøå – ✓ 日本語',
};
const OTHERS = {
  'npm-a': { title_s: 'Walk dog', notes_t: 'around the park', priority_i: 5, done_b: false },
  'npm-b': { title_s: 'Pay rent', notes_t: 'bank transfer', priority_i: 9, done_b: true },
  'npm-c': { title_s: 'Call mom', notes_t: 'sunday evening', priority_i: 1, done_b: false },
  'npm-d': { title_s: 'Fix bike', notes_t: 'organic chain oil', priority_i: 7, done_b: false },
};
const PUSH = { tags: ['urgent'], priority_i: 4 };

async function call(steps, name, fn) {
  try {
    const response = await fn();
    steps[name] = { errorCode: response.errorCode, response };
    return response;
  } catch (err) {
    if (err && err.gigyaResponse) {
      steps[name] = { errorCode: err.errorCode, response: err.gigyaResponse };
    } else {
      steps[name] = { errorCode: null, error: String((err && err.stack) || err) };
    }
    return null;
  }
}

async function main() {
  const gigya = config.userKey
    ? new Gigya(config.apiKey, config.dataCenter, config.userKey, config.secret)
    : new Gigya(config.apiKey, config.dataCenter, config.secret);
  const type = config.type;
  const steps = {};

  const stored = await call(steps, 'store', () =>
    gigya.ds.store({ oid: config.oid, type, data: MAIN }),
  );
  const oid = stored && stored.oid ? stored.oid : config.oid;
  await call(steps, 'get', () => gigya.ds.get({ oid, type }));
  await call(steps, 'getFields', () =>
    gigya.ds.get({ oid, type, fields: 'title_s,owner.address' }),
  );
  for (const [other, data] of Object.entries(OTHERS)) {
    await call(steps, `store:${other}`, () => gigya.ds.store({ oid: other, type, data }));
  }
  const where = 'WHERE data.priority_i >= 3 AND data.done_b = false';
  await call(steps, 'search', () =>
    gigya.ds.search({
      query: `SELECT * FROM ${type} ${where} ORDER BY data.priority_i DESC LIMIT 2`,
    }),
  );
  await call(steps, 'count', () =>
    gigya.ds.search({ query: `SELECT count(*) FROM ${type} ${where}` }),
  );
  await call(steps, 'searchText', () =>
    gigya.ds.search({
      query: `SELECT * FROM ${type} WHERE data.notes_t CONTAINS "organic" AND data.owner.address.city_s = "Oslo"`,
    }),
  );
  await call(steps, 'push', () =>
    gigya.ds.store({ oid, type, data: PUSH, updateBehavior: 'arrayPush' }),
  );
  await call(steps, 'getAfterPush', () => gigya.ds.get({ oid, type }));
  await call(steps, 'delete', () => gigya.ds.delete({ oid, type }));
  await call(steps, 'getAfterDelete', () => gigya.ds.get({ oid, type }));
  await call(steps, 'countAfterDelete', () =>
    gigya.ds.search({ query: `SELECT count(*) FROM ${type} ${where}` }),
  );

  const result = {
    sdkVersion,
    dataCenter: config.dataCenter,
    auth: config.userKey ? 'signed' : 'partnerSecret',
    oid,
    submitted: { main: MAIN, others: OTHERS, push: PUSH },
    proxy: process.env.HTTPS_PROXY || process.env.https_proxy || null,
    steps,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`ds-roundtrip.js: ${(err && err.stack) || err}\n`);
  process.exit(1);
});
