'use strict';
/** The two clients every per-request variant is driven through: node:http and global fetch. */
const http = require('node:http');

/** POSTs a JSON body with node:http; resolves { status, text }. */
function httpPost(url, bodyText) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(bodyText) } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(bodyText);
  });
}

/** POSTs a JSON body with the global fetch (looked up at call time: interceptors patch it). */
async function fetchPost(url, bodyText) {
  const response = await globalThis.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodyText });
  return { status: response.status, text: await response.text() };
}

/** GETs a URL with node:http; resolves { status, text, chunks } (chunks: count of 'data' events). */
function httpGet(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        const parts = [];
        response.on('data', (chunk) => parts.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode, text: Buffer.concat(parts).toString('utf8'), chunks: parts.length }));
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

const CLIENTS = { http: httpPost, fetch: fetchPost };

module.exports = { httpPost, fetchPost, httpGet, CLIENTS };
