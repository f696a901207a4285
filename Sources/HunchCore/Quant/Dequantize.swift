// MARK: - Rows of any supported type

/// Dequantises `count` elements of `type` from `source` into `destination`.
///
/// The caller guarantees that `count` is a multiple of the type's block size
/// (`type.blockLayout.elements`), that `source` holds `count / elements * bytes`
/// bytes and `destination` room for `count` floats, and that `type.isSupported`.
/// Breaking one of these is a programming error. `GGUFFile.dequantize(_:)`
/// checks them for tensors from a file.
/// Multi-byte fields are read as little-endian; F32 data is copied as is, which
/// assumes a little-endian host (the only kind hunch builds for).
public func dequantizeRow(
    _ type: GGMLType, source: UnsafeRawPointer, count: Int, into destination: UnsafeMutablePointer<Float>
) {
    let layout = type.blockLayout
    precondition(count >= 0 && count % layout.elements == 0, "\(count) elements is not a whole number of \(type.name) blocks")
    let blockCount = count / layout.elements
    let bytes = source.bindMemory(to: UInt8.self, capacity: blockCount * layout.bytes)

    switch type {
    case .f32:
        UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
    case .f16:
        for i in 0..<count {
            destination[i] = source.loadHalf(at: 2 * i)
        }
    case .bf16:
        for i in 0..<count {
            destination[i] = floatFromBFloat16(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        }
    case .q4_0: dequantizeQ4_0(bytes, blockCount: blockCount, into: destination)
    case .q4_1: dequantizeQ4_1(bytes, blockCount: blockCount, into: destination)
    case .q5_0: dequantizeQ5_0(bytes, blockCount: blockCount, into: destination)
    case .q5_1: dequantizeQ5_1(bytes, blockCount: blockCount, into: destination)
    case .q8_0: dequantizeQ8_0(bytes, blockCount: blockCount, into: destination)
    case .q2_K: dequantizeQ2_K(bytes, blockCount: blockCount, into: destination)
    case .q3_K: dequantizeQ3_K(bytes, blockCount: blockCount, into: destination)
    case .q4_K: dequantizeQ4_K(bytes, blockCount: blockCount, into: destination)
    case .q5_K: dequantizeQ5_K(bytes, blockCount: blockCount, into: destination)
    case .q6_K: dequantizeQ6_K(bytes, blockCount: blockCount, into: destination)
    default:
        preconditionFailure("dequantizeRow called with unsupported type \(type.name); check GGMLType.isSupported first")
    }
}

// MARK: - Tensors of a GGUF file

extension GGUFFile {
    /// Dequantises a whole tensor to Float, in file order (`dimensions[0]` varies fastest).
    ///
    /// Throws `unsupportedTensorType` naming the tensor when its type has no dequantiser.
    public func dequantize(_ tensor: GGUFTensorInfo) throws(GGUFError) -> [Float] {
        try Self.checkSupported(tensor)
        let count = tensor.elementCount
        let data = data(of: tensor)
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let source = data.baseAddress, let destination = buffer.baseAddress {
                HunchCore.dequantizeRow(tensor.type, source: source, count: count, into: destination)
            }
            initialized = count
        }
    }

    /// Dequantises row `row` of a tensor (`rowLength` floats): one token's
    /// embedding when the tensor is `token_embd.weight`.
    public func dequantizeRow(of tensor: GGUFTensorInfo, row: Int) throws(GGUFError) -> [Float] {
        var result = [Float](repeating: 0, count: tensor.rowLength)
        try result.withUnsafeMutableBufferPointer { (buffer) throws(GGUFError) in
            try dequantizeRow(of: tensor, row: row, into: buffer)
        }
        return result
    }

    /// Dequantises row `row` of a tensor into `destination`, which must hold at
    /// least `rowLength` floats; for lookups that reuse one buffer.
    public func dequantizeRow(
        of tensor: GGUFTensorInfo, row: Int, into destination: UnsafeMutableBufferPointer<Float>
    ) throws(GGUFError) {
        try Self.checkSupported(tensor)
        guard row >= 0, row < tensor.rowCount else {
            throw .rowOutOfRange(tensor: tensor.name, row: row, rowCount: tensor.rowCount)
        }
        precondition(destination.count >= tensor.rowLength, "destination holds \(destination.count) floats, row needs \(tensor.rowLength)")
        guard tensor.rowLength > 0, let source = data(of: tensor).baseAddress, let output = destination.baseAddress else { return }
        HunchCore.dequantizeRow(
            tensor.type, source: source + row * tensor.rowByteCount, count: tensor.rowLength, into: output)
    }

    private static func checkSupported(_ tensor: GGUFTensorInfo) throws(GGUFError) {
        guard tensor.type.isSupported else {
            throw .unsupportedTensorType(tensor: tensor.name, type: tensor.type.name)
        }
    }
}
