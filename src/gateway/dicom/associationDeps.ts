// What one association needs from the gateway around it (built once by createDicomGateway).
import type { Socket } from 'node:net';
import type { DecisionContext, EntityDescription, PolicyEngine } from '../../policy/index.js';
import type { SessionRegistry } from '../sessions/index.js';
import type { DicomCaller, DicomCallers } from './createDicomCallers.js';
import type { AuditAppend } from './dicomAudit.js';

/** A PACS behind the gateway, selected by the called AE title. */
export interface UpstreamTarget {
  /** Policy Target id. */
  name: string;
  host: string;
  port: number;
  /** The PACS's AE title (called AE upstream). */
  aeTitle: string;
  /** The gateway's calling AE towards this PACS. */
  callingAe: string;
  department: string;
  entity: EntityDescription;
}

export interface AssociationLimits {
  maxAssociateLength: number;
  maxIdentifierLength: number;
  maxCommandLength: number;
  artimMs: number;
  idleTimeoutMs: number;
  maxDenials: number;
  recheckIntervalMs: number;
}

export interface AssociationDeps {
  clock: () => number;
  policy: Pick<PolicyEngine, 'authorize'>;
  liveSessions: SessionRegistry;
  callers: DicomCallers;
  upstreams: ReadonlyMap<string, UpstreamTarget>;
  connectUpstream(t: UpstreamTarget): Promise<Socket>;
  audit: AuditAppend;
  /** The gateway's receive limit for P-DATA-TF (PS3.8 D.1). */
  maxPduLength: number;
  limits: AssociationLimits;
  /** Counts an association in; false when the gateway is at its limit. */
  admit(): boolean;
  release(): void;
  /** Grant (vendors, grant-bound certificates), break-glass and analytics risk for a caller on a target. */
  extras?(caller: DicomCaller, target: string): Promise<Pick<DecisionContext, 'grant' | 'breakGlass' | 'risk'>>;
}
