// Association negotiation through the gateway (PS3.8 9.3.2-9.3.3, PS3.7 D.3.3): which of
// the caller's presentation contexts go upstream, the A-ASSOCIATE-RQ the gateway sends
// under its own AE, and the A-ASSOCIATE-AC it returns once the PACS answered. Pure.
import { DICOM_APPLICATION_CONTEXT, IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, PC_RESULT, PDU, PROTOCOL_VERSION, TS } from './constants.js';
import { classifySopClass, type DicomService } from './classifySopClass.js';
import type { AssociateAc, AssociateRq, PresentationContextAc, UserInfo } from './pduTypes.js';

/** Transfer syntaxes whose data sets the gateway can read (for identifiers and study UIDs). */
const READABLE = new Set<string>([TS.implicitLittle, TS.explicitLittle]);
/** Data sets that are not little-endian-readable; every other (encapsulated) syntax is explicit VR LE. */
const UNREADABLE = new Set<string>([TS.deflatedExplicitLittle, TS.explicitBig]);

export interface ContextPlan {
  id: number;
  abstractSyntax: string;
  service: DicomService;
  /** Set once the PACS accepted it. */
  transferSyntax?: string;
}

export interface NegotiationPlan {
  upstreamRq: AssociateRq;
  /** Contexts refused by the gateway itself, with their PC_RESULT. */
  refused: Map<number, number>;
  /** Contexts sent upstream. */
  forwarded: Map<number, ContextPlan>;
}

export interface PlanInput {
  rq: AssociateRq;
  /** Whether policy allows a context of this service (the requestor proposing the SCP role is passed for storage). */
  allows: (service: DicomService, requestorIsScp: boolean) => boolean;
  upstreamCalledAe: string;
  gatewayAe: string;
  /** The gateway's receive limit (PS3.8 D.1). */
  maxPduLength: number;
}

export function planAssociation(p: PlanInput): NegotiationPlan {
  const refused = new Map<number, number>();
  const forwarded = new Map<number, ContextPlan>();
  const upstreamContexts: AssociateRq['presentationContexts'] = [];
  const roles = new Map(p.rq.userInfo.roleSelections.map((r) => [r.sopClass, r]));
  for (const pc of p.rq.presentationContexts) {
    const service = classifySopClass(pc.abstractSyntax);
    if (!service) {
      refused.set(pc.id, PC_RESULT.abstractSyntaxNotSupported);
      continue;
    }
    const role = roles.get(pc.abstractSyntax);
    if (!p.allows(service, service === 'store' && role?.scp === true)) {
      refused.set(pc.id, PC_RESULT.abstractSyntaxNotSupported);
      continue;
    }
    // Query/retrieve identifiers must be readable; stored data sets must reveal their study.
    const usable = pc.transferSyntaxes.filter((ts) => (service === 'store' ? !UNREADABLE.has(ts) : READABLE.has(ts)));
    if (usable.length === 0) {
      refused.set(pc.id, PC_RESULT.transferSyntaxesNotSupported);
      continue;
    }
    forwarded.set(pc.id, { id: pc.id, abstractSyntax: pc.abstractSyntax, service });
    upstreamContexts.push({ id: pc.id, abstractSyntax: pc.abstractSyntax, transferSyntaxes: usable });
  }
  const classes = new Set([...forwarded.values()].map((c) => c.abstractSyntax));
  const ui = p.rq.userInfo;
  const userInfo: UserInfo = {
    // Never ask the PACS for PDUs larger than the caller accepts: P-DATA is forwarded unchanged.
    maxLength: minLength(p.maxPduLength, ui.maxLength),
    implementationClassUid: IMPLEMENTATION_CLASS_UID,
    implementationVersionName: IMPLEMENTATION_VERSION_NAME,
    // No asynchronous operations window: one outstanding operation per direction (PS3.7 D.3.3.3 default).
    roleSelections: ui.roleSelections.filter((r) => classes.has(r.sopClass)),
    extendedNegotiations: ui.extendedNegotiations.filter((e) => classes.has(e.sopClass)).map((e) => ({ sopClass: e.sopClass, info: e.info })),
    commonExtendedNegotiations: ui.commonExtendedNegotiations.filter((c) => classes.has(c.sopClass)),
    // The caller's identity is its certificate; user identity negotiation is not passed on.
    unknown: [],
  };
  const upstreamRq: AssociateRq = {
    type: PDU.associateRq,
    protocolVersion: PROTOCOL_VERSION,
    calledAe: p.upstreamCalledAe,
    callingAe: p.gatewayAe,
    applicationContext: DICOM_APPLICATION_CONTEXT,
    presentationContexts: upstreamContexts,
    userInfo,
  };
  return { upstreamRq, refused, forwarded };
}

/** The A-ASSOCIATE-AC for the caller, from the PACS's answer (or none when nothing went upstream). */
export function clientAssociateAc(rq: AssociateRq, plan: NegotiationPlan, upstreamAc: AssociateAc | undefined, maxPduLength: number): AssociateAc {
  const upstream = new Map((upstreamAc?.presentationContexts ?? []).map((pc) => [pc.id, pc]));
  const offered = new Map(plan.upstreamRq.presentationContexts.map((pc) => [pc.id, new Set(pc.transferSyntaxes)]));
  const contexts: PresentationContextAc[] = rq.presentationContexts.map((pc) => {
    const refused = plan.refused.get(pc.id);
    if (refused !== undefined) return { id: pc.id, result: refused, transferSyntax: '' };
    const up = upstream.get(pc.id);
    // A PACS answer outside what was offered is treated as a rejection (PS3.8 9.3.3.2).
    if (!up || (up.result === PC_RESULT.acceptance && !offered.get(pc.id)?.has(up.transferSyntax))) return { id: pc.id, result: PC_RESULT.noReason, transferSyntax: '' };
    if (up.result === PC_RESULT.acceptance) plan.forwarded.get(pc.id)!.transferSyntax = up.transferSyntax;
    return { id: pc.id, result: up.result, transferSyntax: up.result === PC_RESULT.acceptance ? up.transferSyntax : '' };
  });
  for (const [id, c] of plan.forwarded) if (!contexts.some((x) => x.id === id && x.result === PC_RESULT.acceptance)) c.transferSyntax = undefined;
  const accepted = new Set(contexts.filter((c) => c.result === PC_RESULT.acceptance).map((c) => plan.forwarded.get(c.id)!.abstractSyntax));
  const up = upstreamAc?.userInfo;
  return {
    type: PDU.associateAc,
    protocolVersion: PROTOCOL_VERSION,
    calledAe: rq.calledAe,
    callingAe: rq.callingAe,
    applicationContext: DICOM_APPLICATION_CONTEXT,
    presentationContexts: contexts,
    userInfo: {
      maxLength: minLength(maxPduLength, up?.maxLength),
      implementationClassUid: IMPLEMENTATION_CLASS_UID,
      implementationVersionName: IMPLEMENTATION_VERSION_NAME,
      roleSelections: (up?.roleSelections ?? []).filter((r) => accepted.has(r.sopClass)),
      extendedNegotiations: (up?.extendedNegotiations ?? []).filter((e) => accepted.has(e.sopClass)),
      commonExtendedNegotiations: [],
      unknown: [],
    },
  };
}

/** PS3.8 D.1: 0 means "no limit"; the gateway never accepts more than its own limit. */
export function minLength(own: number, peer: number | undefined): number {
  return peer === undefined || peer === 0 ? own : Math.min(own, peer);
}

/** Whether data sets on a context with this transfer syntax are explicit VR. */
export function isExplicitVr(ts: string): boolean {
  return ts !== TS.implicitLittle;
}
