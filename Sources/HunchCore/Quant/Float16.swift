// MARK: - Half and bfloat16 conversion

/// Converts an IEEE 754 binary16 bit pattern to Float, exactly.
///
/// Written out in integer operations because Swift's `Float16` conversion on
/// x86_64 calls the runtime helper `__extendhfsf2` unless F16C is enabled, and
/// this runs once per element for F16 tensors. NaN payloads are kept bit for bit
/// (a signalling NaN stays signalling), as numpy's float16 to float32 cast does.
@inline(__always)
public func floatFromHalf(_ bits: UInt16) -> Float {
    let sign = UInt32(bits & 0x8000) << 16
    let exponent = UInt32(bits >> 10) & 0x1F
    let mantissa = UInt32(bits & 0x03FF)

    if exponent == 0x1F {
        // Infinity or NaN: all exponent bits set in Float too.
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    }
    if exponent == 0 {
        // Zero or subnormal: mantissa * 2^-24, exact because mantissa < 2^10.
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    }
    // Normal: rebias the exponent from 15 to 127.
    return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
}

/// Converts a bfloat16 bit pattern to Float: bfloat16 is the top half of a Float.
@inline(__always)
public func floatFromBFloat16(_ bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
}

// MARK: - Unaligned little-endian loads

extension UnsafeRawPointer {
    /// Loads a little-endian binary16 value at `offset` bytes and widens it to Float.
    @inline(__always)
    func loadHalf(at offset: Int) -> Float {
        floatFromHalf(UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }
}
