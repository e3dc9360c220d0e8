export { tlsServerOptions, BCP195_TLS12_CIPHERS } from './tlsServerOptions.js';
export type { TlsCredentials } from './tlsServerOptions.js';
export { requestId, accessLog, onError, notFound, problemResponse } from './problemMiddleware.js';
export type { AppEnv, ProblemPageRenderer } from './problemMiddleware.js';
export { readJsonBody } from './readJsonBody.js';
export type { JsonBodyFailure, ReadJsonBodyOptions } from './readJsonBody.js';
export { htmlPage, readFormOrJson, STRICT_PAGE_CSP } from './htmlPage.js';
