/**
 * A small typed layer over `onnx-proto` (ONNX 1.10 protobuf schema) for building ONNX graphs in
 * code: the tiny test models (models/generate-tiny.ts) and the GridSample warp graph are built
 * with it. Nothing here runs a model; onnxruntime-node does that.
 */
import { onnx } from 'onnx-proto';

/** Tensor element types the project uses, named as onnxruntime-node names them. */
export const ONNX_DTYPES = {
  float32: onnx.TensorProto.DataType.FLOAT,
  uint8: onnx.TensorProto.DataType.UINT8,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
} as const;

/** One of {@link ONNX_DTYPES}' keys. */
export type OnnxDtype = keyof typeof ONNX_DTYPES;

/** A dimension: a fixed size or a symbolic name (e.g. `"height"`). */
export type Dim = number | string;

/** A graph input or output. */
export interface ValueSpec {
  name: string;
  dtype: OnnxDtype;
  shape: Dim[];
}

/** A node attribute, tagged by kind (ONNX distinguishes INT from FLOAT). */
export type AttrValue = { i: number } | { f: number } | { s: string } | { ints: number[] } | { floats: number[] };

/** One operator node. */
export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
}

/** A constant tensor stored in the model (weights, axes, shapes). */
export interface InitializerSpec {
  name: string;
  dims: number[];
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
}

/** Everything needed to encode one model. */
export interface GraphSpec {
  name: string;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: InitializerSpec[];
  /** Default opset 17 (GridSample needs ≥ 16; mode names change at 20). */
  opset?: number;
  /** Written to the model's `metadata_props`. */
  metadata?: Record<string, string>;
}

function valueInfo(v: ValueSpec): onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPES[v.dtype],
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('i' in v) return { name, type: T.INT, i: v.i };
  if ('f' in v) return { name, type: T.FLOAT, f: v.f };
  if ('s' in v) return { name, type: T.STRING, s: Buffer.from(v.s, 'utf8') };
  if ('ints' in v) return { name, type: T.INTS, ints: v.ints };
  return { name, type: T.FLOATS, floats: v.floats };
}

function initializer(t: InitializerSpec): onnx.ITensorProto {
  const dataType =
    t.data instanceof Float32Array ? ONNX_DTYPES.float32
      : t.data instanceof Int32Array ? ONNX_DTYPES.int32
        : t.data instanceof BigInt64Array ? ONNX_DTYPES.int64 : ONNX_DTYPES.uint8;
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== expected) throw new RangeError(`initializer ${t.name}: ${t.data.length} values for dims [${t.dims}]`);
  return {
    name: t.name, dims: t.dims, dataType,
    rawData: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength),
  };
}

/** Encode a graph as ONNX model bytes (IR version 8), ready for `InferenceSession.create`. */
export function encodeModel(spec: GraphSpec): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: spec.name,
    node: spec.nodes.map((n, k) => ({
      name: `${n.op}_${k}`, opType: n.op, input: n.inputs, output: n.outputs,
      attribute: Object.entries(n.attrs ?? {}).map(([name, v]) => attribute(name, v)),
    })),
    initializer: (spec.initializers ?? []).map(initializer),
    input: spec.inputs.map(valueInfo),
    output: spec.outputs.map(valueInfo),
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'smartdrag',
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    graph,
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Shorthand for a float32 initializer. */
export function f32(name: string, dims: number[], values: ArrayLike<number>): InitializerSpec {
  return { name, dims, data: Float32Array.from(values) };
}

/** Shorthand for an int64 initializer (axes, shapes). */
export function i64(name: string, values: number[]): InitializerSpec {
  return { name, dims: [values.length], data: BigInt64Array.from(values.map((v) => BigInt(v))) };
}
