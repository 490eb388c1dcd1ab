'use strict';
/*
 * Request-level redirect of Gigya's hosts to a doppelgate server, without touching the SDK.
 *
 * The npm `gigya` SDK (3.0.1) cannot be pointed at another server: its default transport
 * (dist/lib/helpers/default-http-request.js) always posts to `https://<namespace>.<dc>.gigya.com/
 * <method>` (`cn1` -> `gigya-api.cn`) through the `request` package, which calls Node's
 * `https.request`. The only hook it offers is a replacement transport function (`new Gigya(fn)`),
 * but that would replace the very code under test (form encoding, headers) and drop its
 * credential handling. So this module wraps `https.request` / `https.get`: a request for a
 * Gigya host (`*.gigya.com`, `*.gigya-api.cn`, `*.sapcdm.cn`) is sent over plain HTTP to the
 * target origin (e.g. http://127.0.0.1:8080) with the same method, path, headers and body; its
 * Host header stays the vendor's (`ds.us1.gigya.com`), which is how doppelgate picks the gigya
 * dialect and which host the SDK's signature covers. Every other request goes out untouched.
 *
 * Use: `node --require ./redirect.js script.js` with DOPPELGATE_GIGYA_URL=http://127.0.0.1:PORT,
 * or `require('./redirect').install('http://127.0.0.1:PORT')` before the first SDK call.
 */
const http = require('http');
const https = require('https');

const GIGYA_HOSTS = [/\.gigya\.com$/i, /\.gigya-api\.cn$/i, /\.sapcdm\.cn$/i];

const state = { target: null, agent: null, redirected: [] };

function isGigyaHost(host) {
  const name = String(host || '').replace(/:\d+$/, '').replace(/\.$/, '');
  return GIGYA_HOSTS.some((re) => re.test(name));
}

function hostOf(options) {
  return options.hostname || options.host || '';
}

// https.request(url[, options][, callback]) or https.request(options[, callback])
function normalize(args) {
  let [first, second, third] = args;
  let url = null;
  if (typeof first === 'string' || first instanceof URL) {
    url = new URL(String(first));
    first = null;
  }
  let options = first || {};
  let callback = null;
  if (url) {
    if (typeof second === 'function') {
      callback = second;
    } else {
      options = second || {};
      callback = third || null;
    }
    options = {
      ...options,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
    };
  } else {
    callback = typeof second === 'function' ? second : null;
  }
  return { options, callback };
}

function redirectedOptions(options) {
  const target = state.target;
  const headers = { ...(options.headers || {}) };
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'host')) {
    const port = options.port && String(options.port) !== '443' ? `:${options.port}` : '';
    headers.host = hostOf(options) + port;
  }
  return {
    protocol: 'http:',
    hostname: target.hostname,
    port: target.port || 80,
    method: options.method || 'GET',
    path: options.path || '/',
    headers,
    agent: state.agent,
    setHost: false, // the vendor Host header above is the one sent
  };
}

function install(targetUrl) {
  if (state.target) {
    return state;
  }
  const target = new URL(targetUrl);
  if (target.protocol !== 'http:' || (target.pathname !== '/' && target.pathname !== '')) {
    throw new Error(`redirect target must be an http://host:port origin, got ${targetUrl}`);
  }
  state.target = target;
  state.agent = new http.Agent();
  const originalRequest = https.request;
  const originalGet = https.get;
  https.request = function request(...args) {
    const { options, callback } = normalize(args);
    if (!isGigyaHost(hostOf(options))) {
      return originalRequest.apply(https, args);
    }
    const redirected = redirectedOptions(options);
    state.redirected.push(`${redirected.headers.host || redirected.headers.Host}${redirected.path}`);
    return http.request(redirected, callback || undefined);
  };
  https.get = function get(...args) {
    const { options } = normalize(args);
    if (!isGigyaHost(hostOf(options))) {
      return originalGet.apply(https, args);
    }
    const req = https.request(...args);
    req.end();
    return req;
  };
  return state;
}

if (process.env.DOPPELGATE_GIGYA_URL) {
  install(process.env.DOPPELGATE_GIGYA_URL);
}

module.exports = { install, state, isGigyaHost };
