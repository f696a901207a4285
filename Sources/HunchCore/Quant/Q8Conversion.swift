import CHunchKernels

/// hunch's int8 form of a weight row, written as standard GGML Q8_0 blocks:
/// per 32 weights, a little-endian half scale d and 32 int8 values q (w ≈ d * q).
///
/// This is the one definition of how weights become int8. The loader packs these
/// blocks into `Q8Matrix` tiles, the embedding lookup dequantises them, and
/// `hunch quantize` writes them to a file, so a model re-quantised by hunch loads
/// into the same bits as the model it came from.
///
/// The rule (`hunch_quantize_weights_q8_0`): d = max|w| / 127 rounded to the
/// nearest half, q = w * (1 / d) rounded to nearest-even and clamped to
/// [-127, 127]. Rows already stored as Q8_0 keep their scale and values, except
/// that -128, which GGML's quantiser never writes, becomes -127. GGML's own
/// reference quantiser (`quantize_row_q8_0_ref` in ggml/src/ggml-quants.c)
/// divides by the unrounded scale and rounds half away from zero, so its Q8_0
/// of the same Float weights can differ from hunch's by one step in a few values.
public enum Q8Conversion {
    public static let blockBytes = Int(HUNCH_Q8_0_BLOCK_BYTES)

    /// Bytes of one row of `columns` weights (a multiple of 32) as Q8_0 blocks.
    public static func rowByteCount(columns: Int) -> Int {
        columns / Q8Matrix.blockSize * blockBytes
    }

    /// Quantises `count` Floats (a multiple of 32) into `count / 32` Q8_0 blocks.
    /// Every `isa` gives the same bytes.
    public static func quantize(
        _ values: UnsafePointer<Float>, count: Int, into blocks: UnsafeMutableRawPointer, isa: KernelISA = .active
    ) {
        precondition(count % Q8Matrix.blockSize == 0, "\(count) weights is not a whole number of 32-weight blocks")
        hunch_quantize_weights_q8_0(isa.cValue, values, Int32(count), blocks.assumingMemoryBound(to: UInt8.self))
    }

    /// Converts one row of `count` elements stored as `type` into Q8_0 blocks.
    ///
    /// `scratch` must hold `count` Floats: rows of other types are dequantised
    /// there first. The caller guarantees that `type.isSupported`, that `count`
    /// is a multiple of both 32 and the type's block size, and that `source`
    /// holds the row's bytes. It may pass the same memory as `scratch` and as
    /// the destination of a later `dequantizeRow(.q8_0, ...)`.
    public static func convertRow(
        _ type: GGMLType, source: UnsafeRawPointer, count: Int, scratch: UnsafeMutablePointer<Float>,
        into blocks: UnsafeMutableRawPointer, isa: KernelISA = .active
    ) {
        guard type == .q8_0 else {
            dequantizeRow(type, source: source, count: count, into: scratch)
            quantize(scratch, count: count, into: blocks, isa: isa)
            return
        }
        blocks.copyMemory(from: source, byteCount: rowByteCount(columns: count))
        let bytes = blocks.assumingMemoryBound(to: Int8.self)
        for block in 0..<(count / Q8Matrix.blockSize) {
            let values = bytes + block * blockBytes + 2
            for i in 0..<Q8Matrix.blockSize where values[i] == -128 { values[i] = -127 }
        }
    }
}
