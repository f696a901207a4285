// Dequantisers for the 32-element block types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0).
//
// Block layouts are ggml's, as decoded by gguf-py 0.19.0 (`gguf/quants.py`).
// Scales are little-endian binary16. Each loop performs the same float32
// operations in the same order as gguf-py, so results are bit-identical to it,
// and the tests compare bit patterns.
//
// Every function reads `blockCount` whole blocks from `x` and writes
// `blockCount * 32` floats to `y`; the caller guarantees both sizes.

let blockQuantElements = 32

// MARK: - Q4_0

/// Q4_0, 18 bytes per 32 elements:
///
///     0..<2    d   f16 scale
///     2..<18   qs  16 bytes of 4-bit quants: byte i contains element i in its low
///                  nibble and element i + 16 in its high nibble
///
/// element = d * (q - 8)
func dequantizeQ4_0(_ x: UnsafePointer<UInt8>, blockCount: Int, into y: UnsafeMutablePointer<Float>) {
    for block in 0..<blockCount {
        let source = x + block * 18
        let output = y + block * blockQuantElements
        let d = UnsafeRawPointer(source).loadHalf(at: 0)
        let qs = source + 2
        for i in 0..<16 {
            output[i] = d * Float(Int32(qs[i] & 0x0F) - 8)
            output[i + 16] = d * Float(Int32(qs[i] >> 4) - 8)
        }
    }
}

// MARK: - Q4_1

/// Q4_1, 20 bytes per 32 elements:
///
///     0..<2    d   f16 scale
///     2..<4    m   f16 minimum
///     4..<20   qs  4-bit quants, nibbles ordered as in Q4_0
///
/// element = d * q + m
func dequantizeQ4_1(_ x: UnsafePointer<UInt8>, blockCount: Int, into y: UnsafeMutablePointer<Float>) {
    for block in 0..<blockCount {
        let source = x + block * 20
        let output = y + block * blockQuantElements
        let d = UnsafeRawPointer(source).loadHalf(at: 0)
        let m = UnsafeRawPointer(source).loadHalf(at: 2)
        let qs = source + 4
        for i in 0..<16 {
            output[i] = d * Float(qs[i] & 0x0F) + m
            output[i + 16] = d * Float(qs[i] >> 4) + m
        }
    }
}

// MARK: - Q5_0

/// Q5_0, 22 bytes per 32 elements:
///
///     0..<2    d   f16 scale
///     2..<6    qh  little-endian UInt32: bit i is the fifth (high) bit of element i
///     6..<22   qs  low 4 bits, nibbles ordered as in Q4_0
///
/// element = d * (q - 16)
func dequantizeQ5_0(_ x: UnsafePointer<UInt8>, blockCount: Int, into y: UnsafeMutablePointer<Float>) {
    for block in 0..<blockCount {
        let source = x + block * 22
        let output = y + block * blockQuantElements
        let d = UnsafeRawPointer(source).loadHalf(at: 0)
        let qh = UInt32(littleEndian: UnsafeRawPointer(source).loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        let qs = source + 6
        for i in 0..<16 {
            let low = Int32(qs[i] & 0x0F) | Int32((qh >> UInt32(i)) & 1) << 4
            let high = Int32(qs[i] >> 4) | Int32((qh >> UInt32(i + 16)) & 1) << 4
            output[i] = d * Float(low - 16)
            output[i + 16] = d * Float(high - 16)
        }
    }
}

// MARK: - Q5_1

/// Q5_1, 24 bytes per 32 elements:
///
///     0..<2    d   f16 scale
///     2..<4    m   f16 minimum
///     4..<8    qh  high bits as in Q5_0
///     8..<24   qs  low 4 bits as in Q5_0
///
/// element = d * q + m
func dequantizeQ5_1(_ x: UnsafePointer<UInt8>, blockCount: Int, into y: UnsafeMutablePointer<Float>) {
    for block in 0..<blockCount {
        let source = x + block * 24
        let output = y + block * blockQuantElements
        let d = UnsafeRawPointer(source).loadHalf(at: 0)
        let m = UnsafeRawPointer(source).loadHalf(at: 2)
        let qh = UInt32(littleEndian: UnsafeRawPointer(source).loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let qs = source + 8
        for i in 0..<16 {
            let low = UInt32(qs[i] & 0x0F) | ((qh >> UInt32(i)) & 1) << 4
            let high = UInt32(qs[i] >> 4) | ((qh >> UInt32(i + 16)) & 1) << 4
            output[i] = d * Float(low) + m
            output[i + 16] = d * Float(high) + m
        }
    }
}

// MARK: - Q8_0

/// Q8_0, 34 bytes per 32 elements:
///
///     0..<2    d   f16 scale
///     2..<34   qs  32 signed 8-bit quants, in element order
///
/// element = d * q
func dequantizeQ8_0(_ x: UnsafePointer<UInt8>, blockCount: Int, into y: UnsafeMutablePointer<Float>) {
    for block in 0..<blockCount {
        let source = x + block * 34
        let output = y + block * blockQuantElements
        let d = UnsafeRawPointer(source).loadHalf(at: 0)
        let qs = source + 2
        for i in 0..<32 {
            output[i] = d * Float(Int8(bitPattern: qs[i]))
        }
    }
}
