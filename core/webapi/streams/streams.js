// The WHATWG Streams Standard (https://streams.spec.whatwg.org/) for goja,
// written from the specification's algorithms. It is compiled once per
// process and evaluated once per runtime, both when a runtime first uses
// streams (see Install in streams.go): the program evaluates to a function
// that takes the Go-provided helpers (`native`) and the intrinsics captured
// at start (intrinsics.js), and returns the public classes (`globals`) plus
// the internal operations other families (fetch, compression) use.
//
// Conventions:
//   - Public objects (ReadableStream, readers, controllers...) hold their state
//     in one private field that points at a plain internal record. Abstract
//     operations take and return records; `pub` on a record is its public
//     object. Private fields give WebIDL brand checks for free.
//   - Every intrinsic the algorithms use is captured when the runtime is
//     created (intrinsics.js), before user code, so patching Promise.prototype.then or the stream
//     prototypes cannot change how streams behave internally.
//   - Names follow the specification's abstract operations in camelCase, so a
//     reader can put this file next to the standard.
(function (native, intrinsics) {
'use strict';

// ---- captured intrinsics ----
// intrinsics.js captured them when the runtime was created, before user code:
// this script runs on first use, perhaps after user code patched them.

const {
  PromiseC, TypeErrorC, RangeErrorC, ObjectC, ArrayBufferC, Uint8ArrayC, DataViewC, SymbolC, NumberC,
  MathMin, MathTrunc, isView, defineProperty, getOwnPropertyDescriptor, ownKeys, setPrototypeOf, uncurry,
  promiseThen, promiseResolveFn, promiseRejectFn, abSlice, abByteLength, u8Set, typedArrayTag,
  asyncIteratorSym, iteratorSym, toStringTagSym, AbortSignalC, structuredCloneFn, AbortControllerC, freeze,
  TextEncoderC, TextDecoderC, encodeFn, decodeFn, decoderEncoding, decoderFatal, decoderIgnoreBOM,
} = intrinsics;

const kInternal = SymbolC('internal');
const noop = () => {};

// ---- promises ----

function resolvedPromise(v) { return promiseResolveFn.call(PromiseC, v); }
function rejectedPromise(e) { return promiseRejectFn.call(PromiseC, e); }
// One promise resolved with undefined serves every internal "promise
// resolved with undefined" that only gets reacted to: which promise object it
// is cannot be observed, and it saves an allocation per chunk.
const sharedResolved = uncurry(promiseResolveFn)(PromiseC, undefined);
const resolvedUndefined = () => sharedResolved;
// resolvedFromCallback is "a promise resolved with" a callback's result, for
// results only reacted to internally.
function resolvedFromCallback(v) {
  if (v === undefined) return sharedResolved;
  return promiseResolveFn.call(PromiseC, v);
}
function setHandled(p) { promiseThen(p, undefined, noop); }
function uponPromise(p, onFulfilled, onRejected) { promiseThen(p, onFulfilled, onRejected); }
function transformPromise(p, onFulfilled, onRejected) { return promiseThen(p, onFulfilled, onRejected); }
function queueMicrotaskP(fn) { promiseThen(resolvedUndefined(), fn); }

// capture is the one executor every internal promise uses: it leaves the
// resolving functions in capturedRes/capturedRej (saves a closure per promise).
let capturedRes, capturedRej;
function capture(res, rej) { capturedRes = res; capturedRej = rej; }

// Deferred is a promise with its resolving functions and its state, for the
// promises the standard inspects ("if promise is pending").
class Deferred {
  constructor() {
    this.state = 0; // 0 pending, 1 fulfilled, 2 rejected
    this.promise = new PromiseC(capture);
    this.res = capturedRes;
    this.rej = capturedRej;
  }
  resolve(v) { if (this.state === 0) { this.state = 1; this.res(v); } }
  reject(e) { if (this.state === 0) { this.state = 2; this.rej(e); } }
}
function resolvedDeferred(v) { const d = new Deferred(); d.resolve(v); return d; }
function rejectedDeferred(e) { const d = new Deferred(); d.reject(e); setHandled(d.promise); return d; }

// promiseCall invokes a WebIDL callback that returns a promise: a throw
// becomes a rejected promise and the result is resolved into one.
function promiseCall0(fn, thisArg) {
  try { return resolvedFromCallback(fn.call(thisArg)); } catch (e) { return rejectedPromise(e); }
}
function promiseCall1(fn, thisArg, a) {
  try { return resolvedFromCallback(fn.call(thisArg, a)); } catch (e) { return rejectedPromise(e); }
}
function promiseCall2(fn, thisArg, a, b) {
  try { return resolvedFromCallback(fn.call(thisArg, a, b)); } catch (e) { return rejectedPromise(e); }
}

// waitForAll resolves when every promise fulfills and rejects with the first
// rejection, without touching the (patchable) Promise.all.
function waitForAll(promises) {
  const d = new Deferred();
  let left = promises.length;
  if (left === 0) { d.resolve(undefined); return d.promise; }
  for (let i = 0; i < promises.length; i++) {
    uponPromise(promises[i], () => { if (--left === 0) d.resolve(undefined); }, e => d.reject(e));
  }
  return d.promise;
}

// ---- small utilities ----

// Queue is a FIFO with O(1) shift.
class Queue {
  constructor() { this.items = []; this.head = 0; }
  get size() { return this.items.length - this.head; }
  push(x) { this.items.push(x); }
  peek() { return this.items[this.head]; }
  shift() {
    const items = this.items;
    const x = items[this.head];
    items[this.head++] = undefined;
    if (this.head === items.length) { this.items = []; this.head = 0; }
    else if (this.head > 512 && this.head * 2 > items.length) { this.items = items.slice(this.head); this.head = 0; }
    return x;
  }
  clear() { this.items = []; this.head = 0; }
}

function isObject(v) { return (typeof v === 'object' && v !== null) || typeof v === 'function'; }
function typeError(msg) { return new TypeErrorC(msg); }
function rangeError(msg) { return new RangeErrorC(msg); }

function isDetached(ab) { return native.isDetached(ab); }
// transferArrayBuffer detaches ab and returns a new ArrayBuffer over the
// same memory (zero copy).
function transferArrayBuffer(ab) { return native.transfer(ab); }
function canTransferArrayBuffer(ab) { return !isDetached(ab); }
function cloneArrayBuffer(ab, offset, length) { return abSlice(ab, offset, offset + length); }
function copyDataBlockBytes(dest, destOffset, src, srcOffset, n) {
  u8Set(new Uint8ArrayC(dest, destOffset, n), new Uint8ArrayC(src, srcOffset, n));
}
function isArrayBuffer(v) { return native.isArrayBuffer(v); }
// isDataView tells a DataView from a typed array (both are ArrayBufferViews).
function isDataView(v) { return typedArrayTag(v) === undefined; }

function isNonNegativeNumber(v) { return typeof v === 'number' && !(v < 0) && v === v; }

// ---- WebIDL conversions ----

function dictionary(v, what) {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw typeError(`${what} must be an object`);
  return v;
}
function callbackMember(dict, name, what) {
  const f = dict === undefined ? undefined : dict[name];
  if (f === undefined) return undefined;
  if (typeof f !== 'function') throw typeError(`${what}: '${name}' must be a function`);
  return f;
}
function enforceRangeULL(v, what) {
  let x = +v;
  if (x !== x || x === Infinity || x === -Infinity) throw typeError(`${what} must be a finite number`);
  x = MathTrunc(x);
  if (x < 0 || x > NumberC.MAX_SAFE_INTEGER) throw typeError(`${what} is outside the accepted range`);
  return x + 0; // -0 → 0
}
function convertStrategy(v, what) {
  const d = dictionary(v, `${what}: the queuing strategy`);
  const out = { highWaterMark: undefined, size: undefined };
  if (d === undefined) return out;
  const hwm = d.highWaterMark;
  if (hwm !== undefined) out.highWaterMark = +hwm;
  out.size = callbackMember(d, 'size', `${what}: the queuing strategy`);
  return out;
}
function extractHighWaterMark(strategy, defaultHWM) {
  const hwm = strategy.highWaterMark;
  if (hwm === undefined) return defaultHWM;
  if (hwm !== hwm || hwm < 0) throw rangeError('The highWaterMark must be a non-negative number');
  return hwm;
}
function extractSizeAlgorithm(strategy) {
  const size = strategy.size;
  if (size === undefined) return sizeOne;
  return chunk => +size.call(undefined, chunk);
}
const sizeOne = () => 1;

function isAbortSignal(v) {
  if (!isObject(v)) return false;
  if (typeof AbortSignalC === 'function' && v instanceof AbortSignalC) return true;
  return 'aborted' in v && typeof v.addEventListener === 'function';
}
function addAbortAlgorithm(signal, fn) { signal.addEventListener('abort', fn); }
function removeAbortAlgorithm(signal, fn) {
  if (typeof signal.removeEventListener === 'function') signal.removeEventListener('abort', fn);
}

// ---- queue-with-sizes ----

// The queue is a linked list of {value, size, next} entries.
function dequeueValue(c) {
  const q = c.queue;
  const entry = q.head;
  q.head = entry.next;
  if (q.head === null) q.tail = null;
  q.size--;
  c.queueTotalSize -= entry.size;
  if (c.queueTotalSize < 0) c.queueTotalSize = 0; // rounding
  return entry.value;
}
function enqueueValueWithSize(c, value, size) {
  if (size !== 1) {
    if (!isNonNegativeNumber(size)) throw rangeError('The size of a chunk must be a non-negative number');
    if (size === Infinity) throw rangeError('The size of a chunk cannot be Infinity');
  }
  const entry = { value, size, next: null };
  const q = c.queue;
  if (q.tail === null) q.head = entry;
  else q.tail.next = entry;
  q.tail = entry;
  q.size++;
  c.queueTotalSize += size;
}
function peekQueueValue(c) { return c.queue.head.value; }
function resetQueue(c) { c.queue = c.isByte === true ? new Queue() : new SizedQueue(); c.queueTotalSize = 0; }
class SizedQueue {
  constructor() { this.head = null; this.tail = null; this.size = 0; }
}

// ---- WebIDL shape of the public classes ----

function webidlClass(C, name, length, { noConstructor } = {}) {
  // Indexed loops: for-of would use the (patchable) array iterator.
  const proto = C.prototype;
  const protoKeys = ownKeys(proto);
  for (let i = 0; i < protoKeys.length; i++) {
    const key = protoKeys[i];
    if (key === 'constructor' || typeof key === 'symbol') continue;
    const d = getOwnPropertyDescriptor(proto, key);
    d.enumerable = true;
    defineProperty(proto, key, d);
  }
  const ctorKeys = ownKeys(C);
  for (let i = 0; i < ctorKeys.length; i++) {
    const key = ctorKeys[i];
    if (key === 'prototype' || key === 'length' || key === 'name' || typeof key === 'symbol') continue;
    const d = getOwnPropertyDescriptor(C, key);
    d.enumerable = true;
    defineProperty(C, key, d);
  }
  defineProperty(proto, toStringTagSym, { value: name, writable: false, enumerable: false, configurable: true });
  defineProperty(C, 'length', { value: length, writable: false, enumerable: false, configurable: true });
  return C;
}
function illegalConstructor() { return typeError('Illegal constructor'); }

// =====================================================================
// ReadableStream: internal records and abstract operations
// =====================================================================

class RStream {
  constructor() {
    this.state = 'readable';
    this.reader = undefined;
    this.storedError = undefined;
    this.disturbed = false;
    this.controller = undefined;
    this.pub = undefined;
    // Set by Ferry for streams over Go data (see native.goStream).
    this.go = undefined;
    // FixedLengthStream's readable side knows its length.
    this.expectedLength = undefined;
  }
}

class RReader {
  constructor(byob) {
    this.byob = byob;
    this.stream = undefined;
    this.closed = undefined; // Deferred
    this.requests = new Queue(); // read requests or read-into requests
    this.pub = undefined;
  }
}

// A read request whose steps settle a promise, as reader.read() uses.
class PromiseReadRequest {
  constructor() { this.promise = new PromiseC(capture); this.res = capturedRes; this.rej = capturedRej; }
  chunkSteps(chunk) { this.res({ value: chunk, done: false }); }
  closeSteps(chunk) { this.res({ value: chunk, done: true }); }
  errorSteps(e) { this.rej(e); }
}

function initializeReadableStream(stream) {
  stream.state = 'readable';
  stream.reader = undefined;
  stream.storedError = undefined;
  stream.disturbed = false;
}

function createReadableStream(startAlgorithm, pullAlgorithm, cancelAlgorithm, highWaterMark = 1, sizeAlgorithm = sizeOne) {
  const stream = new RStream();
  new ReadableStream(kInternal, stream);
  const controller = new RSDController();
  setUpReadableStreamDefaultController(stream, controller, startAlgorithm, pullAlgorithm, cancelAlgorithm, highWaterMark, sizeAlgorithm);
  return stream;
}

function createReadableByteStream(startAlgorithm, pullAlgorithm, cancelAlgorithm, highWaterMark = 0, autoAllocateChunkSize = undefined) {
  const stream = new RStream();
  new ReadableStream(kInternal, stream);
  const controller = new RBSController();
  setUpReadableByteStreamController(stream, controller, startAlgorithm, pullAlgorithm, cancelAlgorithm, highWaterMark, autoAllocateChunkSize);
  return stream;
}

// LazyGo stands in for the internals of a stream over Go data until JS
// looks inside it. Most such streams (Response.body handed straight to
// new Response(), a body Go reads back itself) are never read from JS, and
// building a byte stream with its controller and start promise costs more
// than the rest of a small request. goTake and state answer from the record;
// anything else goes through rsOf, which materializes the stream first.
class LazyGo {
  constructor(handle) { this.handle = handle; this.taken = false; this.pub = undefined; }
}

function materializeGo(pub, lazy) {
  const h = lazy.handle;
  const s = new RStream();
  s.pub = pub;
  setRS(pub, s);
  const controller = new RBSController();
  setUpReadableByteStreamController(s, controller, noop, () => native.goPull(h),
    reason => { native.goCancel(h, reason); return resolvedUndefined(); }, 0, undefined);
  if (lazy.taken) {
    acquireReadableStreamDefaultReader(s);
    s.disturbed = true;
  } else {
    s.go = h;
  }
  return s;
}

function isReadableStreamLocked(stream) { return stream.reader !== undefined; }

function acquireReadableStreamDefaultReader(stream) {
  const reader = new RReader(false);
  setUpReadableStreamDefaultReader(reader, stream);
  return reader;
}
function acquireReadableStreamBYOBReader(stream) {
  const reader = new RReader(true);
  setUpReadableStreamBYOBReader(reader, stream);
  return reader;
}

function readableStreamCancel(stream, reason) {
  stream.disturbed = true;
  if (stream.state === 'closed') return resolvedPromise(undefined);
  if (stream.state === 'errored') return rejectedPromise(stream.storedError);
  readableStreamClose(stream);
  const reader = stream.reader;
  if (reader !== undefined && reader.byob) {
    const requests = reader.requests;
    reader.requests = new Queue();
    while (requests.size > 0) requests.shift().closeSteps(undefined);
  }
  const sourceCancelPromise = stream.controller.cancelSteps(reason);
  return transformPromise(sourceCancelPromise, noop);
}

function readableStreamClose(stream) {
  stream.state = 'closed';
  const reader = stream.reader;
  if (reader === undefined) return;
  reader.closed.resolve(undefined);
  if (!reader.byob) {
    const requests = reader.requests;
    reader.requests = new Queue();
    while (requests.size > 0) requests.shift().closeSteps();
  }
}

function readableStreamError(stream, e) {
  stream.state = 'errored';
  stream.storedError = e;
  const reader = stream.reader;
  if (reader === undefined) return;
  reader.closed.reject(e);
  setHandled(reader.closed.promise);
  readerErrorRequests(reader, e);
}

function readerErrorRequests(reader, e) {
  const requests = reader.requests;
  reader.requests = new Queue();
  while (requests.size > 0) requests.shift().errorSteps(e);
}

function readableStreamAddReadRequest(stream, readRequest) { stream.reader.requests.push(readRequest); }
const readableStreamAddReadIntoRequest = readableStreamAddReadRequest;

function readableStreamFulfillReadRequest(stream, chunk, done) {
  const readRequest = stream.reader.requests.shift();
  if (done) readRequest.closeSteps();
  else readRequest.chunkSteps(chunk);
}
function readableStreamFulfillReadIntoRequest(stream, chunk, done) {
  const readIntoRequest = stream.reader.requests.shift();
  if (done) readIntoRequest.closeSteps(chunk);
  else readIntoRequest.chunkSteps(chunk);
}
function readableStreamGetNumReadRequests(stream) { return stream.reader.requests.size; }
const readableStreamGetNumReadIntoRequests = readableStreamGetNumReadRequests;
function readableStreamHasDefaultReader(stream) { return stream.reader !== undefined && !stream.reader.byob; }
function readableStreamHasBYOBReader(stream) { return stream.reader !== undefined && stream.reader.byob; }

// ---- readers ----

function readableStreamReaderGenericInitialize(reader, stream) {
  reader.stream = stream;
  stream.reader = reader;
  if (stream.state === 'readable') reader.closed = new Deferred();
  else if (stream.state === 'closed') reader.closed = resolvedDeferred(undefined);
  else reader.closed = rejectedDeferred(stream.storedError);
}

function readableStreamReaderGenericCancel(reader, reason) {
  return readableStreamCancel(reader.stream, reason);
}

function readableStreamReaderGenericRelease(reader) {
  const stream = reader.stream;
  const e = typeError('This reader was released: its lock on the stream is gone');
  if (stream.state === 'readable') reader.closed.reject(e);
  else reader.closed = rejectedDeferred(e);
  setHandled(reader.closed.promise);
  stream.controller.releaseSteps();
  stream.reader = undefined;
  reader.stream = undefined;
}

function readableStreamDefaultReaderRelease(reader) {
  readableStreamReaderGenericRelease(reader);
  readerErrorRequests(reader, typeError('The reader was released while a read was pending'));
}
const readableStreamBYOBReaderRelease = readableStreamDefaultReaderRelease;

function setUpReadableStreamDefaultReader(reader, stream) {
  if (isReadableStreamLocked(stream)) throw typeError('This ReadableStream is currently locked to a reader.');
  readableStreamReaderGenericInitialize(reader, stream);
  reader.requests = new Queue();
}

function setUpReadableStreamBYOBReader(reader, stream) {
  if (isReadableStreamLocked(stream)) throw typeError('This ReadableStream is currently locked to a reader.');
  if (!stream.controller.isByte) throw typeError('A BYOB reader needs a byte stream (a ReadableStream with type: "bytes")');
  readableStreamReaderGenericInitialize(reader, stream);
  reader.requests = new Queue();
}

function readableStreamDefaultReaderRead(reader, readRequest) {
  const stream = reader.stream;
  stream.disturbed = true;
  if (stream.state === 'closed') readRequest.closeSteps();
  else if (stream.state === 'errored') readRequest.errorSteps(stream.storedError);
  else stream.controller.pullSteps(readRequest);
}

function readableStreamBYOBReaderRead(reader, view, min, readIntoRequest) {
  const stream = reader.stream;
  stream.disturbed = true;
  if (stream.state === 'errored') readIntoRequest.errorSteps(stream.storedError);
  else readableByteStreamControllerPullInto(stream.controller, view, min, readIntoRequest);
}

// =====================================================================
// ReadableStreamDefaultController
// =====================================================================

class RSDController {
  constructor() {
    this.isByte = false;
    this.stream = undefined;
    this.queue = new SizedQueue();
    this.queueTotalSize = 0;
    this.started = false;
    this.closeRequested = false;
    this.pullAgain = false;
    this.pulling = false;
    this.strategySizeAlgorithm = undefined;
    this.strategyHWM = 0;
    this.pullAlgorithm = undefined;
    this.cancelAlgorithm = undefined;
    this.pub = undefined;
  }
  cancelSteps(reason) {
    resetQueue(this);
    const result = this.cancelAlgorithm(reason);
    readableStreamDefaultControllerClearAlgorithms(this);
    return result;
  }
  pullSteps(readRequest) {
    const stream = this.stream;
    if (this.queue.size > 0) {
      const chunk = dequeueValue(this);
      if (this.closeRequested && this.queue.size === 0) {
        readableStreamDefaultControllerClearAlgorithms(this);
        readableStreamClose(stream);
      } else {
        readableStreamDefaultControllerCallPullIfNeeded(this);
      }
      readRequest.chunkSteps(chunk);
    } else {
      readableStreamAddReadRequest(stream, readRequest);
      readableStreamDefaultControllerCallPullIfNeeded(this);
    }
  }
  releaseSteps() {}
}

function readableStreamDefaultControllerCallPullIfNeeded(c) {
  if (!readableStreamDefaultControllerShouldCallPull(c)) return;
  if (c.pulling) { c.pullAgain = true; return; }
  c.pulling = true;
  uponPromise(c.pullAlgorithm(), () => {
    c.pulling = false;
    if (c.pullAgain) {
      c.pullAgain = false;
      readableStreamDefaultControllerCallPullIfNeeded(c);
    }
  }, e => { readableStreamDefaultControllerError(c, e); });
}

function readableStreamDefaultControllerShouldCallPull(c) {
  const stream = c.stream;
  if (!readableStreamDefaultControllerCanCloseOrEnqueue(c)) return false;
  if (!c.started) return false;
  if (isReadableStreamLocked(stream) && readableStreamGetNumReadRequests(stream) > 0) return true;
  return readableStreamDefaultControllerGetDesiredSize(c) > 0;
}

function readableStreamDefaultControllerClearAlgorithms(c) {
  c.pullAlgorithm = undefined;
  c.cancelAlgorithm = undefined;
  c.strategySizeAlgorithm = undefined;
}

function readableStreamDefaultControllerClose(c) {
  if (!readableStreamDefaultControllerCanCloseOrEnqueue(c)) return;
  c.closeRequested = true;
  if (c.queue.size === 0) {
    readableStreamDefaultControllerClearAlgorithms(c);
    readableStreamClose(c.stream);
  }
}

function readableStreamDefaultControllerEnqueue(c, chunk) {
  if (!readableStreamDefaultControllerCanCloseOrEnqueue(c)) return;
  const stream = c.stream;
  if (stream.reader !== undefined && stream.reader.requests.size > 0) {
    readableStreamFulfillReadRequest(stream, chunk, false);
  } else {
    let chunkSize = 1;
    const sizeAlgorithm = c.strategySizeAlgorithm;
    if (sizeAlgorithm !== sizeOne) {
      try {
        chunkSize = sizeAlgorithm(chunk);
      } catch (e) {
        readableStreamDefaultControllerError(c, e);
        throw e;
      }
    }
    try {
      enqueueValueWithSize(c, chunk, chunkSize);
    } catch (e) {
      readableStreamDefaultControllerError(c, e);
      throw e;
    }
  }
  readableStreamDefaultControllerCallPullIfNeeded(c);
}

function readableStreamDefaultControllerError(c, e) {
  const stream = c.stream;
  if (stream.state !== 'readable') return;
  resetQueue(c);
  readableStreamDefaultControllerClearAlgorithms(c);
  readableStreamError(stream, e);
}

function readableStreamDefaultControllerGetDesiredSize(c) {
  const state = c.stream.state;
  if (state === 'errored') return null;
  if (state === 'closed') return 0;
  return c.strategyHWM - c.queueTotalSize;
}

function readableStreamDefaultControllerHasBackpressure(c) {
  return !readableStreamDefaultControllerShouldCallPull(c);
}

function readableStreamDefaultControllerCanCloseOrEnqueue(c) {
  return !c.closeRequested && c.stream.state === 'readable';
}

function setUpReadableStreamDefaultController(stream, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, highWaterMark, sizeAlgorithm) {
  c.stream = stream;
  resetQueue(c);
  c.started = false;
  c.closeRequested = false;
  c.pullAgain = false;
  c.pulling = false;
  c.strategySizeAlgorithm = sizeAlgorithm;
  c.strategyHWM = highWaterMark;
  c.pullAlgorithm = pullAlgorithm;
  c.cancelAlgorithm = cancelAlgorithm;
  stream.controller = c;
  const startResult = startAlgorithm();
  uponPromise(resolvedPromise(startResult), () => {
    c.started = true;
    readableStreamDefaultControllerCallPullIfNeeded(c);
  }, r => { readableStreamDefaultControllerError(c, r); });
}

function setUpReadableStreamDefaultControllerFromUnderlyingSource(stream, underlyingSource, src, highWaterMark, sizeAlgorithm) {
  const c = new RSDController();
  const pub = new ReadableStreamDefaultController(kInternal, c);
  let startAlgorithm = noop;
  let pullAlgorithm = resolvedUndefined;
  let cancelAlgorithm = resolvedUndefined;
  if (src.start !== undefined) startAlgorithm = () => src.start.call(underlyingSource, pub);
  if (src.pull !== undefined) pullAlgorithm = () => promiseCall1(src.pull, underlyingSource, pub);
  if (src.cancel !== undefined) cancelAlgorithm = reason => promiseCall1(src.cancel, underlyingSource, reason);
  setUpReadableStreamDefaultController(stream, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, highWaterMark, sizeAlgorithm);
}

// =====================================================================
// ReadableByteStreamController
// =====================================================================

class RBSController {
  constructor() {
    this.isByte = true;
    this.stream = undefined;
    this.autoAllocateChunkSize = undefined;
    this.byobRequest = null; // record (RBYOBRequest) or null
    this.cancelAlgorithm = undefined;
    this.closeRequested = false;
    this.pullAgain = false;
    this.pullAlgorithm = undefined;
    this.pulling = false;
    this.pendingPullIntos = [];
    this.queue = new Queue(); // of {buffer, byteOffset, byteLength}
    this.queueTotalSize = 0;
    this.started = false;
    this.strategyHWM = 0;
    this.pub = undefined;
  }
  cancelSteps(reason) {
    readableByteStreamControllerClearPendingPullIntos(this);
    resetQueue(this);
    const result = this.cancelAlgorithm(reason);
    readableByteStreamControllerClearAlgorithms(this);
    return result;
  }
  pullSteps(readRequest) {
    const stream = this.stream;
    if (this.queueTotalSize > 0) {
      readableByteStreamControllerFillReadRequestFromQueue(this, readRequest);
      return;
    }
    const size = this.autoAllocateChunkSize;
    if (size !== undefined) {
      let buffer;
      try { buffer = new ArrayBufferC(size); } catch (e) { readRequest.errorSteps(e); return; }
      this.pendingPullIntos.push({
        buffer, bufferByteLength: size, byteOffset: 0, byteLength: size, bytesFilled: 0,
        minimumFill: 1, elementSize: 1, viewConstructor: Uint8ArrayC, readerType: 'default',
      });
    }
    readableStreamAddReadRequest(stream, readRequest);
    readableByteStreamControllerCallPullIfNeeded(this);
  }
  releaseSteps() {
    if (this.pendingPullIntos.length > 0) {
      const first = this.pendingPullIntos[0];
      first.readerType = 'none';
      this.pendingPullIntos = [first];
    }
  }
}

class RBYOBRequest {
  constructor() { this.controller = undefined; this.view = null; this.pub = undefined; }
}

function readableByteStreamControllerCallPullIfNeeded(c) {
  if (!readableByteStreamControllerShouldCallPull(c)) return;
  if (c.pulling) { c.pullAgain = true; return; }
  c.pulling = true;
  uponPromise(c.pullAlgorithm(), () => {
    c.pulling = false;
    if (c.pullAgain) {
      c.pullAgain = false;
      readableByteStreamControllerCallPullIfNeeded(c);
    }
  }, e => { readableByteStreamControllerError(c, e); });
}

function readableByteStreamControllerClearAlgorithms(c) {
  c.pullAlgorithm = undefined;
  c.cancelAlgorithm = undefined;
}

function readableByteStreamControllerClearPendingPullIntos(c) {
  readableByteStreamControllerInvalidateBYOBRequest(c);
  c.pendingPullIntos = [];
}

function readableByteStreamControllerClose(c) {
  const stream = c.stream;
  if (c.closeRequested || stream.state !== 'readable') return;
  if (c.queueTotalSize > 0) { c.closeRequested = true; return; }
  if (c.pendingPullIntos.length > 0) {
    const first = c.pendingPullIntos[0];
    if (first.bytesFilled % first.elementSize !== 0) {
      const e = typeError('Insufficient bytes to fill elements in the given buffer');
      readableByteStreamControllerError(c, e);
      throw e;
    }
  }
  readableByteStreamControllerClearAlgorithms(c);
  readableStreamClose(stream);
}

function readableByteStreamControllerCommitPullIntoDescriptor(stream, desc) {
  let done = false;
  if (stream.state === 'closed') done = true;
  const filledView = readableByteStreamControllerConvertPullIntoDescriptor(desc);
  if (desc.readerType === 'default') readableStreamFulfillReadRequest(stream, filledView, done);
  else readableStreamFulfillReadIntoRequest(stream, filledView, done);
}

function readableByteStreamControllerConvertPullIntoDescriptor(desc) {
  const buffer = transferArrayBuffer(desc.buffer);
  return new desc.viewConstructor(buffer, desc.byteOffset, desc.bytesFilled / desc.elementSize);
}

function readableByteStreamControllerEnqueue(c, chunk) {
  const stream = c.stream;
  if (c.closeRequested || stream.state !== 'readable') return;
  const buffer = chunk.buffer;
  const byteOffset = chunk.byteOffset;
  const byteLength = chunk.byteLength;
  if (isDetached(buffer)) throw typeError("The chunk's buffer is detached and so cannot be enqueued");
  const transferredBuffer = transferArrayBuffer(buffer);
  if (c.pendingPullIntos.length > 0) {
    const first = c.pendingPullIntos[0];
    if (isDetached(first.buffer)) throw typeError('The BYOB request\'s buffer has been detached and so cannot be filled with an enqueued chunk');
    readableByteStreamControllerInvalidateBYOBRequest(c);
    first.buffer = transferArrayBuffer(first.buffer);
    if (first.readerType === 'none') readableByteStreamControllerEnqueueDetachedPullIntoToQueue(c, first);
  }
  if (readableStreamHasDefaultReader(stream)) {
    readableByteStreamControllerProcessReadRequestsUsingQueue(c);
    if (readableStreamGetNumReadRequests(stream) === 0) {
      readableByteStreamControllerEnqueueChunkToQueue(c, transferredBuffer, byteOffset, byteLength);
    } else {
      if (c.pendingPullIntos.length > 0) readableByteStreamControllerShiftPendingPullInto(c);
      const transferredView = new Uint8ArrayC(transferredBuffer, byteOffset, byteLength);
      readableStreamFulfillReadRequest(stream, transferredView, false);
    }
  } else if (readableStreamHasBYOBReader(stream)) {
    readableByteStreamControllerEnqueueChunkToQueue(c, transferredBuffer, byteOffset, byteLength);
    const filled = readableByteStreamControllerProcessPullIntoDescriptorsUsingQueue(c);
    for (let i = 0; i < filled.length; i++) readableByteStreamControllerCommitPullIntoDescriptor(stream, filled[i]);
  } else {
    readableByteStreamControllerEnqueueChunkToQueue(c, transferredBuffer, byteOffset, byteLength);
  }
  readableByteStreamControllerCallPullIfNeeded(c);
}

function readableByteStreamControllerEnqueueChunkToQueue(c, buffer, byteOffset, byteLength) {
  c.queue.push({ buffer, byteOffset, byteLength });
  c.queueTotalSize += byteLength;
}

function readableByteStreamControllerEnqueueClonedChunkToQueue(c, buffer, byteOffset, byteLength) {
  let clone;
  try {
    clone = cloneArrayBuffer(buffer, byteOffset, byteLength);
  } catch (e) {
    readableByteStreamControllerError(c, e);
    throw e;
  }
  readableByteStreamControllerEnqueueChunkToQueue(c, clone, 0, byteLength);
}

function readableByteStreamControllerEnqueueDetachedPullIntoToQueue(c, desc) {
  if (desc.bytesFilled > 0) {
    readableByteStreamControllerEnqueueClonedChunkToQueue(c, desc.buffer, desc.byteOffset, desc.bytesFilled);
  }
  readableByteStreamControllerShiftPendingPullInto(c);
}

function readableByteStreamControllerError(c, e) {
  const stream = c.stream;
  if (stream.state !== 'readable') return;
  readableByteStreamControllerClearPendingPullIntos(c);
  resetQueue(c);
  readableByteStreamControllerClearAlgorithms(c);
  readableStreamError(stream, e);
}

function readableByteStreamControllerFillHeadPullIntoDescriptor(c, size, desc) {
  desc.bytesFilled += size;
}

function readableByteStreamControllerFillPullIntoDescriptorFromQueue(c, desc) {
  const maxBytesToCopy = MathMin(c.queueTotalSize, desc.byteLength - desc.bytesFilled);
  const maxBytesFilled = desc.bytesFilled + maxBytesToCopy;
  let totalBytesToCopyRemaining = maxBytesToCopy;
  let ready = false;
  const remainderBytes = maxBytesFilled % desc.elementSize;
  const maxAlignedBytes = maxBytesFilled - remainderBytes;
  if (maxAlignedBytes >= desc.minimumFill) {
    totalBytesToCopyRemaining = maxAlignedBytes - desc.bytesFilled;
    ready = true;
  }
  const queue = c.queue;
  while (totalBytesToCopyRemaining > 0) {
    const head = queue.peek();
    const bytesToCopy = MathMin(totalBytesToCopyRemaining, head.byteLength);
    const destStart = desc.byteOffset + desc.bytesFilled;
    copyDataBlockBytes(desc.buffer, destStart, head.buffer, head.byteOffset, bytesToCopy);
    if (head.byteLength === bytesToCopy) {
      queue.shift();
    } else {
      head.byteOffset += bytesToCopy;
      head.byteLength -= bytesToCopy;
    }
    c.queueTotalSize -= bytesToCopy;
    readableByteStreamControllerFillHeadPullIntoDescriptor(c, bytesToCopy, desc);
    totalBytesToCopyRemaining -= bytesToCopy;
  }
  return ready;
}

function readableByteStreamControllerFillReadRequestFromQueue(c, readRequest) {
  const entry = c.queue.shift();
  c.queueTotalSize -= entry.byteLength;
  readableByteStreamControllerHandleQueueDrain(c);
  const view = new Uint8ArrayC(entry.buffer, entry.byteOffset, entry.byteLength);
  readRequest.chunkSteps(view);
}

function readableByteStreamControllerGetBYOBRequest(c) {
  if (c.byobRequest === null && c.pendingPullIntos.length > 0) {
    const first = c.pendingPullIntos[0];
    const view = new Uint8ArrayC(first.buffer, first.byteOffset + first.bytesFilled, first.byteLength - first.bytesFilled);
    const req = new RBYOBRequest();
    new ReadableStreamBYOBRequest(kInternal, req);
    req.controller = c;
    req.view = view;
    c.byobRequest = req;
  }
  return c.byobRequest;
}

function readableByteStreamControllerGetDesiredSize(c) {
  const state = c.stream.state;
  if (state === 'errored') return null;
  if (state === 'closed') return 0;
  return c.strategyHWM - c.queueTotalSize;
}

function readableByteStreamControllerHandleQueueDrain(c) {
  if (c.queueTotalSize === 0 && c.closeRequested) {
    readableByteStreamControllerClearAlgorithms(c);
    readableStreamClose(c.stream);
  } else {
    readableByteStreamControllerCallPullIfNeeded(c);
  }
}

function readableByteStreamControllerInvalidateBYOBRequest(c) {
  if (c.byobRequest === null) return;
  c.byobRequest.controller = undefined;
  c.byobRequest.view = null;
  c.byobRequest = null;
}

function readableByteStreamControllerProcessPullIntoDescriptorsUsingQueue(c) {
  const filled = [];
  while (c.pendingPullIntos.length > 0) {
    if (c.queueTotalSize === 0) break;
    const desc = c.pendingPullIntos[0];
    if (readableByteStreamControllerFillPullIntoDescriptorFromQueue(c, desc)) {
      readableByteStreamControllerShiftPendingPullInto(c);
      filled.push(desc);
    }
  }
  return filled;
}

function readableByteStreamControllerProcessReadRequestsUsingQueue(c) {
  const reader = c.stream.reader;
  while (reader.requests.size > 0) {
    if (c.queueTotalSize === 0) return;
    const readRequest = reader.requests.shift();
    readableByteStreamControllerFillReadRequestFromQueue(c, readRequest);
  }
}

function readableByteStreamControllerPullInto(c, view, min, readIntoRequest) {
  const stream = c.stream;
  let elementSize = 1;
  let ctor = DataViewC;
  if (!isDataView(view)) {
    elementSize = view.BYTES_PER_ELEMENT;
    ctor = view.constructor;
  }
  const minimumFill = min * elementSize;
  const byteOffset = view.byteOffset;
  const byteLength = view.byteLength;
  let buffer;
  try {
    buffer = transferArrayBuffer(view.buffer);
  } catch (e) {
    readIntoRequest.errorSteps(e);
    return;
  }
  const desc = {
    buffer, bufferByteLength: abByteLength(buffer), byteOffset, byteLength, bytesFilled: 0,
    minimumFill, elementSize, viewConstructor: ctor, readerType: 'byob',
  };
  if (c.pendingPullIntos.length > 0) {
    c.pendingPullIntos.push(desc);
    readableStreamAddReadIntoRequest(stream, readIntoRequest);
    return;
  }
  if (stream.state === 'closed') {
    const emptyView = new ctor(desc.buffer, desc.byteOffset, 0);
    readIntoRequest.closeSteps(emptyView);
    return;
  }
  if (c.queueTotalSize > 0) {
    if (readableByteStreamControllerFillPullIntoDescriptorFromQueue(c, desc)) {
      const filledView = readableByteStreamControllerConvertPullIntoDescriptor(desc);
      readableByteStreamControllerHandleQueueDrain(c);
      readIntoRequest.chunkSteps(filledView);
      return;
    }
    if (c.closeRequested) {
      const e = typeError('Insufficient bytes to fill elements in the given buffer');
      readableByteStreamControllerError(c, e);
      readIntoRequest.errorSteps(e);
      return;
    }
  }
  c.pendingPullIntos.push(desc);
  readableStreamAddReadIntoRequest(stream, readIntoRequest);
  readableByteStreamControllerCallPullIfNeeded(c);
}

function readableByteStreamControllerRespond(c, bytesWritten) {
  const first = c.pendingPullIntos[0];
  const state = c.stream.state;
  if (state === 'closed') {
    if (bytesWritten !== 0) throw typeError('bytesWritten must be 0 when calling respond() on a closed stream');
  } else {
    if (bytesWritten === 0) throw typeError('bytesWritten must be greater than 0 when calling respond() on a readable stream');
    if (first.bytesFilled + bytesWritten > first.byteLength) throw rangeError('bytesWritten out of range');
  }
  first.buffer = transferArrayBuffer(first.buffer);
  readableByteStreamControllerRespondInternal(c, bytesWritten);
}

function readableByteStreamControllerRespondInClosedState(c, first) {
  if (first.readerType === 'none') readableByteStreamControllerShiftPendingPullInto(c);
  const stream = c.stream;
  if (readableStreamHasBYOBReader(stream)) {
    const filled = [];
    while (filled.length < readableStreamGetNumReadIntoRequests(stream)) {
      filled.push(readableByteStreamControllerShiftPendingPullInto(c));
    }
    for (let i = 0; i < filled.length; i++) readableByteStreamControllerCommitPullIntoDescriptor(stream, filled[i]);
  }
}

function readableByteStreamControllerRespondInReadableState(c, bytesWritten, desc) {
  readableByteStreamControllerFillHeadPullIntoDescriptor(c, bytesWritten, desc);
  if (desc.readerType === 'none') {
    readableByteStreamControllerEnqueueDetachedPullIntoToQueue(c, desc);
    const filled = readableByteStreamControllerProcessPullIntoDescriptorsUsingQueue(c);
    for (let i = 0; i < filled.length; i++) readableByteStreamControllerCommitPullIntoDescriptor(c.stream, filled[i]);
    return;
  }
  if (desc.bytesFilled < desc.minimumFill) return;
  readableByteStreamControllerShiftPendingPullInto(c);
  const remainderSize = desc.bytesFilled % desc.elementSize;
  if (remainderSize > 0) {
    const end = desc.byteOffset + desc.bytesFilled;
    readableByteStreamControllerEnqueueClonedChunkToQueue(c, desc.buffer, end - remainderSize, remainderSize);
  }
  desc.bytesFilled -= remainderSize;
  const filled = readableByteStreamControllerProcessPullIntoDescriptorsUsingQueue(c);
  readableByteStreamControllerCommitPullIntoDescriptor(c.stream, desc);
  for (let i = 0; i < filled.length; i++) readableByteStreamControllerCommitPullIntoDescriptor(c.stream, filled[i]);
}

function readableByteStreamControllerRespondInternal(c, bytesWritten) {
  const first = c.pendingPullIntos[0];
  readableByteStreamControllerInvalidateBYOBRequest(c);
  if (c.stream.state === 'closed') readableByteStreamControllerRespondInClosedState(c, first);
  else readableByteStreamControllerRespondInReadableState(c, bytesWritten, first);
  readableByteStreamControllerCallPullIfNeeded(c);
}

function readableByteStreamControllerRespondWithNewView(c, view) {
  const first = c.pendingPullIntos[0];
  const state = c.stream.state;
  if (state === 'closed') {
    if (view.byteLength !== 0) throw typeError("The view's length must be 0 when calling respondWithNewView() on a closed stream");
  } else if (view.byteLength === 0) {
    throw typeError("The view's length must be greater than 0 when calling respondWithNewView() on a readable stream");
  }
  if (first.byteOffset + first.bytesFilled !== view.byteOffset) throw rangeError('The region specified by view does not match byobRequest');
  if (first.bufferByteLength !== abByteLength(view.buffer)) throw rangeError('The buffer of view has different capacity than byobRequest');
  if (first.bytesFilled + view.byteLength > first.byteLength) throw rangeError('The region specified by view is larger than byobRequest');
  const viewByteLength = view.byteLength;
  first.buffer = transferArrayBuffer(view.buffer);
  readableByteStreamControllerRespondInternal(c, viewByteLength);
}

function readableByteStreamControllerShiftPendingPullInto(c) {
  return c.pendingPullIntos.shift();
}

function readableByteStreamControllerShouldCallPull(c) {
  const stream = c.stream;
  if (stream.state !== 'readable') return false;
  if (c.closeRequested) return false;
  if (!c.started) return false;
  if (readableStreamHasDefaultReader(stream) && readableStreamGetNumReadRequests(stream) > 0) return true;
  if (readableStreamHasBYOBReader(stream) && readableStreamGetNumReadIntoRequests(stream) > 0) return true;
  return readableByteStreamControllerGetDesiredSize(c) > 0;
}

function setUpReadableByteStreamController(stream, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, highWaterMark, autoAllocateChunkSize) {
  c.stream = stream;
  c.pullAgain = false;
  c.pulling = false;
  c.byobRequest = null;
  resetQueue(c);
  c.closeRequested = false;
  c.started = false;
  c.strategyHWM = highWaterMark;
  c.pullAlgorithm = pullAlgorithm;
  c.cancelAlgorithm = cancelAlgorithm;
  c.autoAllocateChunkSize = autoAllocateChunkSize;
  c.pendingPullIntos = [];
  stream.controller = c;
  const startResult = startAlgorithm();
  uponPromise(resolvedPromise(startResult), () => {
    c.started = true;
    readableByteStreamControllerCallPullIfNeeded(c);
  }, r => { readableByteStreamControllerError(c, r); });
}

function setUpReadableByteStreamControllerFromUnderlyingSource(stream, underlyingSource, src, highWaterMark) {
  const c = new RBSController();
  const pub = new ReadableByteStreamController(kInternal, c);
  let startAlgorithm = noop;
  let pullAlgorithm = resolvedUndefined;
  let cancelAlgorithm = resolvedUndefined;
  if (src.start !== undefined) startAlgorithm = () => src.start.call(underlyingSource, pub);
  if (src.pull !== undefined) pullAlgorithm = () => promiseCall1(src.pull, underlyingSource, pub);
  if (src.cancel !== undefined) cancelAlgorithm = reason => promiseCall1(src.cancel, underlyingSource, reason);
  const autoAllocateChunkSize = src.autoAllocateChunkSize;
  if (autoAllocateChunkSize === 0) throw typeError('autoAllocateChunkSize must be greater than 0');
  setUpReadableByteStreamController(stream, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, highWaterMark, autoAllocateChunkSize);
}

// =====================================================================
// tee
// =====================================================================

function readableStreamTee(stream, cloneForBranch2) {
  if (stream.controller.isByte) return readableByteStreamTee(stream);
  return readableStreamDefaultTee(stream, cloneForBranch2);
}

function readableStreamDefaultTee(stream, cloneForBranch2) {
  const reader = acquireReadableStreamDefaultReader(stream);
  let reading = false;
  let readAgain = false;
  let canceled1 = false;
  let canceled2 = false;
  let reason1, reason2, branch1, branch2;
  const cancelPromise = new Deferred();
  const readRequest = {
    chunkSteps(chunk) {
      queueMicrotaskP(() => {
        readAgain = false;
        const chunk1 = chunk;
        let chunk2 = chunk;
        if (!canceled2 && cloneForBranch2 && structuredCloneFn !== undefined) {
          try {
            chunk2 = structuredCloneFn(chunk2);
          } catch (e) {
            readableStreamDefaultControllerError(branch1.controller, e);
            readableStreamDefaultControllerError(branch2.controller, e);
            cancelPromise.resolve(readableStreamCancel(stream, e));
            return;
          }
        }
        if (!canceled1) readableStreamDefaultControllerEnqueue(branch1.controller, chunk1);
        if (!canceled2) readableStreamDefaultControllerEnqueue(branch2.controller, chunk2);
        reading = false;
        if (readAgain) pullAlgorithm();
      });
    },
    closeSteps() {
      reading = false;
      if (!canceled1) readableStreamDefaultControllerClose(branch1.controller);
      if (!canceled2) readableStreamDefaultControllerClose(branch2.controller);
      if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
    },
    errorSteps() { reading = false; },
  };
  function pullAlgorithm() {
    if (reading) { readAgain = true; return resolvedUndefined(); }
    reading = true;
    readableStreamDefaultReaderRead(reader, readRequest);
    return resolvedUndefined();
  }
  function cancel1Algorithm(reason) {
    canceled1 = true;
    reason1 = reason;
    if (canceled2) cancelPromise.resolve(readableStreamCancel(stream, [reason1, reason2]));
    return cancelPromise.promise;
  }
  function cancel2Algorithm(reason) {
    canceled2 = true;
    reason2 = reason;
    if (canceled1) cancelPromise.resolve(readableStreamCancel(stream, [reason1, reason2]));
    return cancelPromise.promise;
  }
  branch1 = createReadableStream(noop, pullAlgorithm, cancel1Algorithm);
  branch2 = createReadableStream(noop, pullAlgorithm, cancel2Algorithm);
  uponPromise(reader.closed.promise, undefined, r => {
    readableStreamDefaultControllerError(branch1.controller, r);
    readableStreamDefaultControllerError(branch2.controller, r);
    if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
  });
  return [branch1, branch2];
}

function cloneAsUint8Array(view) {
  const buffer = cloneArrayBuffer(view.buffer, view.byteOffset, view.byteLength);
  return new Uint8ArrayC(buffer);
}

function readableByteStreamTee(stream) {
  let reader = acquireReadableStreamDefaultReader(stream);
  let reading = false;
  let readAgainForBranch1 = false;
  let readAgainForBranch2 = false;
  let canceled1 = false;
  let canceled2 = false;
  let reason1, reason2, branch1, branch2;
  const cancelPromise = new Deferred();

  function forwardReaderError(thisReader) {
    uponPromise(thisReader.closed.promise, undefined, r => {
      if (thisReader !== reader) return;
      readableByteStreamControllerError(branch1.controller, r);
      readableByteStreamControllerError(branch2.controller, r);
      if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
    });
  }

  function pullWithDefaultReader() {
    if (reader.byob) {
      readableStreamBYOBReaderRelease(reader);
      reader = acquireReadableStreamDefaultReader(stream);
      forwardReaderError(reader);
    }
    const readRequest = {
      chunkSteps(chunk) {
        queueMicrotaskP(() => {
          readAgainForBranch1 = false;
          readAgainForBranch2 = false;
          let chunk1 = chunk;
          let chunk2 = chunk;
          if (!canceled1 && !canceled2) {
            try {
              chunk2 = cloneAsUint8Array(chunk);
            } catch (e) {
              readableByteStreamControllerError(branch1.controller, e);
              readableByteStreamControllerError(branch2.controller, e);
              cancelPromise.resolve(readableStreamCancel(stream, e));
              return;
            }
          }
          if (!canceled1) readableByteStreamControllerEnqueue(branch1.controller, chunk1);
          if (!canceled2) readableByteStreamControllerEnqueue(branch2.controller, chunk2);
          reading = false;
          if (readAgainForBranch1) pull1Algorithm();
          else if (readAgainForBranch2) pull2Algorithm();
        });
      },
      closeSteps() {
        reading = false;
        if (!canceled1) readableByteStreamControllerClose(branch1.controller);
        if (!canceled2) readableByteStreamControllerClose(branch2.controller);
        if (branch1.controller.pendingPullIntos.length > 0) readableByteStreamControllerRespond(branch1.controller, 0);
        if (branch2.controller.pendingPullIntos.length > 0) readableByteStreamControllerRespond(branch2.controller, 0);
        if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
      },
      errorSteps() { reading = false; },
    };
    readableStreamDefaultReaderRead(reader, readRequest);
  }

  function pullWithBYOBReader(view, forBranch2) {
    if (!reader.byob) {
      readableStreamDefaultReaderRelease(reader);
      reader = acquireReadableStreamBYOBReader(stream);
      forwardReaderError(reader);
    }
    const byobBranch = forBranch2 ? branch2 : branch1;
    const otherBranch = forBranch2 ? branch1 : branch2;
    const readIntoRequest = {
      chunkSteps(chunk) {
        queueMicrotaskP(() => {
          readAgainForBranch1 = false;
          readAgainForBranch2 = false;
          const byobCanceled = forBranch2 ? canceled2 : canceled1;
          const otherCanceled = forBranch2 ? canceled1 : canceled2;
          if (!otherCanceled) {
            let clonedChunk;
            try {
              clonedChunk = cloneAsUint8Array(chunk);
            } catch (e) {
              readableByteStreamControllerError(byobBranch.controller, e);
              readableByteStreamControllerError(otherBranch.controller, e);
              cancelPromise.resolve(readableStreamCancel(stream, e));
              return;
            }
            if (!byobCanceled) readableByteStreamControllerRespondWithNewView(byobBranch.controller, chunk);
            readableByteStreamControllerEnqueue(otherBranch.controller, clonedChunk);
          } else if (!byobCanceled) {
            readableByteStreamControllerRespondWithNewView(byobBranch.controller, chunk);
          }
          reading = false;
          if (readAgainForBranch1) pull1Algorithm();
          else if (readAgainForBranch2) pull2Algorithm();
        });
      },
      closeSteps(chunk) {
        reading = false;
        const byobCanceled = forBranch2 ? canceled2 : canceled1;
        const otherCanceled = forBranch2 ? canceled1 : canceled2;
        if (!byobCanceled) readableByteStreamControllerClose(byobBranch.controller);
        if (!otherCanceled) readableByteStreamControllerClose(otherBranch.controller);
        if (chunk !== undefined) {
          if (!byobCanceled) readableByteStreamControllerRespondWithNewView(byobBranch.controller, chunk);
          if (!otherCanceled && otherBranch.controller.pendingPullIntos.length > 0) {
            readableByteStreamControllerRespond(otherBranch.controller, 0);
          }
        }
        if (!byobCanceled || !otherCanceled) cancelPromise.resolve(undefined);
      },
      errorSteps() { reading = false; },
    };
    readableStreamBYOBReaderRead(reader, view, 1, readIntoRequest);
  }

  function pull1Algorithm() {
    if (reading) { readAgainForBranch1 = true; return resolvedUndefined(); }
    reading = true;
    const byobRequest = readableByteStreamControllerGetBYOBRequest(branch1.controller);
    if (byobRequest === null) pullWithDefaultReader();
    else pullWithBYOBReader(byobRequest.view, false);
    return resolvedUndefined();
  }
  function pull2Algorithm() {
    if (reading) { readAgainForBranch2 = true; return resolvedUndefined(); }
    reading = true;
    const byobRequest = readableByteStreamControllerGetBYOBRequest(branch2.controller);
    if (byobRequest === null) pullWithDefaultReader();
    else pullWithBYOBReader(byobRequest.view, true);
    return resolvedUndefined();
  }
  function cancel1Algorithm(reason) {
    canceled1 = true;
    reason1 = reason;
    if (canceled2) cancelPromise.resolve(readableStreamCancel(stream, [reason1, reason2]));
    return cancelPromise.promise;
  }
  function cancel2Algorithm(reason) {
    canceled2 = true;
    reason2 = reason;
    if (canceled1) cancelPromise.resolve(readableStreamCancel(stream, [reason1, reason2]));
    return cancelPromise.promise;
  }
  branch1 = createReadableByteStream(noop, pull1Algorithm, cancel1Algorithm);
  branch2 = createReadableByteStream(noop, pull2Algorithm, cancel2Algorithm);
  forwardReaderError(reader);
  return [branch1, branch2];
}

// =====================================================================
// pipeTo
// =====================================================================

function readableStreamPipeTo(source, dest, preventClose, preventAbort, preventCancel, signal) {
  const reader = acquireReadableStreamDefaultReader(source);
  const writer = acquireWritableStreamDefaultWriter(dest);
  source.disturbed = true;
  let shuttingDown = false;
  // Writes in flight, counted: waitForWritesToFinish needs to know when every
  // chunk read has been written, and a promise per chunk would cost more.
  let pendingWrites = 0;
  let writesDone = undefined; // Deferred while someone waits
  const writeRequest = {
    resolve() { writeSettled(); },
    reject() { writeSettled(); },
  };
  function writeSettled() {
    if (--pendingWrites === 0 && writesDone !== undefined) {
      const d = writesDone;
      writesDone = undefined;
      d.resolve(undefined);
    }
  }
  const result = new Deferred();
  let abortAlgorithm;

  if (signal !== undefined) {
    abortAlgorithm = () => {
      const error = signal.reason;
      const actions = [];
      if (!preventAbort) {
        actions.push(() => dest.state === 'writable' ? writableStreamAbort(dest, error) : resolvedUndefined());
      }
      if (!preventCancel) {
        actions.push(() => source.state === 'readable' ? readableStreamCancel(source, error) : resolvedUndefined());
      }
      shutdownWithAction(() => waitForAll(actions.map(a => a())), true, error);
    };
    if (signal.aborted) {
      abortAlgorithm();
      return result.promise;
    }
    addAbortAlgorithm(signal, abortAlgorithm);
  }

  // Reading: one chunk at a time, only while the destination wants more.
  // A read that completes synchronously continues the loop in place.
  let inRead = false;
  let readSync = false;
  const readRequest = {
    chunkSteps(chunk) {
      pendingWrites++;
      writableStreamDefaultWriterWriteRequest(writer, chunk, writeRequest);
      inRead = false;
      if (!readSync) pipeLoop();
    },
    closeSteps() { inRead = false; },
    errorSteps() { inRead = false; },
  };
  function pipeLoop() {
    while (!shuttingDown && !inRead) {
      const ready = writer.ready;
      if (ready.state !== 1) {
        if (ready.state === 0) uponPromise(ready.promise, pipeLoop, noop);
        return;
      }
      inRead = true;
      readSync = true;
      readableStreamDefaultReaderRead(reader, readRequest);
      readSync = false;
    }
  }

  function isOrBecomesErrored(stream, promise, action) {
    if (stream.state === 'errored') action(stream.storedError);
    else uponPromise(promise, undefined, action);
  }
  function isOrBecomesClosed(stream, promise, action) {
    if (stream.state === 'closed') action();
    else uponPromise(promise, action, noop);
  }
  function waitForWritesToFinish() {
    if (pendingWrites === 0) return resolvedUndefined();
    if (writesDone === undefined) writesDone = new Deferred();
    return writesDone.promise;
  }
  function shutdownWithAction(action, originalIsError, originalError) {
    if (shuttingDown) return;
    shuttingDown = true;
    const doTheRest = () => {
      uponPromise(action(), () => finalize(originalIsError, originalError), newError => finalize(true, newError));
    };
    if (dest.state === 'writable' && !writableStreamCloseQueuedOrInFlight(dest)) uponPromise(waitForWritesToFinish(), doTheRest);
    else doTheRest();
  }
  function shutdown(isError, error) {
    if (shuttingDown) return;
    shuttingDown = true;
    if (dest.state === 'writable' && !writableStreamCloseQueuedOrInFlight(dest)) {
      uponPromise(waitForWritesToFinish(), () => finalize(isError, error));
    } else {
      finalize(isError, error);
    }
  }
  function finalize(isError, error) {
    writableStreamDefaultWriterRelease(writer);
    readableStreamDefaultReaderRelease(reader);
    if (signal !== undefined) removeAbortAlgorithm(signal, abortAlgorithm);
    if (isError) result.reject(error);
    else result.resolve(undefined);
  }

  // Errors must be propagated forward.
  isOrBecomesErrored(source, reader.closed.promise, storedError => {
    if (!preventAbort) shutdownWithAction(() => writableStreamAbort(dest, storedError), true, storedError);
    else shutdown(true, storedError);
  });
  // Errors must be propagated backward.
  isOrBecomesErrored(dest, writer.closed.promise, storedError => {
    if (!preventCancel) shutdownWithAction(() => readableStreamCancel(source, storedError), true, storedError);
    else shutdown(true, storedError);
  });
  // Closing must be propagated forward.
  isOrBecomesClosed(source, reader.closed.promise, () => {
    if (!preventClose) shutdownWithAction(() => writableStreamDefaultWriterCloseWithErrorPropagation(writer));
    else shutdown(false);
  });
  // Closing must be propagated backward.
  if (writableStreamCloseQueuedOrInFlight(dest) || dest.state === 'closed') {
    const destClosed = typeError('the destination WritableStream closed before all data could be piped to it');
    if (!preventCancel) shutdownWithAction(() => readableStreamCancel(source, destClosed), true, destClosed);
    else shutdown(true, destClosed);
  }
  pipeLoop();
  return result.promise;
}

// =====================================================================
// Async iteration and ReadableStream.from
// =====================================================================

const iterationEnd = SymbolC('end of iteration');

class RIterator {
  constructor(reader, preventCancel) {
    this.reader = reader;
    this.preventCancel = preventCancel;
    this.ongoing = undefined;
    this.finished = false;
  }
}

class IteratorReadRequest {
  constructor(reader) { this.reader = reader; this.promise = new PromiseC(capture); this.res = capturedRes; this.rej = capturedRej; }
  chunkSteps(chunk) { this.res(chunk); }
  closeSteps() { readableStreamDefaultReaderRelease(this.reader); this.res(iterationEnd); }
  errorSteps(e) { readableStreamDefaultReaderRelease(this.reader); this.rej(e); }
}

function iteratorNextSteps(it) {
  if (it.finished) return resolvedPromise({ value: undefined, done: true });
  const reader = it.reader;
  let p;
  if (reader.stream === undefined) {
    p = rejectedPromise(typeError('Cannot get the next iteration result once the reader has been released.'));
  } else {
    const rr = new IteratorReadRequest(reader);
    readableStreamDefaultReaderRead(reader, rr);
    p = rr.promise;
  }
  return transformPromise(p, v => {
    it.ongoing = undefined;
    if (v === iterationEnd) { it.finished = true; return { value: undefined, done: true }; }
    return { value: v, done: false };
  }, e => {
    it.ongoing = undefined;
    it.finished = true;
    throw e;
  });
}

function iteratorReturnSteps(it, value) {
  if (it.finished) return resolvedPromise({ value, done: true });
  it.finished = true;
  const reader = it.reader;
  if (reader.stream === undefined) return resolvedPromise({ value, done: true });
  let p;
  if (!it.preventCancel) {
    p = readableStreamReaderGenericCancel(reader, value);
    readableStreamDefaultReaderRelease(reader);
  } else {
    readableStreamDefaultReaderRelease(reader);
    p = resolvedUndefined();
  }
  return transformPromise(p, () => ({ value, done: true }));
}

function getMethod(obj, key) {
  const f = obj[key];
  if (f === undefined || f === null) return undefined;
  if (typeof f !== 'function') throw typeError('The value is not iterable');
  return f;
}

// getAsyncIterator is GetIterator(obj, async), with CreateAsyncFromSyncIterator
// for sync iterables.
function getAsyncIterator(obj) {
  if (obj === undefined || obj === null) throw typeError('ReadableStream.from() needs an async iterable or an iterable');
  const method = getMethod(obj, asyncIteratorSym);
  if (method !== undefined) {
    const iterator = method.call(obj);
    if (!isObject(iterator)) throw typeError('The async iterator method did not return an object');
    return { iterator, next: iterator.next };
  }
  const syncMethod = getMethod(obj, iteratorSym);
  if (syncMethod === undefined) throw typeError('ReadableStream.from() needs an async iterable or an iterable');
  const syncIterator = syncMethod.call(obj);
  if (!isObject(syncIterator)) throw typeError('The iterator method did not return an object');
  const syncNext = syncIterator.next;
  const continuation = (result, closeOnRejection) => {
    if (!isObject(result)) throw typeError('The iterator result is not an object');
    const done = !!result.done;
    const valueWrapper = resolvedPromise(result.value);
    return transformPromise(valueWrapper, v => ({ value: v, done }), e => {
      if (!done && closeOnRejection) {
        const ret = syncIterator.return;
        if (ret !== undefined && ret !== null) { try { ret.call(syncIterator); } catch (_) { /* the rejection wins */ } }
      }
      throw e;
    });
  };
  const asyncIterator = {
    next(v) {
      try { return continuation(syncNext.call(syncIterator, v), true); } catch (e) { return rejectedPromise(e); }
    },
    return(v) {
      try {
        const ret = syncIterator.return;
        if (ret === undefined || ret === null) return resolvedPromise({ value: v, done: true });
        return continuation(ret.call(syncIterator, v), false);
      } catch (e) { return rejectedPromise(e); }
    },
  };
  return { iterator: asyncIterator, next: asyncIterator.next };
}

function readableStreamFromIterable(asyncIterable) {
  let stream;
  const record = getAsyncIterator(asyncIterable);
  const pullAlgorithm = () => {
    let nextResult;
    try { nextResult = record.next.call(record.iterator); } catch (e) { return rejectedPromise(e); }
    return transformPromise(resolvedPromise(nextResult), iterResult => {
      if (!isObject(iterResult)) throw typeError('The promise returned by the iterator.next() method must fulfill with an object');
      if (iterResult.done) readableStreamDefaultControllerClose(stream.controller);
      else readableStreamDefaultControllerEnqueue(stream.controller, iterResult.value);
    });
  };
  const cancelAlgorithm = reason => {
    const iterator = record.iterator;
    let returnMethod;
    try { returnMethod = getMethod(iterator, 'return'); } catch (e) { return rejectedPromise(e); }
    if (returnMethod === undefined) return resolvedUndefined();
    let returnResult;
    try { returnResult = returnMethod.call(iterator, reason); } catch (e) { return rejectedPromise(e); }
    return transformPromise(resolvedPromise(returnResult), r => {
      if (!isObject(r)) throw typeError('The promise returned by the iterator.return() method must fulfill with an object');
    });
  };
  stream = createReadableStream(noop, pullAlgorithm, cancelAlgorithm, 0);
  return stream;
}

// =====================================================================
// WritableStream
// =====================================================================

class WStream {
  constructor() {
    this.state = 'writable';
    this.storedError = undefined;
    this.writer = undefined;
    this.controller = undefined;
    this.inFlightWriteRequest = undefined; // Deferred
    this.closeRequest = undefined; // Deferred
    this.inFlightCloseRequest = undefined; // Deferred
    this.pendingAbortRequest = undefined; // {promise: Deferred, reason, wasAlreadyErroring}
    this.writeRequests = new Queue(); // of Deferred
    this.backpressure = false;
    this.pub = undefined;
  }
}

class WWriter {
  constructor() {
    this.stream = undefined;
    this.ready = undefined; // Deferred
    this.closed = undefined; // Deferred
    this.pub = undefined;
  }
}

const closeSentinel = SymbolC('close sentinel');

class WSDController {
  constructor() {
    this.stream = undefined;
    this.queue = new SizedQueue();
    this.queueTotalSize = 0;
    this.started = false;
    this.strategySizeAlgorithm = undefined;
    this.strategyHWM = 0;
    this.writeAlgorithm = undefined;
    this.closeAlgorithm = undefined;
    this.abortAlgorithm = undefined;
    // The AbortController behind `signal`, created when first asked for.
    this.abortController = undefined;
    this.aborted = false;
    this.abortReason = undefined;
    this.pub = undefined;
  }
  abortSteps(reason) {
    const result = this.abortAlgorithm(reason);
    writableStreamDefaultControllerClearAlgorithms(this);
    return result;
  }
  errorSteps() { resetQueue(this); }
}

function createWritableStream(startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, highWaterMark = 1, sizeAlgorithm = sizeOne) {
  const stream = new WStream();
  new WritableStream(kInternal, stream);
  const controller = new WSDController();
  setUpWritableStreamDefaultController(stream, controller, startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, highWaterMark, sizeAlgorithm);
  return stream;
}

function isWritableStreamLocked(stream) { return stream.writer !== undefined; }

function acquireWritableStreamDefaultWriter(stream) {
  const writer = new WWriter();
  setUpWritableStreamDefaultWriter(writer, stream);
  return writer;
}

// signalAbort signals abort on the controller's AbortController (created
// lazily: most streams are never asked for their signal).
function writableStreamControllerSignalAbort(c, reason) {
  if (c.aborted) return;
  c.aborted = true;
  c.abortReason = reason;
  if (c.abortController !== undefined) c.abortController.abort(reason);
}
function writableStreamControllerSignal(c) {
  if (c.abortController === undefined) {
    if (typeof AbortControllerC !== 'function') return undefined;
    c.abortController = new AbortControllerC();
    if (c.aborted) c.abortController.abort(c.abortReason);
  }
  return c.abortController.signal;
}

function writableStreamAbort(stream, reason) {
  if (stream.state === 'closed' || stream.state === 'errored') return resolvedPromise(undefined);
  writableStreamControllerSignalAbort(stream.controller, reason);
  const state = stream.state;
  if (state === 'closed' || state === 'errored') return resolvedPromise(undefined);
  if (stream.pendingAbortRequest !== undefined) return stream.pendingAbortRequest.promise.promise;
  let wasAlreadyErroring = false;
  if (state === 'erroring') {
    wasAlreadyErroring = true;
    reason = undefined;
  }
  const promise = new Deferred();
  stream.pendingAbortRequest = { promise, reason, wasAlreadyErroring };
  if (!wasAlreadyErroring) writableStreamStartErroring(stream, reason);
  return promise.promise;
}

function writableStreamClose(stream) {
  const state = stream.state;
  if (state === 'closed' || state === 'errored') {
    return rejectedPromise(typeError(`The stream is not in the writable state and cannot be closed (it is ${state})`));
  }
  const promise = new Deferred();
  stream.closeRequest = promise;
  const writer = stream.writer;
  if (writer !== undefined && stream.backpressure && state === 'writable') writer.ready.resolve(undefined);
  writableStreamDefaultControllerClose(stream.controller);
  return promise.promise;
}

function writableStreamAddWriteRequest(stream, request) {
  stream.writeRequests.push(request);
}

function writableStreamCloseQueuedOrInFlight(stream) {
  return stream.closeRequest !== undefined || stream.inFlightCloseRequest !== undefined;
}

function writableStreamDealWithRejection(stream, error) {
  if (stream.state === 'writable') {
    writableStreamStartErroring(stream, error);
    return;
  }
  writableStreamFinishErroring(stream);
}

function writableStreamFinishErroring(stream) {
  stream.state = 'errored';
  stream.controller.errorSteps();
  const storedError = stream.storedError;
  const requests = stream.writeRequests;
  stream.writeRequests = new Queue();
  while (requests.size > 0) requests.shift().reject(storedError);
  if (stream.pendingAbortRequest === undefined) {
    writableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
    return;
  }
  const abortRequest = stream.pendingAbortRequest;
  stream.pendingAbortRequest = undefined;
  if (abortRequest.wasAlreadyErroring) {
    abortRequest.promise.reject(storedError);
    writableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
    return;
  }
  const promise = stream.controller.abortSteps(abortRequest.reason);
  uponPromise(promise, () => {
    abortRequest.promise.resolve(undefined);
    writableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
  }, reason => {
    abortRequest.promise.reject(reason);
    writableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
  });
}

function writableStreamFinishInFlightClose(stream) {
  stream.inFlightCloseRequest.resolve(undefined);
  stream.inFlightCloseRequest = undefined;
  if (stream.state === 'erroring') {
    stream.storedError = undefined;
    if (stream.pendingAbortRequest !== undefined) {
      stream.pendingAbortRequest.promise.resolve(undefined);
      stream.pendingAbortRequest = undefined;
    }
  }
  stream.state = 'closed';
  const writer = stream.writer;
  if (writer !== undefined) writer.closed.resolve(undefined);
}

function writableStreamFinishInFlightCloseWithError(stream, error) {
  stream.inFlightCloseRequest.reject(error);
  stream.inFlightCloseRequest = undefined;
  if (stream.pendingAbortRequest !== undefined) {
    stream.pendingAbortRequest.promise.reject(error);
    stream.pendingAbortRequest = undefined;
  }
  writableStreamDealWithRejection(stream, error);
}

function writableStreamFinishInFlightWrite(stream) {
  stream.inFlightWriteRequest.resolve(undefined);
  stream.inFlightWriteRequest = undefined;
}

function writableStreamFinishInFlightWriteWithError(stream, error) {
  stream.inFlightWriteRequest.reject(error);
  stream.inFlightWriteRequest = undefined;
  writableStreamDealWithRejection(stream, error);
}

function writableStreamHasOperationMarkedInFlight(stream) {
  return stream.inFlightWriteRequest !== undefined || stream.inFlightCloseRequest !== undefined;
}

function writableStreamMarkCloseRequestInFlight(stream) {
  stream.inFlightCloseRequest = stream.closeRequest;
  stream.closeRequest = undefined;
}

function writableStreamMarkFirstWriteRequestInFlight(stream) {
  stream.inFlightWriteRequest = stream.writeRequests.shift();
}

function writableStreamRejectCloseAndClosedPromiseIfNeeded(stream) {
  if (stream.closeRequest !== undefined) {
    stream.closeRequest.reject(stream.storedError);
    stream.closeRequest = undefined;
  }
  const writer = stream.writer;
  if (writer !== undefined) {
    writer.closed.reject(stream.storedError);
    setHandled(writer.closed.promise);
  }
}

function writableStreamStartErroring(stream, reason) {
  const controller = stream.controller;
  stream.state = 'erroring';
  stream.storedError = reason;
  const writer = stream.writer;
  if (writer !== undefined) writableStreamDefaultWriterEnsureReadyPromiseRejected(writer, reason);
  if (!writableStreamHasOperationMarkedInFlight(stream) && controller.started) writableStreamFinishErroring(stream);
}

function writableStreamUpdateBackpressure(stream, backpressure) {
  const writer = stream.writer;
  if (writer !== undefined && backpressure !== stream.backpressure) {
    if (backpressure) writer.ready = new Deferred();
    else writer.ready.resolve(undefined);
  }
  stream.backpressure = backpressure;
}

// ---- writer ----

function setUpWritableStreamDefaultWriter(writer, stream) {
  if (isWritableStreamLocked(stream)) throw typeError('This WritableStream is currently locked to a writer.');
  writer.stream = stream;
  stream.writer = writer;
  const state = stream.state;
  if (state === 'writable') {
    if (!writableStreamCloseQueuedOrInFlight(stream) && stream.backpressure) writer.ready = new Deferred();
    else writer.ready = resolvedDeferred(undefined);
    writer.closed = new Deferred();
  } else if (state === 'erroring') {
    writer.ready = rejectedDeferred(stream.storedError);
    writer.closed = new Deferred();
  } else if (state === 'closed') {
    writer.ready = resolvedDeferred(undefined);
    writer.closed = resolvedDeferred(undefined);
  } else {
    writer.ready = rejectedDeferred(stream.storedError);
    writer.closed = rejectedDeferred(stream.storedError);
  }
}

function writableStreamDefaultWriterAbort(writer, reason) { return writableStreamAbort(writer.stream, reason); }
function writableStreamDefaultWriterClose(writer) { return writableStreamClose(writer.stream); }

function writableStreamDefaultWriterCloseWithErrorPropagation(writer) {
  const stream = writer.stream;
  const state = stream.state;
  if (writableStreamCloseQueuedOrInFlight(stream) || state === 'closed') return resolvedUndefined();
  if (state === 'errored') return rejectedPromise(stream.storedError);
  return writableStreamDefaultWriterClose(writer);
}

function writableStreamDefaultWriterEnsureClosedPromiseRejected(writer, error) {
  if (writer.closed.state === 0) writer.closed.reject(error);
  else writer.closed = rejectedDeferred(error);
  setHandled(writer.closed.promise);
}

function writableStreamDefaultWriterEnsureReadyPromiseRejected(writer, error) {
  if (writer.ready.state === 0) writer.ready.reject(error);
  else writer.ready = rejectedDeferred(error);
  setHandled(writer.ready.promise);
}

function writableStreamDefaultWriterGetDesiredSize(writer) {
  const stream = writer.stream;
  const state = stream.state;
  if (state === 'errored' || state === 'erroring') return null;
  if (state === 'closed') return 0;
  return writableStreamDefaultControllerGetDesiredSize(stream.controller);
}

function writableStreamDefaultWriterRelease(writer) {
  const stream = writer.stream;
  const releasedError = typeError('This writer was released: its lock on the stream is gone');
  writableStreamDefaultWriterEnsureReadyPromiseRejected(writer, releasedError);
  writableStreamDefaultWriterEnsureClosedPromiseRejected(writer, releasedError);
  stream.writer = undefined;
  writer.stream = undefined;
}

function writableStreamDefaultWriterWrite(writer, chunk) {
  const request = new Deferred();
  writableStreamDefaultWriterWriteRequest(writer, chunk, request);
  return request.promise;
}

// writableStreamDefaultWriterWriteRequest is WritableStreamDefaultWriterWrite
// settling request (anything with resolve and reject) instead of returning a
// promise: pipeTo counts its writes without a promise per chunk.
function writableStreamDefaultWriterWriteRequest(writer, chunk, request) {
  const stream = writer.stream;
  const controller = stream.controller;
  const chunkSize = writableStreamDefaultControllerGetChunkSize(controller, chunk);
  if (stream !== writer.stream) { request.reject(typeError('This writer was released while writing')); return; }
  const state = stream.state;
  if (state === 'errored') { request.reject(stream.storedError); return; }
  if (writableStreamCloseQueuedOrInFlight(stream) || state === 'closed') {
    request.reject(typeError('The stream is closing or closed and cannot be written to'));
    return;
  }
  if (state === 'erroring') { request.reject(stream.storedError); return; }
  writableStreamAddWriteRequest(stream, request);
  writableStreamDefaultControllerWrite(controller, chunk, chunkSize);
}

// ---- controller ----

function setUpWritableStreamDefaultController(stream, c, startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, highWaterMark, sizeAlgorithm) {
  c.stream = stream;
  stream.controller = c;
  resetQueue(c);
  c.abortController = undefined;
  c.started = false;
  c.strategySizeAlgorithm = sizeAlgorithm;
  c.strategyHWM = highWaterMark;
  c.writeAlgorithm = writeAlgorithm;
  c.closeAlgorithm = closeAlgorithm;
  c.abortAlgorithm = abortAlgorithm;
  writableStreamUpdateBackpressure(stream, writableStreamDefaultControllerGetBackpressure(c));
  const startResult = startAlgorithm();
  uponPromise(resolvedPromise(startResult), () => {
    c.started = true;
    writableStreamDefaultControllerAdvanceQueueIfNeeded(c);
  }, r => {
    c.started = true;
    writableStreamDealWithRejection(stream, r);
  });
}

function setUpWritableStreamDefaultControllerFromUnderlyingSink(stream, underlyingSink, sink, highWaterMark, sizeAlgorithm) {
  const c = new WSDController();
  const pub = new WritableStreamDefaultController(kInternal, c);
  let startAlgorithm = noop;
  let writeAlgorithm = resolvedUndefined;
  let closeAlgorithm = resolvedUndefined;
  let abortAlgorithm = resolvedUndefined;
  if (sink.start !== undefined) startAlgorithm = () => sink.start.call(underlyingSink, pub);
  if (sink.write !== undefined) writeAlgorithm = chunk => promiseCall2(sink.write, underlyingSink, chunk, pub);
  if (sink.close !== undefined) closeAlgorithm = () => promiseCall0(sink.close, underlyingSink);
  if (sink.abort !== undefined) abortAlgorithm = reason => promiseCall1(sink.abort, underlyingSink, reason);
  setUpWritableStreamDefaultController(stream, c, startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, highWaterMark, sizeAlgorithm);
}

function writableStreamDefaultControllerAdvanceQueueIfNeeded(c) {
  const stream = c.stream;
  if (!c.started) return;
  if (stream.inFlightWriteRequest !== undefined) return;
  const state = stream.state;
  if (state === 'erroring') {
    writableStreamFinishErroring(stream);
    return;
  }
  if (c.queue.size === 0) return;
  const value = peekQueueValue(c);
  if (value === closeSentinel) writableStreamDefaultControllerProcessClose(c);
  else writableStreamDefaultControllerProcessWrite(c, value);
}

function writableStreamDefaultControllerClearAlgorithms(c) {
  c.writeAlgorithm = undefined;
  c.closeAlgorithm = undefined;
  c.abortAlgorithm = undefined;
  c.strategySizeAlgorithm = undefined;
}

function writableStreamDefaultControllerClose(c) {
  enqueueValueWithSize(c, closeSentinel, 0);
  writableStreamDefaultControllerAdvanceQueueIfNeeded(c);
}

function writableStreamDefaultControllerError(c, error) {
  writableStreamDefaultControllerClearAlgorithms(c);
  writableStreamStartErroring(c.stream, error);
}

function writableStreamDefaultControllerErrorIfNeeded(c, error) {
  if (c.stream.state === 'writable') writableStreamDefaultControllerError(c, error);
}

function writableStreamDefaultControllerGetBackpressure(c) {
  return writableStreamDefaultControllerGetDesiredSize(c) <= 0;
}

function writableStreamDefaultControllerGetChunkSize(c, chunk) {
  if (c.strategySizeAlgorithm === undefined || c.strategySizeAlgorithm === sizeOne) return 1;
  try {
    return c.strategySizeAlgorithm(chunk);
  } catch (e) {
    writableStreamDefaultControllerErrorIfNeeded(c, e);
    return 1;
  }
}

function writableStreamDefaultControllerGetDesiredSize(c) { return c.strategyHWM - c.queueTotalSize; }

function writableStreamDefaultControllerProcessClose(c) {
  const stream = c.stream;
  writableStreamMarkCloseRequestInFlight(stream);
  dequeueValue(c);
  const sinkClosePromise = c.closeAlgorithm();
  writableStreamDefaultControllerClearAlgorithms(c);
  uponPromise(sinkClosePromise, () => { writableStreamFinishInFlightClose(stream); },
    reason => { writableStreamFinishInFlightCloseWithError(stream, reason); });
}

function writableStreamDefaultControllerProcessWrite(c, chunk) {
  const stream = c.stream;
  writableStreamMarkFirstWriteRequestInFlight(stream);
  const sinkWritePromise = c.writeAlgorithm(chunk);
  uponPromise(sinkWritePromise, () => {
    writableStreamFinishInFlightWrite(stream);
    const state = stream.state;
    dequeueValue(c);
    if (!writableStreamCloseQueuedOrInFlight(stream) && state === 'writable') {
      writableStreamUpdateBackpressure(stream, writableStreamDefaultControllerGetBackpressure(c));
    }
    writableStreamDefaultControllerAdvanceQueueIfNeeded(c);
  }, reason => {
    if (stream.state === 'writable') writableStreamDefaultControllerClearAlgorithms(c);
    writableStreamFinishInFlightWriteWithError(stream, reason);
  });
}

function writableStreamDefaultControllerWrite(c, chunk, chunkSize) {
  try {
    enqueueValueWithSize(c, chunk, chunkSize);
  } catch (e) {
    writableStreamDefaultControllerErrorIfNeeded(c, e);
    return;
  }
  const stream = c.stream;
  if (!writableStreamCloseQueuedOrInFlight(stream) && stream.state === 'writable') {
    writableStreamUpdateBackpressure(stream, writableStreamDefaultControllerGetBackpressure(c));
  }
  writableStreamDefaultControllerAdvanceQueueIfNeeded(c);
}

// =====================================================================
// TransformStream
// =====================================================================

class TStream {
  constructor() {
    this.readable = undefined; // RStream
    this.writable = undefined; // WStream
    this.backpressure = undefined;
    this.backpressureChangePromise = undefined; // Deferred
    this.controller = undefined; // TSDController
    this.pub = undefined;
  }
}

class TSDController {
  constructor() {
    this.stream = undefined;
    this.transformAlgorithm = undefined;
    this.flushAlgorithm = undefined;
    this.cancelAlgorithm = undefined;
    this.finishPromise = undefined; // Deferred
    this.pub = undefined;
  }
}

// The readable side of a TransformStream is a default stream, or a byte
// stream for Workers' IdentityTransformStream and FixedLengthStream; these
// helpers dispatch on its controller.
function rcCanCloseOrEnqueue(rc) { return !rc.closeRequested && rc.stream.state === 'readable'; }
function rcEnqueue(rc, chunk) {
  if (rc.isByte) readableByteStreamControllerEnqueue(rc, chunk);
  else readableStreamDefaultControllerEnqueue(rc, chunk);
}
function rcClose(rc) {
  if (rc.isByte) readableByteStreamControllerClose(rc);
  else readableStreamDefaultControllerClose(rc);
}
function rcError(rc, e) {
  if (rc.isByte) readableByteStreamControllerError(rc, e);
  else readableStreamDefaultControllerError(rc, e);
}
function rcHasBackpressure(rc) {
  if (rc.isByte) return !readableByteStreamControllerShouldCallPull(rc);
  return readableStreamDefaultControllerHasBackpressure(rc);
}
function rcDesiredSize(rc) {
  if (rc.isByte) return readableByteStreamControllerGetDesiredSize(rc);
  return readableStreamDefaultControllerGetDesiredSize(rc);
}

function initializeTransformStream(stream, startPromise, writableHWM, writableSize, readableHWM, readableSize, byteReadable) {
  const startAlgorithm = () => startPromise;
  const writeAlgorithm = chunk => transformStreamDefaultSinkWriteAlgorithm(stream, chunk);
  const abortAlgorithm = reason => transformStreamDefaultSinkAbortAlgorithm(stream, reason);
  const closeAlgorithm = () => transformStreamDefaultSinkCloseAlgorithm(stream);
  stream.writable = createWritableStream(startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, writableHWM, writableSize);
  const pullAlgorithm = () => transformStreamDefaultSourcePullAlgorithm(stream);
  const cancelAlgorithm = reason => transformStreamDefaultSourceCancelAlgorithm(stream, reason);
  if (byteReadable) stream.readable = createReadableByteStream(startAlgorithm, pullAlgorithm, cancelAlgorithm, 0);
  else stream.readable = createReadableStream(startAlgorithm, pullAlgorithm, cancelAlgorithm, readableHWM, readableSize);
  stream.backpressure = undefined;
  stream.backpressureChangePromise = undefined;
  transformStreamSetBackpressure(stream, true);
  stream.controller = undefined;
}

function transformStreamError(stream, e) {
  rcError(stream.readable.controller, e);
  transformStreamErrorWritableAndUnblockWrite(stream, e);
}

function transformStreamErrorWritableAndUnblockWrite(stream, e) {
  transformStreamDefaultControllerClearAlgorithms(stream.controller);
  writableStreamDefaultControllerErrorIfNeeded(stream.writable.controller, e);
  transformStreamUnblockWrite(stream);
}

function transformStreamUnblockWrite(stream) {
  if (stream.backpressure) transformStreamSetBackpressure(stream, false);
}

function transformStreamSetBackpressure(stream, backpressure) {
  // The standard makes a new backpressureChangePromise here; Ferry makes it
  // when something waits on it (see transformStreamBackpressureChangePromise),
  // which nothing can tell apart and saves a promise per chunk.
  if (stream.backpressureChangePromise !== undefined) stream.backpressureChangePromise.resolve(undefined);
  stream.backpressureChangePromise = undefined;
  stream.backpressure = backpressure;
}

function transformStreamBackpressureChangePromise(stream) {
  if (stream.backpressureChangePromise === undefined) stream.backpressureChangePromise = new Deferred();
  return stream.backpressureChangePromise.promise;
}

function setUpTransformStreamDefaultController(stream, c, transformAlgorithm, flushAlgorithm, cancelAlgorithm) {
  c.stream = stream;
  stream.controller = c;
  c.transformAlgorithm = transformAlgorithm;
  c.flushAlgorithm = flushAlgorithm;
  c.cancelAlgorithm = cancelAlgorithm;
}

function setUpTransformStreamDefaultControllerFromTransformer(stream, transformer, t) {
  const c = new TSDController();
  const pub = new TransformStreamDefaultController(kInternal, c);
  let transformAlgorithm = chunk => {
    try {
      transformStreamDefaultControllerEnqueue(c, chunk);
    } catch (e) {
      return rejectedPromise(e);
    }
    return resolvedUndefined();
  };
  let flushAlgorithm = resolvedUndefined;
  let cancelAlgorithm = resolvedUndefined;
  if (t.transform !== undefined) transformAlgorithm = chunk => promiseCall2(t.transform, transformer, chunk, pub);
  if (t.flush !== undefined) flushAlgorithm = () => promiseCall1(t.flush, transformer, pub);
  if (t.cancel !== undefined) cancelAlgorithm = reason => promiseCall1(t.cancel, transformer, reason);
  setUpTransformStreamDefaultController(stream, c, transformAlgorithm, flushAlgorithm, cancelAlgorithm);
  return pub;
}

function transformStreamDefaultControllerClearAlgorithms(c) {
  c.transformAlgorithm = undefined;
  c.flushAlgorithm = undefined;
  c.cancelAlgorithm = undefined;
}

function transformStreamDefaultControllerEnqueue(c, chunk) {
  const stream = c.stream;
  const rc = stream.readable.controller;
  if (!rcCanCloseOrEnqueue(rc)) throw typeError('Readable side is not in a state that permits enqueue');
  try {
    rcEnqueue(rc, chunk);
  } catch (e) {
    transformStreamErrorWritableAndUnblockWrite(stream, e);
    throw stream.readable.storedError;
  }
  const backpressure = rcHasBackpressure(rc);
  if (backpressure !== stream.backpressure) transformStreamSetBackpressure(stream, true);
}

function transformStreamDefaultControllerError(c, e) { transformStreamError(c.stream, e); }

function transformStreamDefaultControllerPerformTransform(c, chunk) {
  const transformPromiseValue = c.transformAlgorithm(chunk);
  return transformPromise(transformPromiseValue, undefined, r => {
    transformStreamError(c.stream, r);
    throw r;
  });
}

function transformStreamDefaultControllerTerminate(c) {
  const stream = c.stream;
  rcClose(stream.readable.controller);
  const error = typeError('The TransformStream has been terminated');
  transformStreamErrorWritableAndUnblockWrite(stream, error);
}

function transformStreamDefaultSinkWriteAlgorithm(stream, chunk) {
  const controller = stream.controller;
  if (stream.backpressure) {
    return transformPromise(transformStreamBackpressureChangePromise(stream), () => {
      const writable = stream.writable;
      if (writable.state === 'erroring') throw writable.storedError;
      return transformStreamDefaultControllerPerformTransform(controller, chunk);
    });
  }
  return transformStreamDefaultControllerPerformTransform(controller, chunk);
}

function transformStreamDefaultSinkAbortAlgorithm(stream, reason) {
  const controller = stream.controller;
  if (controller.finishPromise !== undefined) return controller.finishPromise.promise;
  const readable = stream.readable;
  const finish = controller.finishPromise = new Deferred();
  const cancelPromise = controller.cancelAlgorithm(reason);
  transformStreamDefaultControllerClearAlgorithms(controller);
  uponPromise(cancelPromise, () => {
    if (readable.state === 'errored') finish.reject(readable.storedError);
    else {
      rcError(readable.controller, reason);
      finish.resolve(undefined);
    }
  }, r => {
    rcError(readable.controller, r);
    finish.reject(r);
  });
  return finish.promise;
}

function transformStreamDefaultSinkCloseAlgorithm(stream) {
  const controller = stream.controller;
  if (controller.finishPromise !== undefined) return controller.finishPromise.promise;
  const readable = stream.readable;
  const finish = controller.finishPromise = new Deferred();
  const flushPromise = controller.flushAlgorithm();
  transformStreamDefaultControllerClearAlgorithms(controller);
  uponPromise(flushPromise, () => {
    if (readable.state === 'errored') finish.reject(readable.storedError);
    else {
      rcClose(readable.controller);
      finish.resolve(undefined);
    }
  }, r => {
    rcError(readable.controller, r);
    finish.reject(r);
  });
  return finish.promise;
}

function transformStreamDefaultSourceCancelAlgorithm(stream, reason) {
  const controller = stream.controller;
  if (controller.finishPromise !== undefined) return controller.finishPromise.promise;
  const writable = stream.writable;
  const finish = controller.finishPromise = new Deferred();
  const cancelPromise = controller.cancelAlgorithm(reason);
  transformStreamDefaultControllerClearAlgorithms(controller);
  uponPromise(cancelPromise, () => {
    if (writable.state === 'errored') finish.reject(writable.storedError);
    else {
      writableStreamDefaultControllerErrorIfNeeded(writable.controller, reason);
      transformStreamUnblockWrite(stream);
      finish.resolve(undefined);
    }
  }, r => {
    writableStreamDefaultControllerErrorIfNeeded(writable.controller, r);
    transformStreamUnblockWrite(stream);
    finish.reject(r);
  });
  return finish.promise;
}

function transformStreamDefaultSourcePullAlgorithm(stream) {
  transformStreamSetBackpressure(stream, false);
  return transformStreamBackpressureChangePromise(stream);
}

// createTransformStream is the standard's "set up a TransformStream" for
// other specifications' streams (CompressionStream, TextDecoderStream...):
// transform(chunk, enqueue) and flush(enqueue) may throw; they run
// synchronously. With byteReadable the readable side is a byte stream.
function createTransformStream(transform, flush, cancel, byteReadable) {
  const stream = transformStreamRecord(transform, flush, cancel, byteReadable);
  new TransformStream(kInternal, stream);
  return stream;
}

// transformStreamRecord is createTransformStream without the public object,
// for subclasses (IdentityTransformStream) whose constructor makes it.
function transformStreamRecord(transform, flush, cancel, byteReadable) {
  const stream = new TStream();
  const startPromise = resolvedUndefined();
  initializeTransformStream(stream, startPromise, 1, sizeOne, 0, sizeOne, byteReadable);
  const c = new TSDController();
  const enqueue = chunk => transformStreamDefaultControllerEnqueue(c, chunk);
  const transformAlgorithm = chunk => {
    try { transform(chunk, enqueue); } catch (e) { return rejectedPromise(e); }
    return resolvedUndefined();
  };
  const flushAlgorithm = flush === undefined ? resolvedUndefined : () => {
    try { flush(enqueue); } catch (e) { return rejectedPromise(e); }
    return resolvedUndefined();
  };
  const cancelAlgorithm = cancel === undefined ? resolvedUndefined : reason => {
    try { cancel(reason); } catch (e) { return rejectedPromise(e); }
    return resolvedUndefined();
  };
  setUpTransformStreamDefaultController(stream, c, transformAlgorithm, flushAlgorithm, cancelAlgorithm);
  return stream;
}

// =====================================================================
// Public classes
// =====================================================================

function convertUnderlyingSource(v) {
  const d = v === undefined ? undefined : v; // already checked to be an object
  const out = { autoAllocateChunkSize: undefined, cancel: undefined, pull: undefined, start: undefined, type: undefined };
  if (d === undefined) return out;
  const what = "Failed to construct 'ReadableStream'";
  const aacs = d.autoAllocateChunkSize;
  if (aacs !== undefined) out.autoAllocateChunkSize = enforceRangeULL(aacs, `${what}: autoAllocateChunkSize`);
  out.cancel = callbackMember(d, 'cancel', what);
  out.pull = callbackMember(d, 'pull', what);
  out.start = callbackMember(d, 'start', what);
  const type = d.type;
  if (type !== undefined) {
    const t = `${type}`;
    if (t !== 'bytes') throw typeError(`${what}: '${t}' is not a valid value for type (only "bytes" is)`);
    out.type = t;
  }
  return out;
}

function optionalObject(v, what) {
  if (v !== undefined && !isObject(v)) throw typeError(`${what} must be an object`);
  return v;
}

let rsOf, rawRS, setRS, isRS;
class ReadableStream {
  #s;
  constructor(underlyingSource = undefined, strategy = undefined) {
    if (underlyingSource === kInternal) {
      this.#s = strategy;
      strategy.pub = this;
      return;
    }
    optionalObject(underlyingSource, "Failed to construct 'ReadableStream': the underlying source");
    const strat = convertStrategy(strategy, "Failed to construct 'ReadableStream'");
    const src = convertUnderlyingSource(underlyingSource);
    const s = new RStream();
    s.pub = this;
    this.#s = s;
    if (src.type === 'bytes') {
      if (strat.size !== undefined) throw rangeError('The strategy for a byte stream cannot have a size function');
      const hwm = extractHighWaterMark(strat, 0);
      setUpReadableByteStreamControllerFromUnderlyingSource(s, underlyingSource, src, hwm);
    } else {
      const size = extractSizeAlgorithm(strat);
      const hwm = extractHighWaterMark(strat, 1);
      setUpReadableStreamDefaultControllerFromUnderlyingSource(s, underlyingSource, src, hwm, size);
    }
  }
  static {
    // A Go-fed stream starts as a LazyGo record (see goStream); the first
    // look inside builds the real stream in its place.
    rsOf = o => { const s = o.#s; return s instanceof LazyGo ? materializeGo(o, s) : s; };
    rawRS = o => o.#s;
    setRS = (o, s) => { o.#s = s; };
    isRS = o => isObject(o) && #s in o;
  }

  static from(asyncIterable) { return readableStreamFromIterable(asyncIterable).pub; }

  get locked() { return isReadableStreamLocked(rsOf(this)); }

  cancel(reason = undefined) {
    if (!isRS(this)) return rejectedPromise(typeError('Illegal invocation'));
    const s = rsOf(this);
    if (isReadableStreamLocked(s)) return rejectedPromise(typeError('Cannot cancel a stream that is locked to a reader'));
    return readableStreamCancel(s, reason);
  }

  getReader(options = undefined) {
    const s = rsOf(this);
    const d = dictionary(options, "Failed to execute 'getReader' on 'ReadableStream': the options");
    const mode = d === undefined ? undefined : d.mode;
    if (mode === undefined) return new ReadableStreamDefaultReader(kInternal, acquireReadableStreamDefaultReader(s));
    const m = `${mode}`;
    if (m !== 'byob') throw typeError(`Failed to execute 'getReader' on 'ReadableStream': '${m}' is not a valid reader mode (only "byob" is)`);
    return new ReadableStreamBYOBReader(kInternal, acquireReadableStreamBYOBReader(s));
  }

  pipeThrough(transform, options = undefined) {
    const s = rsOf(this);
    const what = "Failed to execute 'pipeThrough' on 'ReadableStream'";
    const pair = dictionary(transform, `${what}: the transform stream`);
    if (pair === undefined) throw typeError(`${what}: a { readable, writable } pair is required`);
    const readable = pair.readable;
    if (!isRS(readable)) throw typeError(`${what}: transform.readable must be a ReadableStream`);
    const writable = pair.writable;
    if (!isWS(writable)) throw typeError(`${what}: transform.writable must be a WritableStream`);
    const opts = convertPipeOptions(options, what);
    if (isReadableStreamLocked(s)) throw typeError(`${what}: this ReadableStream is locked`);
    const ws = wsOf(writable);
    if (isWritableStreamLocked(ws)) throw typeError(`${what}: transform.writable is locked`);
    const promise = readableStreamPipeTo(s, ws, opts.preventClose, opts.preventAbort, opts.preventCancel, opts.signal);
    setHandled(promise);
    return readable;
  }

  pipeTo(destination, options = undefined) {
    const what = "Failed to execute 'pipeTo' on 'ReadableStream'";
    if (!isRS(this)) return rejectedPromise(typeError('Illegal invocation'));
    if (!isWS(destination)) return rejectedPromise(typeError(`${what}: the destination must be a WritableStream`));
    let opts;
    try { opts = convertPipeOptions(options, what); } catch (e) { return rejectedPromise(e); }
    const s = rsOf(this);
    if (isReadableStreamLocked(s)) return rejectedPromise(typeError(`${what}: this ReadableStream is locked`));
    const ws = wsOf(destination);
    if (isWritableStreamLocked(ws)) return rejectedPromise(typeError(`${what}: the destination WritableStream is locked`));
    return readableStreamPipeTo(s, ws, opts.preventClose, opts.preventAbort, opts.preventCancel, opts.signal);
  }

  tee() {
    const [a, b] = readableStreamTee(rsOf(this), false);
    return [a.pub, b.pub];
  }

  values(options = undefined) {
    const s = rsOf(this);
    const d = dictionary(options, "Failed to execute 'values' on 'ReadableStream': the options");
    const preventCancel = d === undefined ? false : !!d.preventCancel;
    const reader = acquireReadableStreamDefaultReader(s);
    return new ReadableStreamAsyncIterator(kInternal, new RIterator(reader, preventCancel));
  }
}

function convertPipeOptions(options, what) {
  const d = dictionary(options, `${what}: the options`);
  const out = { preventAbort: false, preventCancel: false, preventClose: false, signal: undefined };
  if (d === undefined) return out;
  out.preventAbort = !!d.preventAbort;
  out.preventCancel = !!d.preventCancel;
  out.preventClose = !!d.preventClose;
  const signal = d.signal;
  if (signal !== undefined) {
    if (!isAbortSignal(signal)) throw typeError(`${what}: options.signal must be an AbortSignal`);
    out.signal = signal;
  }
  return out;
}

// %AsyncIteratorPrototype%: goja has no async generators, so make one.
const AsyncIteratorPrototype = {};
defineProperty(AsyncIteratorPrototype, asyncIteratorSym, {
  value: { [asyncIteratorSym]() { return this; } }[asyncIteratorSym],
  writable: true, enumerable: false, configurable: true,
});

let itOf, isIt;
class ReadableStreamAsyncIterator {
  #it;
  constructor(token, it) {
    if (token !== kInternal) throw illegalConstructor();
    this.#it = it;
  }
  static { itOf = o => o.#it; isIt = o => isObject(o) && #it in o; }
  next() {
    if (!isIt(this)) return rejectedPromise(typeError('Illegal invocation'));
    const it = this.#it;
    const steps = () => iteratorNextSteps(it);
    it.ongoing = it.ongoing !== undefined ? transformPromise(it.ongoing, steps, steps) : steps();
    return it.ongoing;
  }
  return(value = undefined) {
    if (!isIt(this)) return rejectedPromise(typeError('Illegal invocation'));
    const it = this.#it;
    const steps = () => iteratorReturnSteps(it, value);
    const p = it.ongoing !== undefined ? transformPromise(it.ongoing, steps, steps) : steps();
    it.ongoing = p;
    return p;
  }
}

let readerOf, isDefaultReader;
class ReadableStreamDefaultReader {
  #r;
  constructor(stream) {
    if (stream === kInternal) {
      this.#r = arguments[1];
      this.#r.pub = this;
      return;
    }
    if (!isRS(stream)) throw typeError("Failed to construct 'ReadableStreamDefaultReader': parameter 1 is not of type 'ReadableStream'.");
    const r = new RReader(false);
    r.pub = this;
    setUpReadableStreamDefaultReader(r, rsOf(stream));
    this.#r = r;
  }
  static { readerOf = o => o.#r; isDefaultReader = o => isObject(o) && #r in o; }
  get closed() {
    if (!isDefaultReader(this)) return rejectedPromise(typeError('Illegal invocation'));
    return this.#r.closed.promise;
  }
  cancel(reason = undefined) {
    if (!isDefaultReader(this)) return rejectedPromise(typeError('Illegal invocation'));
    const r = this.#r;
    if (r.stream === undefined) return rejectedPromise(typeError('This reader has no stream (its lock was released)'));
    return readableStreamReaderGenericCancel(r, reason);
  }
  read() {
    if (!isDefaultReader(this)) return rejectedPromise(typeError('Illegal invocation'));
    const r = this.#r;
    if (r.stream === undefined) return rejectedPromise(typeError('This reader has no stream (its lock was released)'));
    const rr = new PromiseReadRequest();
    readableStreamDefaultReaderRead(r, rr);
    return rr.promise;
  }
  releaseLock() {
    const r = this.#r;
    if (r.stream === undefined) return;
    readableStreamDefaultReaderRelease(r);
  }
}

let byobReaderOf, isBYOBReader;
class ReadableStreamBYOBReader {
  #r;
  constructor(stream) {
    if (stream === kInternal) {
      this.#r = arguments[1];
      this.#r.pub = this;
      return;
    }
    if (!isRS(stream)) throw typeError("Failed to construct 'ReadableStreamBYOBReader': parameter 1 is not of type 'ReadableStream'.");
    const r = new RReader(true);
    r.pub = this;
    setUpReadableStreamBYOBReader(r, rsOf(stream));
    this.#r = r;
  }
  static { byobReaderOf = o => o.#r; isBYOBReader = o => isObject(o) && #r in o; }
  get closed() {
    if (!isBYOBReader(this)) return rejectedPromise(typeError('Illegal invocation'));
    return this.#r.closed.promise;
  }
  cancel(reason = undefined) {
    if (!isBYOBReader(this)) return rejectedPromise(typeError('Illegal invocation'));
    const r = this.#r;
    if (r.stream === undefined) return rejectedPromise(typeError('This reader has no stream (its lock was released)'));
    return readableStreamReaderGenericCancel(r, reason);
  }
  read(view, options = undefined) {
    if (!isBYOBReader(this)) return rejectedPromise(typeError('Illegal invocation'));
    const what = "Failed to execute 'read' on 'ReadableStreamBYOBReader'";
    if (!isView(view)) return rejectedPromise(typeError(`${what}: parameter 1 is not of type 'ArrayBufferView'.`));
    let min = 1;
    try {
      const d = dictionary(options, `${what}: the options`);
      if (d !== undefined && d.min !== undefined) min = enforceRangeULL(d.min, `${what}: options.min`);
    } catch (e) { return rejectedPromise(e); }
    return byobRead(this.#r, view, min, what);
  }
  // readAtLeast(minBytes, view) is a Cloudflare Workers extension: read until
  // at least minBytes bytes are in view (or the stream ends).
  readAtLeast(minBytes, view) {
    if (!isBYOBReader(this)) return rejectedPromise(typeError('Illegal invocation'));
    const what = "Failed to execute 'readAtLeast' on 'ReadableStreamBYOBReader'";
    if (!isView(view)) return rejectedPromise(typeError(`${what}: parameter 2 is not of type 'ArrayBufferView'.`));
    let min;
    try { min = enforceRangeULL(minBytes, `${what}: minBytes`); } catch (e) { return rejectedPromise(e); }
    const elementSize = isDataView(view) ? 1 : view.BYTES_PER_ELEMENT;
    if (min % elementSize !== 0) return rejectedPromise(typeError(`${what}: minBytes must be a multiple of the view's element size`));
    return byobRead(this.#r, view, min / elementSize, what);
  }
  releaseLock() {
    const r = this.#r;
    if (r.stream === undefined) return;
    readableStreamBYOBReaderRelease(r);
  }
}

function byobRead(r, view, min, what) {
  if (view.byteLength === 0) return rejectedPromise(typeError(`${what}: the view must have a non-zero byteLength`));
  const buffer = view.buffer;
  if (abByteLength(buffer) === 0) return rejectedPromise(typeError(`${what}: the view's buffer must have a non-zero byteLength`));
  if (isDetached(buffer)) return rejectedPromise(typeError(`${what}: the view's buffer has been detached`));
  if (min === 0) return rejectedPromise(typeError(`${what}: options.min must be greater than 0`));
  if (!isDataView(view)) {
    if (min > view.length) return rejectedPromise(rangeError(`${what}: options.min must be less than or equal to the view's length`));
  } else if (min > view.byteLength) {
    return rejectedPromise(rangeError(`${what}: options.min must be less than or equal to the view's byteLength`));
  }
  if (r.stream === undefined) return rejectedPromise(typeError('This reader has no stream (its lock was released)'));
  const rr = new PromiseReadRequest();
  readableStreamBYOBReaderRead(r, view, min, rr);
  return rr.promise;
}

let rsdcOf;
class ReadableStreamDefaultController {
  #c;
  constructor(token, c) {
    if (token !== kInternal) throw illegalConstructor();
    this.#c = c;
    c.pub = this;
  }
  static { rsdcOf = o => o.#c; }
  get desiredSize() { return readableStreamDefaultControllerGetDesiredSize(this.#c); }
  close() {
    const c = this.#c;
    if (!readableStreamDefaultControllerCanCloseOrEnqueue(c)) throw typeError('The stream is not in a state that permits close');
    readableStreamDefaultControllerClose(c);
  }
  enqueue(chunk = undefined) {
    const c = this.#c;
    if (!readableStreamDefaultControllerCanCloseOrEnqueue(c)) throw typeError('The stream is not in a state that permits enqueue');
    readableStreamDefaultControllerEnqueue(c, chunk);
  }
  error(e = undefined) { readableStreamDefaultControllerError(this.#c, e); }
}

class ReadableByteStreamController {
  #c;
  constructor(token, c) {
    if (token !== kInternal) throw illegalConstructor();
    this.#c = c;
    c.pub = this;
  }
  get byobRequest() {
    const req = readableByteStreamControllerGetBYOBRequest(this.#c);
    return req === null ? null : req.pub;
  }
  get desiredSize() { return readableByteStreamControllerGetDesiredSize(this.#c); }
  close() {
    const c = this.#c;
    if (c.closeRequested) throw typeError('The stream has already been closed');
    if (c.stream.state !== 'readable') throw typeError('The stream is not in a state that permits close');
    readableByteStreamControllerClose(c);
  }
  enqueue(chunk) {
    const c = this.#c;
    const what = "Failed to execute 'enqueue' on 'ReadableByteStreamController'";
    if (!isView(chunk)) throw typeError(`${what}: parameter 1 is not of type 'ArrayBufferView'.`);
    if (chunk.byteLength === 0) throw typeError(`${what}: the chunk must have a non-zero byteLength`);
    if (abByteLength(chunk.buffer) === 0) throw typeError(`${what}: the chunk's buffer must have a non-zero byteLength`);
    if (c.closeRequested) throw typeError(`${what}: the stream is closed or draining`);
    if (c.stream.state !== 'readable') throw typeError(`${what}: the stream is not in the readable state`);
    readableByteStreamControllerEnqueue(c, chunk);
  }
  error(e = undefined) { readableByteStreamControllerError(this.#c, e); }
}

class ReadableStreamBYOBRequest {
  #q;
  constructor(token, q) {
    if (token !== kInternal) throw illegalConstructor();
    this.#q = q;
    q.pub = this;
  }
  get view() { return this.#q.view; }
  respond(bytesWritten) {
    const q = this.#q;
    const n = enforceRangeULL(bytesWritten, "Failed to execute 'respond' on 'ReadableStreamBYOBRequest': bytesWritten");
    if (q.controller === undefined) throw typeError('This BYOB request has been invalidated');
    if (isDetached(q.view.buffer)) throw typeError("The BYOB request's buffer has been detached");
    readableByteStreamControllerRespond(q.controller, n);
  }
  respondWithNewView(view) {
    const q = this.#q;
    if (!isView(view)) throw typeError("Failed to execute 'respondWithNewView' on 'ReadableStreamBYOBRequest': parameter 1 is not of type 'ArrayBufferView'.");
    if (q.controller === undefined) throw typeError('This BYOB request has been invalidated');
    if (isDetached(view.buffer)) throw typeError("The given view's buffer has been detached");
    readableByteStreamControllerRespondWithNewView(q.controller, view);
  }
}

// ---- WritableStream ----

function convertUnderlyingSink(d) {
  const out = { abort: undefined, close: undefined, start: undefined, type: undefined, write: undefined };
  if (d === undefined) return out;
  const what = "Failed to construct 'WritableStream'";
  out.abort = callbackMember(d, 'abort', what);
  out.close = callbackMember(d, 'close', what);
  out.start = callbackMember(d, 'start', what);
  out.type = d.type;
  out.write = callbackMember(d, 'write', what);
  return out;
}

let wsOf, isWS;
class WritableStream {
  #s;
  constructor(underlyingSink = undefined, strategy = undefined) {
    if (underlyingSink === kInternal) {
      this.#s = strategy;
      strategy.pub = this;
      return;
    }
    optionalObject(underlyingSink, "Failed to construct 'WritableStream': the underlying sink");
    const strat = convertStrategy(strategy, "Failed to construct 'WritableStream'");
    const sink = convertUnderlyingSink(underlyingSink);
    if (sink.type !== undefined) throw rangeError("Failed to construct 'WritableStream': invalid type is specified");
    const s = new WStream();
    s.pub = this;
    this.#s = s;
    const size = extractSizeAlgorithm(strat);
    const hwm = extractHighWaterMark(strat, 1);
    setUpWritableStreamDefaultControllerFromUnderlyingSink(s, underlyingSink, sink, hwm, size);
  }
  static { wsOf = o => o.#s; isWS = o => isObject(o) && #s in o; }
  get locked() { return isWritableStreamLocked(this.#s); }
  abort(reason = undefined) {
    if (!isWS(this)) return rejectedPromise(typeError('Illegal invocation'));
    const s = this.#s;
    if (isWritableStreamLocked(s)) return rejectedPromise(typeError('Cannot abort a stream that is locked to a writer'));
    return writableStreamAbort(s, reason);
  }
  close() {
    if (!isWS(this)) return rejectedPromise(typeError('Illegal invocation'));
    const s = this.#s;
    if (isWritableStreamLocked(s)) return rejectedPromise(typeError('Cannot close a stream that is locked to a writer'));
    if (writableStreamCloseQueuedOrInFlight(s)) return rejectedPromise(typeError('Cannot close a stream that is already closing'));
    return writableStreamClose(s);
  }
  getWriter() {
    return new WritableStreamDefaultWriter(kInternal, acquireWritableStreamDefaultWriter(this.#s));
  }
}

let writerOf, isWriter;
class WritableStreamDefaultWriter {
  #w;
  constructor(stream) {
    if (stream === kInternal) {
      this.#w = arguments[1];
      this.#w.pub = this;
      return;
    }
    if (!isWS(stream)) throw typeError("Failed to construct 'WritableStreamDefaultWriter': parameter 1 is not of type 'WritableStream'.");
    const w = new WWriter();
    w.pub = this;
    setUpWritableStreamDefaultWriter(w, wsOf(stream));
    this.#w = w;
  }
  static { writerOf = o => o.#w; isWriter = o => isObject(o) && #w in o; }
  get closed() {
    if (!isWriter(this)) return rejectedPromise(typeError('Illegal invocation'));
    return this.#w.closed.promise;
  }
  get desiredSize() {
    const w = this.#w;
    if (w.stream === undefined) throw typeError('This writer has no stream (its lock was released)');
    return writableStreamDefaultWriterGetDesiredSize(w);
  }
  get ready() {
    if (!isWriter(this)) return rejectedPromise(typeError('Illegal invocation'));
    return this.#w.ready.promise;
  }
  abort(reason = undefined) {
    if (!isWriter(this)) return rejectedPromise(typeError('Illegal invocation'));
    const w = this.#w;
    if (w.stream === undefined) return rejectedPromise(typeError('This writer has no stream (its lock was released)'));
    return writableStreamDefaultWriterAbort(w, reason);
  }
  close() {
    if (!isWriter(this)) return rejectedPromise(typeError('Illegal invocation'));
    const w = this.#w;
    const s = w.stream;
    if (s === undefined) return rejectedPromise(typeError('This writer has no stream (its lock was released)'));
    if (writableStreamCloseQueuedOrInFlight(s)) return rejectedPromise(typeError('Cannot close a stream that is already closing'));
    return writableStreamDefaultWriterClose(w);
  }
  releaseLock() {
    const w = this.#w;
    if (w.stream === undefined) return;
    writableStreamDefaultWriterRelease(w);
  }
  write(chunk = undefined) {
    if (!isWriter(this)) return rejectedPromise(typeError('Illegal invocation'));
    const w = this.#w;
    if (w.stream === undefined) return rejectedPromise(typeError('This writer has no stream (its lock was released)'));
    return writableStreamDefaultWriterWrite(w, chunk);
  }
}

class WritableStreamDefaultController {
  #c;
  constructor(token, c) {
    if (token !== kInternal) throw illegalConstructor();
    this.#c = c;
    c.pub = this;
  }
  get signal() { return writableStreamControllerSignal(this.#c); }
  error(e = undefined) {
    const c = this.#c;
    if (c.stream.state !== 'writable') return;
    writableStreamDefaultControllerError(c, e);
  }
}

// ---- TransformStream ----

function convertTransformer(d) {
  const out = { cancel: undefined, flush: undefined, readableType: undefined, start: undefined, transform: undefined, writableType: undefined };
  if (d === undefined) return out;
  const what = "Failed to construct 'TransformStream'";
  out.cancel = callbackMember(d, 'cancel', what);
  out.flush = callbackMember(d, 'flush', what);
  out.readableType = d.readableType;
  out.start = callbackMember(d, 'start', what);
  out.transform = callbackMember(d, 'transform', what);
  out.writableType = d.writableType;
  return out;
}

let tsOf, isTS;
class TransformStream {
  #s;
  constructor(transformer = undefined, writableStrategy = undefined, readableStrategy = undefined) {
    if (transformer === kInternal) {
      this.#s = writableStrategy;
      writableStrategy.pub = this;
      return;
    }
    optionalObject(transformer, "Failed to construct 'TransformStream': the transformer");
    const ws = convertStrategy(writableStrategy, "Failed to construct 'TransformStream'");
    const rs = convertStrategy(readableStrategy, "Failed to construct 'TransformStream'");
    const t = convertTransformer(transformer);
    if (t.readableType !== undefined) throw rangeError("Failed to construct 'TransformStream': invalid readableType specified");
    if (t.writableType !== undefined) throw rangeError("Failed to construct 'TransformStream': invalid writableType specified");
    const readableHWM = extractHighWaterMark(rs, 0);
    const readableSize = extractSizeAlgorithm(rs);
    const writableHWM = extractHighWaterMark(ws, 1);
    const writableSize = extractSizeAlgorithm(ws);
    const s = new TStream();
    s.pub = this;
    this.#s = s;
    const startPromise = new Deferred();
    initializeTransformStream(s, startPromise.promise, writableHWM, writableSize, readableHWM, readableSize, false);
    const pub = setUpTransformStreamDefaultControllerFromTransformer(s, transformer, t);
    if (t.start !== undefined) startPromise.resolve(t.start.call(transformer, pub));
    else startPromise.resolve(undefined);
  }
  static { tsOf = o => o.#s; isTS = o => isObject(o) && #s in o; }
  get readable() { return this.#s.readable.pub; }
  get writable() { return this.#s.writable.pub; }
}

class TransformStreamDefaultController {
  #c;
  constructor(token, c) {
    if (token !== kInternal) throw illegalConstructor();
    this.#c = c;
    c.pub = this;
  }
  get desiredSize() { return rcDesiredSize(this.#c.stream.readable.controller); }
  enqueue(chunk = undefined) { transformStreamDefaultControllerEnqueue(this.#c, chunk); }
  error(reason = undefined) { transformStreamDefaultControllerError(this.#c, reason); }
  terminate() { transformStreamDefaultControllerTerminate(this.#c); }
}

// ---- queuing strategies ----

const byteLengthSize = { size(chunk) { return chunk.byteLength; } }.size;
const countSize = { size() { return 1; } }.size;

function convertStrategyInit(init, what) {
  const d = dictionary(init, `Failed to construct '${what}': the init`);
  const hwm = d === undefined ? undefined : d.highWaterMark;
  if (hwm === undefined) throw typeError(`Failed to construct '${what}': the init must have a highWaterMark`);
  return +hwm;
}

class ByteLengthQueuingStrategy {
  #hwm;
  constructor(init) { this.#hwm = convertStrategyInit(init, 'ByteLengthQueuingStrategy'); }
  get highWaterMark() { return this.#hwm; }
  get size() { this.#hwm; return byteLengthSize; }
}

class CountQueuingStrategy {
  #hwm;
  constructor(init) { this.#hwm = convertStrategyInit(init, 'CountQueuingStrategy'); }
  get highWaterMark() { return this.#hwm; }
  get size() { this.#hwm; return countSize; }
}

// =====================================================================
// Workers extras and the Encoding Standard's streams
// =====================================================================

// copyBytes returns a copy of a BufferSource chunk as a Uint8Array, or
// throws the TypeError workerd throws for anything else on a byte stream.
function copyBytes(chunk) {
  if (isView(chunk)) return new Uint8ArrayC(cloneArrayBuffer(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  if (isArrayBuffer(chunk)) return new Uint8ArrayC(abSlice(chunk, 0));
  if (typeof chunk === 'string') {
    throw typeError("This TransformStream is being used as a byte stream, but received a string on its writable side. If you wish to write a string, you'll probably want to explicitly UTF-8-encode it with TextEncoder.");
  }
  throw typeError('This TransformStream is being used as a byte stream, but received an object of non-ArrayBuffer/ArrayBufferView type on its writable side.');
}

function identityRecord(expectedLength) {
  let seen = 0;
  const transform = (chunk, enqueue) => {
    const bytes = copyBytes(chunk);
    if (expectedLength !== undefined) {
      seen += bytes.byteLength;
      if (seen > expectedLength) throw typeError('Attempt to write too many bytes through a FixedLengthStream.');
    }
    if (bytes.byteLength > 0) enqueue(bytes);
  };
  const flush = expectedLength === undefined ? undefined : () => {
    if (seen < expectedLength) throw typeError('FixedLengthStream did not see all expected bytes before close().');
  };
  const record = transformStreamRecord(transform, flush, undefined, true);
  record.readable.expectedLength = expectedLength;
  return record;
}

// IdentityTransformStream (Workers): a TransformStream whose readable side is
// a byte stream (so it supports BYOB readers) and whose writable side takes
// bytes only.
class IdentityTransformStream extends TransformStream {
  constructor(options = undefined) {
    dictionary(options, "Failed to construct 'IdentityTransformStream': the options");
    super(kInternal, identityRecord(undefined));
  }
}

// FixedLengthStream (Workers): an IdentityTransformStream that must see
// exactly expectedLength bytes; a Response over its readable side has a
// Content-Length.
class FixedLengthStream extends TransformStream {
  constructor(expectedLength, options = undefined) {
    let n = typeof expectedLength === 'bigint' ? NumberC(expectedLength) : +expectedLength;
    if (n !== n || n < 0 || n > NumberC.MAX_SAFE_INTEGER || MathTrunc(n) !== n) {
      throw typeError('FixedLengthStream requires a non-negative integer expected length.');
    }
    dictionary(options, "Failed to construct 'FixedLengthStream': the options");
    super(kInternal, identityRecord(n));
  }
}

const streamOption = freeze({ stream: true });
const replacementBytes = [0xEF, 0xBF, 0xBD];

class TextEncoderStream {
  #t;
  constructor() {
    const encoder = new TextEncoderC();
    let pendingHighSurrogate = '';
    this.#t = createTransformStream((chunk, enqueue) => {
      let s = `${chunk}`;
      if (pendingHighSurrogate !== '') { s = pendingHighSurrogate + s; pendingHighSurrogate = ''; }
      const n = s.length;
      if (n > 0) {
        const last = s.charCodeAt(n - 1);
        if (last >= 0xD800 && last <= 0xDBFF) { pendingHighSurrogate = s[n - 1]; s = s.slice(0, n - 1); }
      }
      if (s.length > 0) enqueue(encodeFn(encoder, s));
    }, enqueue => {
      if (pendingHighSurrogate !== '') enqueue(new Uint8ArrayC(replacementBytes));
    }, undefined, false);
  }
  get encoding() { this.#t; return 'utf-8'; }
  get readable() { return this.#t.readable.pub; }
  get writable() { return this.#t.writable.pub; }
}

class TextDecoderStream {
  #t;
  #d;
  constructor(label = undefined, options = undefined) {
    const decoder = new TextDecoderC(label, options);
    this.#d = decoder;
    this.#t = createTransformStream((chunk, enqueue) => {
      if (!isView(chunk) && !isArrayBuffer(chunk)) {
        throw typeError("Failed to execute 'transform' on 'TextDecoderStream': the chunk is not an ArrayBuffer or ArrayBufferView");
      }
      const s = decodeFn(decoder, chunk, streamOption);
      if (s !== '') enqueue(s);
    }, enqueue => {
      const s = decodeFn(decoder);
      if (s !== '') enqueue(s);
    }, undefined, false);
  }
  get encoding() { return decoderEncoding(this.#d); }
  get fatal() { return decoderFatal(this.#d); }
  get ignoreBOM() { return decoderIgnoreBOM(this.#d); }
  get readable() { return this.#t.readable.pub; }
  get writable() { return this.#t.writable.pub; }
}

// =====================================================================
// Assembly
// =====================================================================

webidlClass(ReadableStream, 'ReadableStream', 0);
defineProperty(ReadableStream.prototype, asyncIteratorSym, {
  value: ReadableStream.prototype.values, writable: true, enumerable: false, configurable: true,
});
webidlClass(ReadableStreamAsyncIterator, 'ReadableStream AsyncIterator', 0);
const asyncIteratorProto = ReadableStreamAsyncIterator.prototype;
delete asyncIteratorProto.constructor;
setPrototypeOf(asyncIteratorProto, AsyncIteratorPrototype);
webidlClass(ReadableStreamDefaultReader, 'ReadableStreamDefaultReader', 1);
webidlClass(ReadableStreamBYOBReader, 'ReadableStreamBYOBReader', 1);
webidlClass(ReadableStreamDefaultController, 'ReadableStreamDefaultController', 0);
webidlClass(ReadableByteStreamController, 'ReadableByteStreamController', 0);
webidlClass(ReadableStreamBYOBRequest, 'ReadableStreamBYOBRequest', 0);
webidlClass(WritableStream, 'WritableStream', 0);
webidlClass(WritableStreamDefaultWriter, 'WritableStreamDefaultWriter', 1);
webidlClass(WritableStreamDefaultController, 'WritableStreamDefaultController', 0);
webidlClass(TransformStream, 'TransformStream', 0);
webidlClass(TransformStreamDefaultController, 'TransformStreamDefaultController', 0);
webidlClass(ByteLengthQueuingStrategy, 'ByteLengthQueuingStrategy', 1);
webidlClass(CountQueuingStrategy, 'CountQueuingStrategy', 1);
webidlClass(IdentityTransformStream, 'IdentityTransformStream', 0);
webidlClass(FixedLengthStream, 'FixedLengthStream', 1);
webidlClass(TextEncoderStream, 'TextEncoderStream', 0);
webidlClass(TextDecoderStream, 'TextDecoderStream', 0);

const globals = {
  ReadableStream, ReadableStreamDefaultReader, ReadableStreamBYOBReader,
  ReadableStreamDefaultController, ReadableByteStreamController, ReadableStreamBYOBRequest,
  WritableStream, WritableStreamDefaultWriter, WritableStreamDefaultController,
  TransformStream, TransformStreamDefaultController,
  ByteLengthQueuingStrategy, CountQueuingStrategy,
  IdentityTransformStream, FixedLengthStream,
};
if (TextEncoderC !== undefined) globals.TextEncoderStream = TextEncoderStream;
if (TextDecoderC !== undefined) globals.TextDecoderStream = TextDecoderStream;
// Go defines the globals (lazily: see Install in streams.go).

// internals are the operations Go and the other families' glue use. Go
// holds reader records as opaque values.
return {
  globals,
  // createTransform(transform, flush, cancel) returns [readable, writable]
  // of a new TransformStream whose algorithms run synchronously.
  createTransform(transform, flush, cancel) {
    const t = createTransformStream(transform, flush, cancel, false);
    return [t.readable.pub, t.writable.pub];
  },
  isReadableStream: isRS,
  isWritableStream: isWS,

  // goStream makes a byte stream fed from Go: pull() returns a promise that
  // settles once Go has delivered (goDeliver) the next chunk or the end;
  // cancel(reason) stops the Go side. handle is what goTake gives back.
  goStream(handle) {
    return new ReadableStream(kInternal, new LazyGo(handle));
  },
  // goDeliver hands the stream a chunk (a Uint8Array), the end (null) or an
  // error (err !== undefined); it does nothing once the stream is done.
  goDeliver(pub, chunk, err) {
    const s = rsOf(pub);
    const c = s.controller;
    if (s.state !== 'readable' || c.closeRequested) return;
    if (err !== undefined) { readableByteStreamControllerError(c, err); return; }
    if (chunk === null) {
      readableByteStreamControllerClose(c);
      if (c.pendingPullIntos.length > 0) readableByteStreamControllerRespond(c, 0);
      return;
    }
    readableByteStreamControllerEnqueue(c, chunk);
  },
  // goTake returns the handle of a Go-fed stream that JS has not touched
  // (not locked, not read, nothing queued or being pulled), and locks it for
  // good so the Go source can be used directly; otherwise undefined.
  goTake(pub) {
    if (!isRS(pub)) return undefined;
    const raw = rawRS(pub);
    if (raw instanceof LazyGo) {
      if (raw.taken) return undefined;
      raw.taken = true;
      return raw.handle;
    }
    const s = raw;
    const h = s.go;
    if (h === undefined || s.state !== 'readable' || s.disturbed || s.reader !== undefined) return undefined;
    const c = s.controller;
    if (c.queueTotalSize > 0 || c.pulling) return undefined;
    s.go = undefined;
    acquireReadableStreamDefaultReader(s);
    s.disturbed = true;
    return h;
  },
  // state returns [locked, disturbed] of a stream.
  state(pub) {
    const raw = rawRS(pub);
    if (raw instanceof LazyGo) return raw.taken ? 3 : 0;
    return (raw.reader !== undefined ? 1 : 0) | (raw.disturbed ? 2 : 0);
  },
  expectedLength(pub) { const raw = rawRS(pub); return raw instanceof LazyGo ? undefined : raw.expectedLength; },
  tee(pub) {
    const [a, b] = readableStreamTee(rsOf(pub), true);
    return [a.pub, b.pub];
  },
  // reader acquires a default reader (throws a TypeError when locked).
  reader(pub) { return acquireReadableStreamDefaultReader(rsOf(pub)); },
  // read reads one chunk with the given steps (no promise per chunk).
  read(reader, chunkSteps, closeSteps, errorSteps) {
    if (reader.stream === undefined) { errorSteps(typeError('The reader was released')); return; }
    readableStreamDefaultReaderRead(reader, { chunkSteps, closeSteps, errorSteps });
  },
  // cancelReader cancels the stream and releases the reader.
  cancelReader(reader, reason) {
    if (reader.stream === undefined) return;
    const p = readableStreamReaderGenericCancel(reader, reason);
    setHandled(p);
    readableStreamDefaultReaderRelease(reader);
  },
  // readAll reads the stream to its end, as Fetch's "fully read" does (the
  // stream stays locked): onChunk(chunk) for each chunk (it returns an error
  // value to stop and cancel the stream), then onEnd(error) with undefined
  // at the end. Synchronously available chunks are read in a loop, not
  // recursively.
  readAll(pub, onChunk, onEnd) {
    const reader = acquireReadableStreamDefaultReader(rsOf(pub));
    let sync = false, again = false;
    const rr = {
      chunkSteps(chunk) {
        const err = onChunk(chunk);
        if (err !== undefined) {
          setHandled(readableStreamReaderGenericCancel(reader, err));
          onEnd(err);
          return;
        }
        if (sync) again = true;
        else loop();
      },
      closeSteps() { onEnd(undefined); },
      errorSteps(e) { onEnd(e); },
    };
    function loop() {
      do {
        again = false;
        sync = true;
        readableStreamDefaultReaderRead(reader, rr);
        sync = false;
      } while (again);
    }
    loop();
  },
};
});
