// Jest runs tests in a vm context with its own typed-array constructors; onnxruntime-node and
// sharp hand back Node-realm arrays, and ORT rejects tensors whose data is not of "its"
// Float32Array. Sharing the host realm's constructors fixes both (see ../shared/docs/STACK.md §6.2).
const { TestEnvironment } = require('jest-environment-node');
const SHARED = ['ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Float32Array', 'Float64Array', 'Int8Array',
  'Int16Array', 'Int32Array', 'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array',
  'BigInt64Array', 'BigUint64Array', 'Buffer'];
module.exports = class SmartDragEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const k of SHARED) this.global[k] = globalThis[k];
  }
};
