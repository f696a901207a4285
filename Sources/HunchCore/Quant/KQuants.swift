// Dequantisers for the k-quants (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K).
//
// A k-quant super-block holds 256 elements split into sub-blocks of 16 or 32,
// each with its own small integer scale (and minimum), which one or two f16
// super-block scales turn into floats. Layouts are ggml's, as decoded by
// gguf-py 0.19.0 (`gguf/quants.py`). Each loop performs the same float32
// operations in the same order as gguf-py, so results are bit-identical to it.
//
// Several types spread a 256-element super-block over 2-bit fields the same way:
// element 128h + 32k + l (h in 0..<2, k in 0..<4, l in 0..<32) sits in bits
// 2k...2k+1 of byte 32h + l of the quant array. That lets one byte load feed
// four output runs of 32.
//
// Every function reads `blockCount` whole super-blocks from `x` and writes
// `blockCount * 256` floats to `y`; the caller guarantees both sizes.

let kQuantElements = 256

// MARK: - Q2_K

/// Q2_K, 84 bytes per 256 elements, 16 groups of 16:
///
///     0..<16   scales  byte j: group j's 4-bit scale (low nibble) and 4-bit minimum (high nibble)
///     16..<80  qs      2-bit quants in the 2-bit arrangement above
///     80..<82  d       f16 scale of the group scales
///     82..<84  dmin    f16 scale of the group minimums
///
/// element = d * scale[j] * q - dmin * min[j]
func dequantizeQ2_K(_ x: UnsafePointer<UInt8>, blockCount: Int, into y: UnsafeMutablePointer<Float>) {
    for block in 0..<blockCount {
        let source = x + block * 84
        let output = y + block * kQuantElements
        let scales = source
        let d = UnsafeRawPointer(source).loadHalf(at: 80)
        let dmin = UnsafeRawPointer(source).loadHalf(at: 82)

        for h in 0..<2 {
            let qs = source + 16 + 32 * h
            for k in 0..<4 {
                let shift = UInt8(2 * k)
                for half in 0..<2 {
                    let scale = scales[8 * h + 2 * k + half]
                    let dl = d * Float(scale & 0x0F)
                    let ml = dmin * Float(scale >> 4)
                    let q = qs + 16 * half
                    let out = output + 128 * h + 32 * k + 16 * half
                    for l in 0..<16 {
                        out[l] = dl * Float((q[l] >> shift) & 3) - ml
                    }
                }
            }
        }
    }
}

// MARK: - Q3_K

/// Q3_K, 110 bytes per 256 elements, 16 groups of 16:
///
///     0..<32    hmask   bit m of byte l is the high (third) bit of element 32m + l
///     32..<96   qs      low 2 bits in the 2-bit arrangement above
///     96..<108  scales  sixteen 6-bit scales stored with an offset of 32:
///                       low 4 bits of scale j: byte j (j < 8, low nibble) or
///                       byte j - 8 (j >= 8, high nibble); high 2 bits of scale j:
///                       bits 2(j / 4)...2(j / 4)+1 of byte 8 + j % 4
///     108..<110 d       f16 scale of the group scales
///
/// q = low2 - 4 when the high bit is clear, else low2 (so q is in -4...3);
/// element = d * (scale[j] - 32) * q
func dequantizeQ3_K(_ x: UnsafePointer<UInt8>, blockCount: Int, into y: UnsafeMutablePointer<Float>) {
    for block in 0..<blockCount {
        let source = x + block * 110
        let output = y + block * kQuantElements
        let hmask = source
        let packed = source + 96
        let d = UnsafeRawPointer(source).loadHalf(at: 108)

        for h in 0..<2 {
            let qs = source + 32 + 32 * h
            for k in 0..<4 {
                let shift = UInt8(2 * k)
                let highBit = UInt8(1) << UInt8(4 * h + k)
                for half in 0..<2 {
                    let j = 8 * h + 2 * k + half
                    let low = j < 8 ? packed[j] & 0x0F : packed[j - 8] >> 4
                    let high = (packed[8 + j % 4] >> UInt8(2 * (j / 4))) & 3
                    let dl = d * Float(Int32(low | high << 4) - 32)
                    let q = qs + 16 * half
                    let m = hmask + 16 * half
                    let out = output + 128 * h + 32 * k + 16 * half
                    for l in 0..<16 {
                        let offset: Int32 = m[l] & highBit == 0 ? 4 : 0
                        out[l] = dl * Float(Int32((q[l] >> shift) & 3) - offset)
                    }
                }
            }
        }
    }
}

// MARK: - Q4_K and Q5_K scales

/// Unpacks scale and minimum `j` (0..<8) of a Q4_K or Q5_K super-block.
///
/// The 12 bytes hold eight 6-bit scales and eight 6-bit minimums:
///
///     j < 4:  scale = b[j] & 63,                          min = b[j + 4] & 63
///     j >= 4: scale = (b[j + 4] & 15) | (b[j - 4] >> 6) << 4,
///             min   = (b[j + 4] >> 4) | (b[j] >> 6) << 4
///
/// so bytes 0..<8 carry the first four of each in their low 6 bits and the top
/// 2 bits of the last four; bytes 8..<12 carry the low 4 bits of the last four.
@inline(__always)
func unpackScaleAndMin(_ b: UnsafePointer<UInt8>, _ j: Int) -> (scale: UInt8, min: UInt8) {
    if j < 4 {
        return (b[j] & 63, b[j + 4] & 63)
    }
    return ((b[j + 4] & 0x0F) | (b[j - 4] >> 6) << 4, (b[j + 4] >> 4) | (b[j] >> 6) << 4)
}

// MARK: - Q4_K

/// Q4_K, 144 bytes per 256 elements, 8 sub-blocks of 32:
///
///     0..<2    d       f16 scale of the sub-block scales
///     2..<4    dmin    f16 scale of the sub-block minimums
///     4..<16   scales  6-bit scales and minimums, see `unpackScaleAndMin`
///     16..<144 qs      4-bit quants: byte l of 32-byte group g holds element
///                      64g + l (sub-block 2g) in its low nibble and element
///                      64g + 32 + l (sub-block 2g + 1) in its high nibble
///
/// element = d * scale[s] * q - dmin * min[s], s = sub-block
func dequantizeQ4_K(_ x: UnsafePointer<UInt8>, blockCount: Int, into y: UnsafeMutablePointer<Float>) {
    for block in 0..<blockCount {
        let source = x + block * 144
        let output = y + block * kQuantElements
        let d = UnsafeRawPointer(source).loadHalf(at: 0)
        let dmin = UnsafeRawPointer(source).loadHalf(at: 2)
        let scales = source + 4

        for g in 0..<4 {
            let (scaleLow, minLow) = unpackScaleAndMin(scales, 2 * g)
            let (scaleHigh, minHigh) = unpackScaleAndMin(scales, 2 * g + 1)
            let d1 = d * Float(scaleLow), m1 = dmin * Float(minLow)
            let d2 = d * Float(scaleHigh), m2 = dmin * Float(minHigh)
            let qs = source + 16 + 32 * g
            let out = output + 64 * g
            for l in 0..<32 {
                out[l] = d1 * Float(qs[l] & 0x0F) - m1
            }
            for l in 0..<32 {
                out[32 + l] = d2 * Float(qs[l] >> 4) - m2
            }
        }
    }
}

// MARK: - Q5_K

/// Q5_K, 176 bytes per 256 elements, 8 sub-blocks of 32:
///
///     0..<2    d       f16 scale of the sub-block scales
///     2..<4    dmin    f16 scale of the sub-block minimums
///     4..<16   scales  6-bit scales and minimums, see `unpackScaleAndMin`
///     16..<48  qh      bit s of byte l is the fifth (high) bit of element 32s + l
///     48..<176 qs      low 4 bits, nibbles arranged as in Q4_K
///
/// element = d * scale[s] * q - dmin * min[s], s = sub-block
func dequantizeQ5_K(_ x: UnsafePointer<UInt8>, blockCount: Int, into y: UnsafeMutablePointer<Float>) {
    for block in 0..<blockCount {
        let source = x + block * 176
        let output = y + block * kQuantElements
        let d = UnsafeRawPointer(source).loadHalf(at: 0)
        let dmin = UnsafeRawPointer(source).loadHalf(at: 2)
        let scales = source + 4
        let qh = source + 16

        for g in 0..<4 {
            let (scaleLow, minLow) = unpackScaleAndMin(scales, 2 * g)
            let (scaleHigh, minHigh) = unpackScaleAndMin(scales, 2 * g + 1)
            let d1 = d * Float(scaleLow), m1 = dmin * Float(minLow)
            let d2 = d * Float(scaleHigh), m2 = dmin * Float(minHigh)
            let shiftLow = UInt8(2 * g), shiftHigh = UInt8(2 * g + 1)
            let qs = source + 48 + 32 * g
            let out = output + 64 * g
            for l in 0..<32 {
                let q = (qs[l] & 0x0F) | ((qh[l] >> shiftLow) & 1) << 4
                out[l] = d1 * Float(q) - m1
            }
            for l in 0..<32 {
                let q = (qs[l] >> 4) | ((qh[l] >> shiftHigh) & 1) << 4
                out[32 + l] = d2 * Float(q) - m2
            }
        }
    }
}

// MARK: - Q6_K

/// Q6_K, 210 bytes per 256 elements, 16 groups of 16:
///
///     0..<128   ql      low 4 bits: for element 128h + p (h in 0..<2, p in 0..<128),
///                       nibble p / 64 (0 low, 1 high) of byte 64h + p % 64
///     128..<192 qh      high 2 bits, in the 2-bit arrangement above
///     192..<208 scales  signed 8-bit scale of each group of 16
///     208..<210 d       f16 scale of the group scales
///
/// element = d * scale[j] * (q - 32), q = low4 | high2 << 4
func dequantizeQ6_K(_ x: UnsafePointer<UInt8>, blockCount: Int, into y: UnsafeMutablePointer<Float>) {
    for block in 0..<blockCount {
        let source = x + block * 210
        let output = y + block * kQuantElements
        let scales = source + 192
        let d = UnsafeRawPointer(source).loadHalf(at: 208)

        for h in 0..<2 {
            let qh = source + 128 + 32 * h
            for k in 0..<4 {
                let ql = source + 64 * h + 32 * (k % 2)
                let lowShift = UInt8(4 * (k / 2))
                let highShift = UInt8(2 * k)
                for half in 0..<2 {
                    let dl = d * Float(Int8(bitPattern: scales[8 * h + 2 * k + half]))
                    let low = ql + 16 * half
                    let high = qh + 16 * half
                    let out = output + 128 * h + 32 * k + 16 * half
                    for l in 0..<16 {
                        let q = Int32((low[l] >> lowShift) & 0x0F) | Int32((high[l] >> highShift) & 3) << 4
                        out[l] = dl * Float(q - 32)
                    }
                }
            }
        }
    }
}
