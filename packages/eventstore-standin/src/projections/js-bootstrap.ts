/**
 * The projection API as EventStoreDB's JavaScript projections see it (its
 * `JintProjectionStateHandler`), written as source text that runs *inside* the projection's own
 * `vm` context. Everything a handler touches (the event object, `linkTo`, `emit`, `log`, the
 * state) is therefore an object of that context: no object of the server's realm is handed in.
 * The host talks to it only through strings (JSON in, JSON out) via `globalThis.__host`.
 *
 * Definition phase: `fromAll()`, `fromStream(s)`, `fromStreams(...)`, `fromCategory(...)`,
 * `options({...})`, then `.when({...})`, `.outputState()`, `.transformBy(f)`, `.filterBy(f)`.
 * Features the stand-in does not run (`foreachStream`, `partitionBy`, `outputTo`, `$initShared`,
 * `$created`, `$deleted`, `$includeLinks`, `biState`) are recorded as `unsupported` so Create can
 * refuse them. After `__host.definition()` the definition functions are removed and `emit`,
 * `linkTo`, `copyTo` appear, as on EventStoreDB.
 */
export const PROJECTION_BOOTSTRAP = `
'use strict';
(() => {
  const g = globalThis;
  const def = { source: null, handlers: Object.create(null), any: null, init: null,
    outputState: false, transforms: [], unsupported: null };
  let state;
  let emitted = [];
  let logs = [];
  const unsupported = (what) => { if (def.unsupported === null) def.unsupported = what; };
  const nullArgument = (name) => new Error("Value cannot be null. (Parameter '" + name + "')");
  const builder = {};
  builder.when = (handlers) => {
    if (handlers !== null && typeof handlers === 'object') {
      for (const key of Object.keys(handlers)) {
        const handler = handlers[key];
        if (typeof handler !== 'function') continue;
        if (key === '$init') def.init = handler;
        else if (key === '$any') def.any = handler;
        else if (key === '$initShared' || key === '$created' || key === '$deleted') unsupported(key + ' handlers');
        else def.handlers[key] = handler;
      }
    }
    return builder;
  };
  builder.outputState = () => { def.outputState = true; return builder; };
  const transform = (kind) => (f) => {
    if (typeof f !== 'function') throw new Error('expected function');
    def.transforms.push([kind, f]);
    def.outputState = true;
    return builder;
  };
  builder.transformBy = transform('transform');
  builder.filterBy = transform('filter');
  builder.foreachStream = () => { unsupported('foreachStream()'); return builder; };
  builder.partitionBy = () => { unsupported('partitionBy()'); return builder; };
  builder.outputTo = () => { unsupported('outputTo()'); return builder; };
  const from = (source) => {
    if (def.source !== null) unsupported('more than one source selection');
    def.source = source;
    return builder;
  };
  const names = (args, what) => {
    const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
    for (const name of list) if (typeof name !== 'string') throw new Error(what);
    return [...list];
  };
  const definitionFunctions = {
    fromAll: () => from({ kind: 'all' }),
    fromStream: (stream) => {
      if (typeof stream !== 'string') throw new Error('stream');
      return from({ kind: 'streams', names: [stream] });
    },
    fromStreams: (...args) => from({ kind: 'streams', names: names(args, 'streams') }),
    fromCategory: (...args) => from({ kind: 'category', names: names(args, 'categories') }),
    fromCategories: (...args) => from({ kind: 'category', names: names(args, 'categories') }),
    options: (opts) => {
      if (opts === null || typeof opts !== 'object') return;
      for (const key of Object.keys(opts)) {
        const value = opts[key];
        if (key === '$includeLinks' || key === 'biState') { if (value === true) unsupported(key); }
        else if (key === 'resultStreamName') unsupported(key);
        else if (key !== 'reorderEvents' && key !== 'processingLag') throw new Error('Unrecognized option: ' + key);
      }
    },
    on_event: () => unsupported('on_event()'),
    on_any: () => unsupported('on_any()'),
  };
  for (const key of Object.keys(definitionFunctions)) g[key] = definitionFunctions[key];
  const text = (value) => (value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value));
  g.log = (...args) => { if (logs.length < 100) logs.push(args.map(text).join(' ')); };

  const checkString = (value, name) => {
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (value === null || value === undefined || typeof value === 'string') throw nullArgument(name);
    throw new Error("string expected (Parameter '" + name + "')");
  };
  const checkObject = (value, name) => {
    if (value === null || value === undefined) throw nullArgument(name);
    if (typeof value !== 'object') throw new Error("object expected (Parameter '" + name + "')");
    return value;
  };
  const extraMetadata = (value, name) => {
    const metadata = checkObject(value, name);
    const extra = {};
    for (const key of Object.keys(metadata)) if (metadata[key] !== undefined) extra[key] = metadata[key];
    return extra;
  };
  const emit = function (stream, eventType, body, metadata) {
    if (arguments.length < 3) throw new Error('invalid number of parameters');
    const out = { kind: 'event', stream: checkString(stream, 'streamId'),
      type: checkString(eventType, 'eventName'), data: JSON.stringify(checkObject(body, 'eventBody')) };
    if (arguments.length >= 4) {
      if (metadata === null || typeof metadata !== 'object') throw new Error("object expected (Parameter 'metadata')");
      out.metadata = extraMetadata(metadata, 'metadata');
    }
    emitted.push(out);
  };
  const linkTo = function (stream, event, metadata) {
    if (arguments.length !== 2 && arguments.length !== 3) throw new Error('wrong number of parameters');
    const out = { kind: 'link', stream: checkString(stream, 'streamId') };
    const source = checkObject(event, 'event');
    if (typeof source.sequenceNumber !== 'number' || typeof source.streamId !== 'string') {
      throw new Error('Invalid link to event ' + source.sequenceNumber + '@' + source.streamId);
    }
    out.target = Math.trunc(source.sequenceNumber) + '@' + source.streamId;
    if (arguments.length === 3) out.metadata = extraMetadata(metadata, 'metaData');
    emitted.push(out);
  };
  const parse = (raw) => {
    if (typeof raw !== 'string' || raw.trim() === '') return undefined;
    try { return JSON.parse(raw); } catch { return undefined; }
  };
  const envelope = (input) => {
    const ev = {
      isJson: input.isJson, bodyRaw: input.bodyRaw, metadataRaw: input.metadataRaw,
      streamId: input.streamId, eventId: input.eventId, eventType: input.eventType,
      sequenceNumber: input.sequenceNumber, partition: '', category: input.category,
    };
    if (input.isJson) { ev.body = parse(input.bodyRaw); ev.data = ev.body; }
    ev.metadata = parse(input.metadataRaw);
    if (input.linkMetadataRaw !== undefined) {
      ev.linkMetadataRaw = input.linkMetadataRaw;
      ev.linkMetadata = parse(input.linkMetadataRaw);
    }
    return ev;
  };
  const serialize = (value) => (value === null || value === undefined ? null : JSON.stringify(value));

  Object.defineProperty(g, '__host', { value: Object.freeze({
    definition() {
      for (const key of Object.keys(definitionFunctions)) delete g[key];
      g.emit = emit;
      g.linkTo = linkTo;
      g.copyTo = () => undefined;
      g.linkStreamTo = () => { throw new Error('linkStreamTo is not supported by the stand-in'); };
      return JSON.stringify({ source: def.source, eventTypes: Object.keys(def.handlers),
        any: def.any !== null, outputState: def.outputState, unsupported: def.unsupported });
    },
    initialize() { state = def.init !== null ? def.init() : {}; },
    load(json) { state = JSON.parse(json).state; },
    handle(json) {
      const input = JSON.parse(json);
      emitted = [];
      const handler = Object.prototype.hasOwnProperty.call(def.handlers, input.eventType)
        ? def.handlers[input.eventType] : def.any;
      const next = handler !== null ? handler(state, envelope(input)) : input.bodyRaw;
      if (next !== undefined) state = next;
      return JSON.stringify(emitted);
    },
    checkpoint() { return JSON.stringify({ state: state === undefined ? null : state }); },
    state() { return typeof state === 'string' ? state : serialize(state); },
    result() {
      let result = state;
      for (const [kind, f] of def.transforms) {
        if (kind === 'transform') result = f(result);
        else if (f(result) !== true) return null;
        if (result === null || result === undefined) return null;
      }
      return typeof result === 'string' ? result : serialize(result);
    },
    logs() { const out = logs; logs = []; return JSON.stringify(out); },
  }) });
})();
`;
