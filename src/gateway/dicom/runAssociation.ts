// One DICOM TLS connection through the gateway, in order: A-ASSOCIATE-RQ → caller from the
// certificate → called AE selects the PACS → calling AE allowed for the principal →
// dicom.associate → presentation contexts by service → the gateway's own association to
// the PACS → A-ASSOCIATE-AC; then each command set (and identifier) is decided before it
// goes upstream, refused commands get a DIMSE failure response, P-DATA otherwise flows as
// whole PDUs. Registered as a live session; every malformed input ends in A-ABORT or RJ.
// Longer than most files: it is the one visible pipeline of an association.
import { createHash, type Hash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Decision, DecisionContext, EntityDescription } from '../../policy/index.js';
import type { LiveSession } from '../sessions/index.js';
import { commandService, SERVICE_ACTION, type DicomService } from './classifySopClass.js';
import { encodeCommandSet, responseFor, type CommandSet } from './commandSet.js';
import { ABORT_REASON, ABORT_SOURCE, COMMAND, DICOM_APPLICATION_CONTEXT, PDU, RJ_ACSE_REASON, RJ_PRESENTATION_REASON, RJ_RESULT, RJ_SOURCE, RJ_USER_REASON, STATUS, type AbortReason } from './constants.js';
import { createMessageTracker } from './createMessageTracker.js';
import { createPduReader, isPduError, type PduReader, type RawPdu } from './createPduReader.js';
import { actorOf, ATNA_EVENT, commandEventId } from './dicomAudit.js';
import { decodePdu } from './decodePdu.js';
import { encodePdu, fragmentMessage, packPdvs } from './encodePdu.js';
import type { AssociationDeps } from './associationDeps.js';
import { clientAssociateAc, isExplicitVr, planAssociation, type NegotiationPlan } from './negotiate.js';
import type { AssociateAc, AssociateRq, Pdv } from './pduTypes.js';
import { readStudyFields } from './readStudyFields.js';
import type { DicomCaller } from './createDicomCallers.js';
import { normaliseAddress } from '../resolveCaller.js';

// PS3.5 6.2 (AE VR): printable characters without backslash, not all spaces.
const AE = /^[\x20-\x5b\x5d-\x7e]{1,16}$/;
const PENDING = new Set([0xff00, 0xff01]);

interface ClientMessage {
  command: CommandSet;
  service: DicomService | undefined;
  contextId: number;
  mode: 'collect' | 'forward' | 'drop';
  held: Pdv[];
  scan: Buffer[];
  scanLength: number;
  hash?: Hash;
  bytes: number;
  refusal?: { status: number; reason: string };
  waitDurable?: Promise<unknown>;
}

interface CommandRecord {
  service: DicomService;
  messageId: number | undefined;
  sopClass: string | undefined;
  sopInstance?: string;
  studies: string[];
  level?: string;
  moveDestination?: string;
  started: number;
  decisionSeqs: Promise<number | null>[];
  sha256?: string;
  bytes: number;
  matches: number;
  instances: number;
  /** C-STORE sub-operations of a C-GET that reached the caller, audited in batches. */
  transferred: InstanceEntry[];
}

interface InstanceEntry {
  sopInstance: string | null;
  sopClass: string | null;
  study: string | null;
  sha256: string | null;
  bytes: number;
  status: number | null;
}

/** Bytes a socket may hold unsent before the gateway stops reading the other side (backpressure). */
const WRITE_BUFFER = 1 << 20;

/** Instances per `gateway.dicom.instances` event: one audit commit per batch, not per image. */
const INSTANCE_BATCH = 256;

interface SubOpRecord {
  sopInstance: string | undefined;
  sopClass: string | undefined;
  hash: Hash;
  bytes: number;
  study?: string;
  sha256?: string;
  moveOriginator?: string;
  /** The retrieval this sub-operation belongs to. */
  parent?: CommandRecord;
}

export function runAssociation(d: AssociationDeps, client: TLSSocket): void {
  const { clock, policy, limits } = d;
  const started = clock();
  const source = normaliseAddress(client.remoteAddress);
  let phase: 'awaiting-rq' | 'negotiating' | 'established' | 'local' | 'closed' = 'awaiting-rq';
  let upstream: Socket | undefined;
  let upReader: PduReader | undefined;
  let caller: DicomCaller | undefined;
  /** Who a refused certificate named (for the audit of the refusal). */
  let refused: { userId?: string; serial?: string } = {};
  let rq: AssociateRq | undefined;
  let plan: NegotiationPlan | undefined;
  let live: LiveSession | undefined;
  let unregister: (() => void) | undefined;
  let clientMaxPdu = 0;
  let upstreamMaxPdu = 0;
  let denials = 0;
  let admitted = false;
  const timers: NodeJS.Timeout[] = [];
  const counts: Record<string, number> = {};
  const rec = { bytesIn: 0, bytesOut: 0, outcome: 'failure' as 'success' | 'failure' | 'deny' | 'error', reason: 'closed' as string, cut: null as string | null, target: null as string | null };
  const reader = createPduReader({ maxPduLength: d.maxPduLength, maxAssociateLength: limits.maxAssociateLength });
  // Who is calling is read while the A-ASSOCIATE-RQ is on its way (facts are re-read on every recheck).
  const early = d.callers.resolve(client);
  early.catch(() => undefined);
  let assocDurable: Promise<unknown> = Promise.resolve();
  const pendingClient = new Map<number, CommandRecord>();
  const subOps = new Map<number, SubOpRecord>();
  let clientMsg: ClientMessage | undefined;
  let upMsg: { subOp?: SubOpRecord; record?: CommandRecord; scanned: boolean } | undefined;

  const isClosed = () => phase === 'closed';
  const modeOf = (m: ClientMessage) => m.mode;

  // ---- output -------------------------------------------------------------
  const write = (sock: Socket | undefined, buf: Buffer): Promise<void> => {
    if (!sock || sock.destroyed || !sock.writable) return Promise.resolve();
    if (sock === client) {
      rec.bytesOut += buf.length;
      if (live) live.bytesOut += buf.length;
    }
    // Up to WRITE_BUFFER bytes may wait in the socket: reading the other side goes on meanwhile.
    if (sock.write(buf) || sock.writableLength < WRITE_BUFFER) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        sock.off('drain', done);
        sock.off('close', done);
        resolve();
      };
      sock.once('drain', done);
      sock.once('close', done);
    });
  };

  /** Several PDUs in one go: corked, so TLS seals them into few records and one syscall. */
  const writeMany = (sock: Socket | undefined, bufs: Buffer[]): Promise<void> => {
    if (bufs.length <= 1) return bufs.length === 1 ? write(sock, bufs[0]!) : Promise.resolve();
    if (!sock || sock.destroyed || !sock.writable) return Promise.resolve();
    sock.cork();
    for (let i = 0; i < bufs.length - 1; i++) {
      const b = bufs[i]!;
      if (sock === client) {
        rec.bytesOut += b.length;
        if (live) live.bytesOut += b.length;
      }
      sock.write(b);
    }
    const done = write(sock, bufs[bufs.length - 1]!);
    sock.uncork();
    return done;
  };

  const finish = (outcome: typeof rec.outcome, reason: string) => {
    if (phase === 'closed') return;
    phase = 'closed';
    rec.outcome = outcome;
    rec.reason = reason;
    for (const t of timers) clearTimeout(t);
    unregister?.();
    if (admitted) d.release();
    // Let the last PDU leave, then close both legs.
    const end = (s: Socket | undefined) => {
      if (!s || s.destroyed) return;
      s.end();
      setTimeout(() => s.destroy(), 200).unref();
    };
    end(client);
    end(upstream);
    d.audit('gateway.dicom.association', actorOf(caller?.userId ?? refused.userId), outcome, {
      eventId: ATNA_EVENT.networkEntry,
      callingAe: rq?.callingAe ?? null,
      calledAe: rq?.calledAe ?? null,
      target: rec.target,
      principalKind: caller?.kind ?? null,
      serial: caller?.serial ?? refused.serial ?? null,
      deviceId: caller?.deviceId ?? null,
      sessionId: caller?.loginSessionId ?? null,
      source: source ?? null,
      reason,
      cut: rec.cut,
      bytesIn: rec.bytesIn,
      bytesOut: rec.bytesOut,
      commands: counts,
      denials,
      liveSession: live?.id ?? null,
      durationMs: clock() - started,
    });
  };

  /** A-ABORT to both sides (PS3.8 9.3.8: source 2, the gateway acts as the service provider). */
  const abort = (reason: string, abortReason: AbortReason, outcome: typeof rec.outcome = 'failure') => {
    if (phase === 'closed') return;
    void write(client, encodePdu({ type: PDU.abort, source: ABORT_SOURCE.serviceProvider, reason: abortReason }));
    if (upstream) void write(upstream, encodePdu({ type: PDU.abort, source: ABORT_SOURCE.serviceUser, reason: ABORT_REASON.notSpecified }));
    finish(outcome, reason);
  };

  const reject = (result: number, src: number, reason: number, why: string, outcome: typeof rec.outcome = 'deny') => {
    void write(client, encodePdu({ type: PDU.associateRj, result, source: src, reason }));
    finish(outcome, why);
  };

  // ---- policy -------------------------------------------------------------
  const target = () => d.upstreams.get(rq!.calledAe)!;
  let extra: Pick<DecisionContext, 'grant' | 'breakGlass' | 'risk'> = {};
  const contextFor = (c: DicomCaller, dicom: Record<string, unknown>): DecisionContext => {
    const now = new Date(clock());
    const ctx: DecisionContext & { dicom: Record<string, unknown> } = {
      device: c.device,
      time: { hour: now.getHours(), weekday: now.getDay() === 0 ? 7 : now.getDay() },
      dicom: { callingAe: rq!.callingAe, calledAe: rq!.calledAe, ...dicom },
    };
    if (c.auth) ctx.auth = c.auth;
    if (source) ctx.network = { source };
    if (extra.grant) ctx.grant = extra.grant;
    if (extra.breakGlass) ctx.breakGlass = true;
    if (extra.risk) ctx.risk = extra.risk;
    return ctx;
  };
  const studyEntity = (uid: string): EntityDescription => {
    const t = target();
    return { uid: { type: 'Radgate::Study', id: uid }, attrs: { target: { ...t.entity.uid }, department: t.department }, parents: [t.entity.uid] };
  };
  const quiet = (x: Decision) => {
    x.durable.catch(() => undefined);
    return x;
  };

  // ---- association ----------------------------------------------------------
  async function associate(pdu: AssociateRq): Promise<void> {
    rq = pdu;
    phase = 'negotiating';
    // PS3.8 9.3.2: AE titles are 16 bytes of the default repertoire; control characters are refused.
    if (!AE.test(pdu.callingAe)) return reject(RJ_RESULT.permanent, RJ_SOURCE.serviceUser, RJ_USER_REASON.callingAeNotRecognized, 'calling-ae-invalid');
    if (!AE.test(pdu.calledAe)) return reject(RJ_RESULT.permanent, RJ_SOURCE.serviceUser, RJ_USER_REASON.calledAeNotRecognized, 'called-ae-invalid');
    if ((pdu.protocolVersion & 1) === 0) return reject(RJ_RESULT.permanent, RJ_SOURCE.serviceProviderAcse, RJ_ACSE_REASON.protocolVersionNotSupported, 'protocol-version');
    if (pdu.applicationContext !== DICOM_APPLICATION_CONTEXT) return reject(RJ_RESULT.permanent, RJ_SOURCE.serviceUser, RJ_USER_REASON.applicationContextNotSupported, 'application-context');
    admitted = d.admit();
    if (!admitted) return reject(RJ_RESULT.transient, RJ_SOURCE.serviceProviderPresentation, RJ_PRESENTATION_REASON.localLimitExceeded, 'too-many-associations', 'error');
    let who: Awaited<typeof early>;
    try {
      who = await early;
    } catch {
      return reject(RJ_RESULT.transient, RJ_SOURCE.serviceProviderPresentation, RJ_PRESENTATION_REASON.temporaryCongestion, 'caller-lookup-failed', 'error');
    }
    if (isClosed()) return;
    if (!who.ok) {
      refused = { ...(who.userId ? { userId: who.userId } : {}), ...(who.serial ? { serial: who.serial } : {}) };
      return reject(RJ_RESULT.permanent, RJ_SOURCE.serviceUser, RJ_USER_REASON.noReason, who.reason);
    }
    caller = who.caller;
    const t = d.upstreams.get(pdu.calledAe);
    if (!t) return reject(RJ_RESULT.permanent, RJ_SOURCE.serviceUser, RJ_USER_REASON.calledAeNotRecognized, 'called-ae-unknown');
    rec.target = t.name;
    if (!caller.aeTitles.includes(pdu.callingAe)) return reject(RJ_RESULT.permanent, RJ_SOURCE.serviceUser, RJ_USER_REASON.callingAeNotRecognized, 'calling-ae-not-allowed');
    try {
      extra = (await d.extras?.(caller, t.name)) ?? {};
    } catch {
      return reject(RJ_RESULT.transient, RJ_SOURCE.serviceProviderPresentation, RJ_PRESENTATION_REASON.temporaryCongestion, 'grant-lookup-failed', 'error');
    }
    if (isClosed()) return;
    const assoc = quiet(policy.authorize(caller.principal, 'dicom.associate', t.entity, contextFor(caller, {})));
    if (assoc.decision !== 'allow') return reject(RJ_RESULT.permanent, RJ_SOURCE.serviceUser, RJ_USER_REASON.noReason, `policy-denied:${assoc.reasons.join(',')}`);

    // Presentation contexts are decided by the service they enable, once per service.
    const memo = new Map<DicomService, boolean>();
    const allows = (s: DicomService) => {
      let v = memo.get(s);
      if (v === undefined) {
        v = quiet(policy.authorize(caller!.principal, SERVICE_ACTION[s], t.entity, contextFor(caller!, {}))).decision === 'allow';
        memo.set(s, v);
      }
      return v;
    };
    plan = planAssociation({
      rq: pdu,
      // A storage context on which the caller is the SCP receives C-GET results.
      allows: (s, requestorIsScp) => allows(s) || (s === 'store' && requestorIsScp && allows('get')),
      upstreamCalledAe: t.aeTitle,
      gatewayAe: t.callingAe,
      maxPduLength: d.maxPduLength,
    });
    clientMaxPdu = pdu.userInfo.maxLength ?? 0;
    // The decision must be on record before the caller hears "accepted"; the PACS leg opens meanwhile.
    assocDurable = assoc.durable;
    if (plan.forwarded.size === 0) {
      try {
        await assocDurable;
      } catch {
        return reject(RJ_RESULT.transient, RJ_SOURCE.serviceProviderPresentation, RJ_PRESENTATION_REASON.temporaryCongestion, 'audit-unavailable', 'error');
      }
      if (isClosed()) return;
      // Nothing acceptable: answer locally, every context refused; the caller will release.
      await write(client, encodePdu(clientAssociateAc(pdu, plan, undefined, d.maxPduLength)));
      phase = 'local';
      return;
    }
    let up: Socket;
    try {
      up = await d.connectUpstream(t);
    } catch {
      return reject(RJ_RESULT.transient, RJ_SOURCE.serviceProviderPresentation, RJ_PRESENTATION_REASON.temporaryCongestion, 'upstream-unavailable', 'error');
    }
    if (isClosed()) {
      up.destroy();
      return;
    }
    upstream = up;
    upReader = createPduReader({ maxPduLength: plan.upstreamRq.userInfo.maxLength ?? d.maxPduLength, maxAssociateLength: limits.maxAssociateLength });
    void upstreamLoop(up);
    await write(up, encodePdu(plan.upstreamRq));
  }

  async function established(ac: AssociateAc): Promise<void> {
    try {
      await assocDurable;
    } catch {
      return abort('audit-unavailable', ABORT_REASON.notSpecified, 'error');
    }
    if (isClosed()) return;
    const clientAc = clientAssociateAc(rq!, plan!, ac, d.maxPduLength);
    upstreamMaxPdu = ac.userInfo.maxLength ?? 0;
    reader.setLimits({ maxPduLength: clientAc.userInfo.maxLength ?? d.maxPduLength });
    phase = 'established';
    const c = caller!;
    const reg = d.liveSessions.register({
      gateway: 'dicom',
      userId: c.userId,
      deviceId: c.deviceId,
      serial: c.serial,
      loginSessionId: c.loginSessionId,
      grantId: c.grantId,
      target: `${target().name}/${rq!.calledAe}`,
      recheck: recheck,
      close: (reason) => {
        rec.cut = reason;
        abort(`cut:${reason}`, ABORT_REASON.notSpecified, 'deny');
      },
    });
    live = reg.session;
    live.bytesIn = rec.bytesIn;
    live.bytesOut = rec.bytesOut;
    unregister = reg.unregister;
    const cutNow = (why: string) => void d.liveSessions.cut((s) => s.id === live!.id, why);
    // Revocation and expiry are re-checked during long associations, not only at the handshake.
    const every = limits.recheckIntervalMs;
    const tick = () => {
      recheck().then(
        (ok) => (ok ? timers.push(setTimeout(tick, every)) : cutNow('recheck-denied')),
        () => cutNow('recheck-failed'), // fail closed
      );
    };
    timers.push(setTimeout(tick, every));
    timers.push(setTimeout(() => cutNow('certificate-expired'), Math.max(0, Math.min(c.notAfter - clock(), 2 ** 31 - 1))));
    return write(client, encodePdu(clientAc));
  }

  async function recheck(): Promise<boolean> {
    if (phase === 'closed') return true;
    const again = await d.callers.resolve(client);
    if (!again.ok || again.caller.userId !== caller?.userId) return false;
    caller = again.caller;
    extra = (await d.extras?.(again.caller, target().name)) ?? {};
    return quiet(policy.authorize(again.caller.principal, 'dicom.associate', target().entity, contextFor(again.caller, {}))).decision === 'allow';
  }

  // ---- commands from the caller --------------------------------------------
  const tracker = createMessageTracker((id) => plan?.forwarded.get(id)?.transferSyntax !== undefined, limits.maxCommandLength);
  const upTracker = createMessageTracker((id) => plan?.forwarded.get(id)?.transferSyntax !== undefined, limits.maxCommandLength);

  function refuse(m: ClientMessage, status: number, reason: string): void {
    m.mode = 'drop';
    m.held = [];
    m.refusal = { status, reason };
    denials++;
  }

  /** Decides a request command; resolves to an allow (forward) or a refusal. */
  function decide(m: ClientMessage, fields: { level?: string; studyUids: string[] }): void {
    const c = caller!;
    const cmd = m.command;
    const service = m.service!;
    const dicom: Record<string, unknown> = {};
    if (cmd.affectedSopClass) dicom.sopClass = cmd.affectedSopClass;
    if (service === 'find' || service === 'get' || service === 'move') dicom.level = fields.level ?? '';
    if (service === 'move') {
      dicom.moveDestination = cmd.moveDestination ?? '';
      dicom.moveDestinationOwn = cmd.moveDestination !== undefined && c.aeTitles.includes(cmd.moveDestination);
    }
    const ctx = contextFor(c, dicom);
    const t = target();
    const decisions = fields.studyUids.length === 0 ? [policy.authorize(c.principal, SERVICE_ACTION[service], t.entity, ctx)] : fields.studyUids.map((u) => policy.authorize(c.principal, SERVICE_ACTION[service], studyEntity(u), ctx, [t.entity]));
    const record: CommandRecord = {
      service,
      messageId: cmd.messageId,
      sopClass: cmd.affectedSopClass,
      studies: fields.studyUids,
      started: clock(),
      decisionSeqs: decisions.map((x) => x.durable.then((r) => r.seq).catch(() => null)),
      bytes: 0,
      matches: 0,
      instances: 0,
      transferred: [],
    };
    if (fields.level !== undefined) record.level = fields.level;
    if (cmd.affectedSopInstance) record.sopInstance = cmd.affectedSopInstance;
    if (cmd.moveDestination) record.moveDestination = cmd.moveDestination;
    const denied = decisions.find((x) => x.decision !== 'allow');
    if (denied) {
      refuse(m, STATUS.refusedNotAuthorized, `policy-denied:${denied.reasons.join(',')}`);
      auditCommand(record, 'deny', STATUS.refusedNotAuthorized, m.refusal!.reason);
      return;
    }
    if (cmd.messageId !== undefined) pendingClient.set(cmd.messageId, record);
    m.mode = 'forward';
    // Images leave the PACS only after the decision is on record (retrievals and queries).
    if (service !== 'store' && service !== 'echo') m.waitDurable = Promise.all(decisions.map((x) => x.durable));
  }

  function auditCommand(r: CommandRecord, outcome: 'success' | 'failure' | 'deny', status: number | null, reason: string | null): void {
    void Promise.all(r.decisionSeqs).then((seqs) =>
      d.audit('gateway.dicom.command', actorOf(caller?.userId), outcome, {
        eventId: commandEventId(r.service),
        liveSession: live?.id ?? null,
        target: rec.target,
        callingAe: rq?.callingAe ?? null,
        calledAe: rq?.calledAe ?? null,
        service: r.service,
        messageId: r.messageId ?? null,
        sopClass: r.sopClass ?? null,
        sopInstance: r.sopInstance ?? null,
        studies: r.studies,
        level: r.level ?? null,
        moveDestination: r.moveDestination ?? null,
        sha256: r.sha256 ?? null,
        bytes: r.bytes,
        matches: r.matches,
        instances: r.instances,
        status,
        reason,
        decisionSeqs: seqs,
        durationMs: clock() - r.started,
      }),
    );
  }

  async function sendRefusal(m: ClientMessage): Promise<void> {
    const cmd = m.command;
    const rsp = encodeCommandSet(responseFor(cmd, m.refusal!.status, { ...(cmd.commandField === COMMAND.cGetRq || cmd.commandField === COMMAND.cMoveRq ? { remaining: 0, completed: 0, failed: 0, warning: 0 } : {}) }));
    for (const p of fragmentMessage(m.contextId, true, rsp, clientMaxPdu)) await write(client, p);
    if (denials >= limits.maxDenials) abort('too-many-denials', ABORT_REASON.notSpecified, 'deny');
  }

  /** Handles one caller PDV; returns the PDVs to send upstream now. */
  function onClientPdv(pdv: Pdv, out: Pdv[]): string | undefined {
    const r = tracker.track(pdv);
    if (r.kind === 'violation') return r.code;
    const ctx = plan!.forwarded.get(pdv.contextId)!;
    if (r.kind === 'command-fragment') {
      if (!clientMsg || clientMsg.mode !== 'collect' || clientMsg.contextId !== pdv.contextId) {
        clientMsg = { command: { commandField: -1, dataSetType: 0 }, service: undefined, contextId: pdv.contextId, mode: 'collect', held: [], scan: [], scanLength: 0, bytes: 0 };
      }
      clientMsg.held.push(pdv);
      return undefined;
    }
    if (r.kind === 'command') {
      const held = clientMsg?.mode === 'collect' && clientMsg.contextId === pdv.contextId && clientMsg.command.commandField === -1 ? clientMsg.held : [];
      const cmd = r.command;
      const m: ClientMessage = { command: cmd, service: undefined, contextId: pdv.contextId, mode: 'collect', held: [...held, pdv], scan: [], scanLength: 0, bytes: 0 };
      clientMsg = m;
      counts[hexCmd(cmd.commandField)] = (counts[hexCmd(cmd.commandField)] ?? 0) + 1;
      if (cmd.commandField === COMMAND.cStoreRsp || cmd.commandField === COMMAND.cCancelRq) {
        // Answers to the PACS's C-STORE sub-operations, and cancels, pass through.
        if (cmd.commandField === COMMAND.cStoreRsp && cmd.messageIdBeingRespondedTo !== undefined) finishSubOp(cmd.messageIdBeingRespondedTo, cmd.status);
        m.mode = 'forward';
      } else {
        const service = commandService(cmd.commandField);
        if (!service) return 'command-unsupported';
        // PS3.7 9.1: the affected SOP class is the context's abstract syntax, and the command its service.
        if (service !== ctx.service || (cmd.affectedSopClass !== undefined && cmd.affectedSopClass !== ctx.abstractSyntax)) return 'command-context-mismatch';
        m.service = service;
        if (service === 'store') m.hash = createHash('sha256');
        if (!r.hasData) {
          if (service !== 'echo') return 'dataset-missing';
          decide(m, { studyUids: [] });
        }
      }
      if (m.mode === 'forward') {
        out.push(...m.held);
        m.held = [];
      }
      return undefined;
    }
    // Data set fragment.
    const m = clientMsg;
    if (!m) return 'data-before-command';
    m.bytes += pdv.data.length;
    m.hash?.update(pdv.data);
    if (m.mode === 'collect') {
      m.held.push(pdv);
      m.scan.push(pdv.data);
      m.scanLength += pdv.data.length;
      const store = m.service === 'store';
      if (!store && m.scanLength > limits.maxIdentifierLength) return 'identifier-too-large';
      if (store || r.last) {
        const fields = readStudyFields(m.scan.length === 1 ? m.scan[0]! : Buffer.concat(m.scan), isExplicitVr(ctx.transferSyntax!), !store || r.last);
        if (fields.status === 'error') refuse(m, STATUS.identifierDoesNotMatch, `identifier-invalid:${fields.detail}`);
        else if (fields.status === 'need-more' && m.scanLength > limits.maxIdentifierLength) refuse(m, STATUS.identifierDoesNotMatch, 'study-uid-not-found');
        else if (fields.status === 'done') {
          if (store && fields.studyUids.length !== 1) refuse(m, STATUS.identifierDoesNotMatch, 'study-uid-missing');
          else decide(m, fields);
        }
        if (m.refusal && m.service) {
          const rsp: CommandRecord = { service: m.service, messageId: m.command.messageId, sopClass: m.command.affectedSopClass, studies: [], started: clock(), decisionSeqs: [], bytes: m.bytes, matches: 0, instances: 0, transferred: [] };
          if (m.refusal.status !== STATUS.refusedNotAuthorized) auditCommand(rsp, 'deny', m.refusal.status, m.refusal.reason);
        }
        if (modeOf(m) === 'forward') {
          out.push(...m.held);
          m.held = [];
          m.scan = [];
        }
      }
    } else if (m.mode === 'forward') {
      out.push(pdv);
    }
    if (r.last && m.service === 'store' && m.mode === 'forward' && m.command.messageId !== undefined) {
      const cr = pendingClient.get(m.command.messageId);
      if (cr) {
        cr.sha256 = m.hash!.digest('hex');
        cr.bytes = m.bytes;
      }
    }
    return undefined;
  }

  async function onClientPData(raw: RawPdu): Promise<void> {
    const decoded = decodePdu(raw.raw);
    if (!decoded.ok) return abort(decoded.error.code, decoded.error.abortReason);
    const pdvs = (decoded.value as { pdvs: Pdv[] }).pdvs;
    const out: Pdv[] = [];
    const refusals: ClientMessage[] = [];
    for (const pdv of pdvs) {
      const violation = onClientPdv(pdv, out);
      if (violation) return abort(violation, violation === 'identifier-too-large' || violation.startsWith('command-') ? ABORT_REASON.invalidPduParameterValue : ABORT_REASON.unexpectedPduParameter);
      const m = clientMsg;
      if (m?.mode === 'drop' && tracker.idle && !refusals.includes(m)) refusals.push(m);
    }
    const wait = clientMsg?.waitDurable;
    if (wait) {
      clientMsg!.waitDurable = undefined;
      try {
        await wait;
      } catch {
        return abort('audit-unavailable', ABORT_REASON.notSpecified, 'error');
      }
    }
    if (out.length > 0) {
      const asIs = out.length === pdvs.length && out.every((p, i) => p === pdvs[i]);
      // Held PDVs are regrouped within the PACS's maximum PDU length (PS3.8 D.1).
      await (asIs ? write(upstream, raw.raw) : writeMany(upstream, packPdvs(out, upstreamMaxPdu)));
    }
    for (const m of refusals) await sendRefusal(m);
  }

  // ---- messages from the PACS ----------------------------------------------
  function finishSubOp(messageId: number, status: number | undefined): void {
    const s = subOps.get(messageId);
    if (!s) return;
    subOps.delete(messageId);
    const entry: InstanceEntry = { sopInstance: s.sopInstance ?? null, sopClass: s.sopClass ?? null, study: s.study ?? null, sha256: s.sha256 ?? null, bytes: s.bytes, status: status ?? null };
    if (!s.parent) return auditInstances(undefined, [entry]);
    s.parent.transferred.push(entry);
    if (s.parent.transferred.length >= INSTANCE_BATCH) flushInstances(s.parent);
  }

  function flushInstances(r: CommandRecord): void {
    if (r.transferred.length === 0) return;
    auditInstances(r, r.transferred);
    r.transferred = [];
  }

  /** ATNA 110104 Instances Transferred: the images that reached the caller, with their SHA-256. */
  function auditInstances(r: CommandRecord | undefined, instances: InstanceEntry[]): void {
    d.audit('gateway.dicom.instances', actorOf(caller?.userId), instances.every((i) => i.status === 0) ? 'success' : 'failure', {
      eventId: ATNA_EVENT.instancesTransferred,
      direction: 'to-caller',
      liveSession: live?.id ?? null,
      target: rec.target,
      callingAe: rq?.callingAe ?? null,
      retrieveMessageId: r?.messageId ?? null,
      studies: r?.studies ?? [],
      instances,
    });
  }

  function onUpstreamPdv(pdv: Pdv): string | undefined {
    const r = upTracker.track(pdv);
    if (r.kind === 'violation') return r.code;
    if (r.kind === 'command-fragment') return undefined;
    if (r.kind === 'command') {
      const cmd = r.command;
      upMsg = { scanned: false };
      if (cmd.commandField === COMMAND.cStoreRq) {
        // A C-STORE sub-operation of a C-GET: hashed on its way to the caller.
        const s: SubOpRecord = { sopInstance: cmd.affectedSopInstance, sopClass: cmd.affectedSopClass, hash: createHash('sha256'), bytes: 0 };
        if (cmd.moveOriginatorAe) s.moveOriginator = cmd.moveOriginatorAe;
        // One operation at a time (no asynchronous window is negotiated): the open C-GET owns it.
        for (const cr of pendingClient.values()) if (cr.service === 'get') s.parent = cr;
        if (cmd.messageId !== undefined) subOps.set(cmd.messageId, s);
        upMsg.subOp = s;
        return undefined;
      }
      if ((cmd.commandField & 0x8000) === 0) return 'unexpected-request-from-pacs';
      const cr = cmd.messageIdBeingRespondedTo !== undefined ? pendingClient.get(cmd.messageIdBeingRespondedTo) : undefined;
      if (cr) {
        upMsg.record = cr;
        if (cmd.status !== undefined && PENDING.has(cmd.status)) {
          if (cr.service === 'find') cr.matches++;
        } else {
          pendingClient.delete(cmd.messageIdBeingRespondedTo!);
          if (cmd.completed !== undefined) cr.instances = cmd.completed;
          else if (cr.service === 'store' && cmd.status === 0) cr.instances = 1;
          flushInstances(cr);
          // A C-ECHO's decision event is its record; everything else gets a command event.
          if (cr.service !== 'echo') auditCommand(cr, cmd.status === STATUS.success ? 'success' : 'failure', cmd.status ?? null, null);
        }
      }
      return undefined;
    }
    const s = upMsg?.subOp;
    if (s) {
      s.hash.update(pdv.data);
      s.bytes += pdv.data.length;
      if (!upMsg!.scanned) {
        upMsg!.scanned = true;
        const ts = plan!.forwarded.get(pdv.contextId)!.transferSyntax!;
        const f = readStudyFields(pdv.data, isExplicitVr(ts), false);
        if (f.status === 'done' && f.studyUids.length === 1) s.study = f.studyUids[0]!;
      }
      if (r.last) s.sha256 = s.hash.digest('hex');
    } else if (upMsg?.record) {
      upMsg.record.bytes += pdv.data.length;
    }
    return undefined;
  }

  /** P-DATA from the PACS waiting to go to the caller (flushed per received chunk). */
  let toClient: Buffer[] = [];
  const flushToClient = (): Promise<void> => {
    if (toClient.length === 0) return Promise.resolve();
    const bufs = toClient;
    toClient = [];
    return writeMany(client, bufs);
  };

  async function onUpstreamPdu(raw: RawPdu): Promise<void> {
    if (raw.type !== PDU.pData) await flushToClient();
    if (phase === 'negotiating') {
      const decoded = decodePdu(raw.raw);
      if (!decoded.ok) return abort(`upstream:${decoded.error.code}`, ABORT_REASON.notSpecified, 'error');
      const p = decoded.value;
      if (p.type === PDU.associateAc) return established(p);
      if (p.type === PDU.associateRj) return reject(p.result, p.source, p.reason, 'upstream-rejected', 'error');
      return abort('upstream-unexpected-pdu', ABORT_REASON.notSpecified, 'error');
    }
    switch (raw.type) {
      case PDU.pData: {
        const decoded = decodePdu(raw.raw);
        if (!decoded.ok) return abort(`upstream:${decoded.error.code}`, ABORT_REASON.notSpecified, 'error');
        for (const pdv of (decoded.value as { pdvs: Pdv[] }).pdvs) {
          const v = onUpstreamPdv(pdv);
          if (v) return abort(`upstream:${v}`, ABORT_REASON.notSpecified, 'error');
        }
        toClient.push(raw.raw);
        return;
      }
      case PDU.releaseRq:
        return write(client, raw.raw);
      case PDU.releaseRp:
        await write(client, raw.raw);
        return finish('success', 'released');
      case PDU.abort:
        await write(client, encodePdu({ type: PDU.abort, source: ABORT_SOURCE.serviceProvider, reason: ABORT_REASON.notSpecified }));
        return finish('failure', 'upstream-aborted');
      default:
        return abort('upstream-unexpected-pdu', ABORT_REASON.notSpecified, 'error');
    }
  }

  async function upstreamLoop(up: Socket): Promise<void> {
    try {
      // Leaving the loop must not destroy the socket before a final A-ABORT/RP is flushed.
      for await (const chunk of up.iterator({ destroyOnReturn: false })) {
        upReader!.push(chunk as Buffer);
        for (let p = upReader!.next(); p && phase !== 'closed'; p = upReader!.next()) {
          if (isPduError(p)) return abort(`upstream:${p.code}`, ABORT_REASON.notSpecified, 'error');
          await onUpstreamPdu(p);
        }
        await flushToClient();
        if (phase === 'closed') return;
      }
    } catch {
      // reset by the PACS: handled below
    }
    if (phase !== 'closed') abort('upstream-closed', ABORT_REASON.notSpecified, 'error');
  }

  // ---- the caller's PDUs ---------------------------------------------------
  async function onClientPdu(raw: RawPdu): Promise<void> {
    if (phase === 'awaiting-rq') {
      // PS3.8 9.2 (state Sta2): only an A-ASSOCIATE-RQ may open the association.
      if (raw.type !== PDU.associateRq) return abort('unexpected-pdu-before-association', ABORT_REASON.unexpectedPdu);
      const decoded = decodePdu(raw.raw);
      if (!decoded.ok) return abort(decoded.error.code, decoded.error.abortReason);
      return associate(decoded.value as AssociateRq);
    }
    if (phase === 'local') {
      if (raw.type === PDU.releaseRq) {
        await write(client, encodePdu({ type: PDU.releaseRp }));
        return finish('success', 'released-no-contexts');
      }
      if (raw.type === PDU.abort) return finish('failure', 'caller-aborted');
      return abort('unexpected-pdu', ABORT_REASON.unexpectedPdu);
    }
    switch (raw.type) {
      case PDU.pData:
        return onClientPData(raw);
      case PDU.releaseRq:
      case PDU.releaseRp:
        return write(upstream, raw.raw);
      case PDU.abort:
        await write(upstream, raw.raw);
        return finish('failure', 'caller-aborted');
      default:
        return abort('unexpected-pdu', ABORT_REASON.unexpectedPdu);
    }
  }

  async function clientLoop(): Promise<void> {
    // ARTIM (PS3.8 9.1.5): the A-ASSOCIATE-RQ must arrive in time.
    const artim = setTimeout(() => {
      if (phase === 'awaiting-rq' || phase === 'negotiating') abort('artim-expired', ABORT_REASON.notSpecified);
    }, limits.artimMs);
    timers.push(artim);
    client.setTimeout(limits.idleTimeoutMs, () => abort('idle-timeout', ABORT_REASON.notSpecified));
    try {
      for await (const chunk of client.iterator({ destroyOnReturn: false })) {
        const b = chunk as Buffer;
        rec.bytesIn += b.length;
        if (live) live.bytesIn += b.length;
        reader.push(b);
        for (let p = reader.next(); p && phase !== 'closed'; p = reader.next()) {
          if (isPduError(p)) return abort(p.code, p.abortReason);
          await onClientPdu(p);
        }
        if (phase === 'closed') return;
      }
    } catch {
      // reset by the caller
    }
    if (phase !== 'closed') {
      if (reader.buffered > 0) abort('pdu-truncated', ABORT_REASON.invalidPduParameterValue);
      else abort(phase === 'awaiting-rq' ? 'closed-before-association' : 'caller-closed', ABORT_REASON.notSpecified);
    }
  }

  client.setNoDelay(true);
  void clientLoop();
}

const hexCmd = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

