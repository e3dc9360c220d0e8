// The admin console (server-rendered pages under /console) and the admin JSON API (/admin/api).
export { createAdmin } from './createAdmin.js';
export type { Admin } from './createAdmin.js';
export type { AdminDeps } from './adminDeps.js';
export { AdminError } from './AdminError.js';
export { parseAuditQuery, MAX_RANGE_DAYS, MAX_PAGE } from './auditQuery.js';
