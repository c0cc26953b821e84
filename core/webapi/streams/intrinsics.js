// The intrinsics streams.js uses, captured when a runtime is created, before
// user code runs: streams.js itself is evaluated on first use (see Install in
// streams.go), possibly after user code patched Promise.prototype.then,
// Object.defineProperty or TextDecoder.prototype.decode, and these patches
// must not change how streams behave internally.
(function () {
'use strict';
const G = globalThis;
const ObjectC = G.Object;
const SymbolC = G.Symbol;
const ArrayBufferC = G.ArrayBuffer;
const Uint8ArrayC = G.Uint8Array;
const PromiseC = G.Promise;
const getOwnPropertyDescriptor = ObjectC.getOwnPropertyDescriptor;
const uncurry = Function.prototype.bind.bind(Function.prototype.call);
const TextEncoderC = G.TextEncoder;
const TextDecoderC = G.TextDecoder;
const decoderGetter = name => TextDecoderC && uncurry(getOwnPropertyDescriptor(TextDecoderC.prototype, name).get);
return {
  G, PromiseC, ObjectC, ArrayBufferC, Uint8ArrayC, SymbolC, getOwnPropertyDescriptor, uncurry,
  TypeErrorC: G.TypeError,
  RangeErrorC: G.RangeError,
  DataViewC: G.DataView,
  NumberC: G.Number,
  MathMin: Math.min,
  MathTrunc: Math.trunc,
  isView: ArrayBufferC.isView,
  defineProperty: ObjectC.defineProperty,
  ownKeys: Reflect.ownKeys,
  setPrototypeOf: ObjectC.setPrototypeOf,
  getPrototypeOf: ObjectC.getPrototypeOf,
  freeze: ObjectC.freeze,
  promiseThen: uncurry(PromiseC.prototype.then),
  promiseResolveFn: PromiseC.resolve,
  promiseRejectFn: PromiseC.reject,
  abSlice: uncurry(ArrayBufferC.prototype.slice),
  abByteLength: uncurry(getOwnPropertyDescriptor(ArrayBufferC.prototype, 'byteLength').get),
  u8Set: uncurry(Uint8ArrayC.prototype.set),
  typedArrayTag: uncurry(getOwnPropertyDescriptor(ObjectC.getPrototypeOf(Uint8ArrayC.prototype), SymbolC.toStringTag).get),
  asyncIteratorSym: SymbolC.asyncIterator,
  iteratorSym: SymbolC.iterator,
  toStringTagSym: SymbolC.toStringTag,
  AbortSignalC: G.AbortSignal,
  structuredCloneFn: G.structuredClone,
  AbortControllerC: G.AbortController,
  TextEncoderC, TextDecoderC,
  encodeFn: TextEncoderC && uncurry(TextEncoderC.prototype.encode),
  decodeFn: TextDecoderC && uncurry(TextDecoderC.prototype.decode),
  decoderEncoding: decoderGetter('encoding'),
  decoderFatal: decoderGetter('fatal'),
  decoderIgnoreBOM: decoderGetter('ignoreBOM'),
};
})
