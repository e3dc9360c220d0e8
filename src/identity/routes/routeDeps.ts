// What every identity router needs.
import type { AuditLog } from '../../audit/index.js';
import type { Config } from '../../config/index.js';
import type { Identity } from '../createIdentity.js';

export interface RouteDeps {
  identity: Identity;
  config: Config;
  audit: Pick<AuditLog, 'append'>;
}
