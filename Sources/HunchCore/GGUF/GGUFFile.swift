/// A parsed, memory-mapped GGUF file (versions 2 and 3, little-endian).
///
/// Opening parses the header, the metadata and the tensor infos and checks them
/// all against the file's size; tensor data stays in the map until it is read.
/// Layout, from the GGUF specification in ggml-org/ggml `docs/gguf.md`:
///
///     magic "GGUF" | version u32 | tensor count u64 | metadata count u64
///     metadata: (key string, value type u32, value) * count
///     tensor infos: (name string, n_dims u32, dims u64 * n_dims, type u32, offset u64) * count
///     padding to `general.alignment` (default 32) | tensor data
public final class GGUFFile: @unchecked Sendable {
    public static let magic: UInt32 = 0x4655_4747  // "GGUF" read as little-endian UInt32
    public static let defaultAlignment = 32
    public static let maximumDimensions = 4
    static let maximumArrayNesting = 4

    public let path: String
    public let version: UInt32
    /// Metadata entries by key.
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    /// Byte offset of the data section from the start of the file.
    public let dataSectionOffset: Int
    public let file: MappedFile
    private let tensorIndex: [String: Int]

    /// Size of the file in bytes.
    public var fileSize: Int { file.size }

    public convenience init(path: String) throws(GGUFError) {
        try self.init(file: try MappedFile(path: path))
    }

    public init(file: MappedFile) throws(GGUFError) {
        self.file = file
        self.path = file.path
        var cursor = ByteCursor(file.bytes)

        // Header.
        let magic = try cursor.read(UInt32.self, field: "magic")
        guard magic == Self.magic else { throw .badMagic(found: magic) }
        version = try cursor.read(UInt32.self, field: "version")
        guard version == 2 || version == 3 else { throw .unsupportedVersion(found: version) }
        // A tensor info takes at least 8 + 4 + 8 + 4 + 8 bytes and a metadata entry at least 8 + 4 + 1.
        let tensorCount = try cursor.readCount(field: "tensor count", minimumElementSize: 32)
        let metadataCount = try cursor.readCount(field: "metadata count", minimumElementSize: 13)

        // Metadata.
        var metadata: [String: GGUFValue] = [:]
        metadata.reserveCapacity(metadataCount)
        var keys: [String] = []
        for _ in 0..<metadataCount {
            let key = try cursor.readString(field: "metadata key")
            let rawType = try cursor.read(UInt32.self, field: "type of \"\(key)\"")
            guard let type = GGUFValueType(rawValue: rawType) else {
                throw .unknownValueType(key: key, rawType: rawType)
            }
            let value = try Self.readValue(type, key: key, depth: 0, cursor: &cursor)
            guard metadata.updateValue(value, forKey: key) == nil else { throw .duplicateKey(key: key) }
            keys.append(key)
        }
        self.metadata = metadata
        self.metadataKeys = keys

        alignment = try Self.alignment(in: metadata)

        // Tensor infos.
        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(tensorCount)
        var index: [String: Int] = [:]
        for _ in 0..<tensorCount {
            let info = try Self.readTensorInfo(cursor: &cursor, alignment: alignment)
            guard index.updateValue(tensors.count, forKey: info.name) == nil else {
                throw .duplicateTensor(name: info.name)
            }
            tensors.append(info)
        }
        self.tensors = tensors
        self.tensorIndex = index

        // Tensor data: starts at the next multiple of the alignment.
        let (padded, overflow) = cursor.offset.addingReportingOverflow(alignment - 1)
        let dataStart = overflow ? Int.max : padded / alignment * alignment
        dataSectionOffset = dataStart
        try Self.checkDataBounds(tensors, dataSize: max(0, file.size - dataStart))
    }

    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The raw bytes of a tensor, straight from the map.
    public func data(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        // A tensor with a zero dimension may sit past the end of a file that stops
        // before its data section, where slicing the map would trap.
        guard tensor.byteCount > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: file.bytes[(dataSectionOffset + tensor.dataOffset)...].prefix(tensor.byteCount))
    }

    /// Drops the pages of a tensor's data from resident memory (they reload on the next read).
    public func releasePages(of tensor: GGUFTensorInfo) {
        file.releasePages(offset: dataSectionOffset + tensor.dataOffset, count: tensor.byteCount)
    }

    // MARK: - Parsing steps

    private static func readValue(
        _ type: GGUFValueType, key: String, depth: Int, cursor: inout ByteCursor
    ) throws(GGUFError) -> GGUFValue {
        let field = "value of \"\(key)\""
        switch type {
        case .uint8: return .uint8(try cursor.read(UInt8.self, field: field))
        case .int8: return .int8(try cursor.read(Int8.self, field: field))
        case .uint16: return .uint16(try cursor.read(UInt16.self, field: field))
        case .int16: return .int16(try cursor.read(Int16.self, field: field))
        case .uint32: return .uint32(try cursor.read(UInt32.self, field: field))
        case .int32: return .int32(try cursor.read(Int32.self, field: field))
        case .uint64: return .uint64(try cursor.read(UInt64.self, field: field))
        case .int64: return .int64(try cursor.read(Int64.self, field: field))
        case .float32: return .float32(try cursor.readFloat(field: field))
        case .float64: return .float64(try cursor.readDouble(field: field))
        case .bool: return .bool(try cursor.read(UInt8.self, field: field) != 0)
        case .string: return .string(try cursor.readString(field: field))
        case .array: return .array(try readArray(key: key, depth: depth + 1, cursor: &cursor))
        }
    }

    private static func readArray(key: String, depth: Int, cursor: inout ByteCursor) throws(GGUFError) -> GGUFArray {
        guard depth <= maximumArrayNesting else { throw .nestingTooDeep(key: key, depth: depth) }
        let rawType = try cursor.read(UInt32.self, field: "array type of \"\(key)\"")
        guard let type = GGUFValueType(rawValue: rawType) else {
            throw .unknownValueType(key: key, rawType: rawType)
        }
        // Strings take at least their 8-byte length, nested arrays their 4-byte type and 8-byte count.
        let minimumSize = type.fixedSize ?? (type == .string ? 8 : 12)
        let count = try cursor.readCount(field: "array length of \"\(key)\"", minimumElementSize: minimumSize)
        let field = "array \"\(key)\""

        switch type {
        case .uint8: return .uint8(try cursor.readArray(UInt8.self, count: count, field: field))
        case .int8: return .int8(try cursor.readArray(Int8.self, count: count, field: field))
        case .uint16: return .uint16(try cursor.readArray(UInt16.self, count: count, field: field))
        case .int16: return .int16(try cursor.readArray(Int16.self, count: count, field: field))
        case .uint32: return .uint32(try cursor.readArray(UInt32.self, count: count, field: field))
        case .int32: return .int32(try cursor.readArray(Int32.self, count: count, field: field))
        case .uint64: return .uint64(try cursor.readArray(UInt64.self, count: count, field: field))
        case .int64: return .int64(try cursor.readArray(Int64.self, count: count, field: field))
        case .float32:
            return .float32(try cursor.readArray(UInt32.self, count: count, field: field).map(Float.init(bitPattern:)))
        case .float64:
            return .float64(try cursor.readArray(UInt64.self, count: count, field: field).map(Double.init(bitPattern:)))
        case .bool:
            return .bool(try cursor.readArray(UInt8.self, count: count, field: field).map { $0 != 0 })
        case .string:
            var strings: [String] = []
            strings.reserveCapacity(count)
            for i in 0..<count {
                strings.append(try cursor.readString(field: "element \(i) of \"\(key)\""))
            }
            return .string(strings)
        case .array:
            var arrays: [GGUFArray] = []
            for _ in 0..<count {
                arrays.append(try readArray(key: key, depth: depth + 1, cursor: &cursor))
            }
            return .array(arrays)
        }
    }

    private static func alignment(in metadata: [String: GGUFValue]) throws(GGUFError) -> Int {
        guard let value = metadata["general.alignment"] else { return defaultAlignment }
        guard let alignment = value.intValue else {
            throw .wrongValueType(key: "general.alignment", expected: "uint32", found: value.type.name)
        }
        guard alignment > 0, alignment <= 65536, alignment & (alignment - 1) == 0 else {
            throw .invalidAlignment(value: alignment)
        }
        return alignment
    }

    private static func readTensorInfo(cursor: inout ByteCursor, alignment: Int) throws(GGUFError) -> GGUFTensorInfo {
        let name = try cursor.readString(field: "tensor name")
        let dimensionCount = try cursor.read(UInt32.self, field: "dimension count of \"\(name)\"")
        guard dimensionCount >= 1, dimensionCount <= UInt32(maximumDimensions) else {
            throw .invalidDimensionCount(tensor: name, count: dimensionCount, maximum: maximumDimensions)
        }

        var rawDimensions: [UInt64] = []
        for i in 0..<Int(dimensionCount) {
            let value = try cursor.read(UInt64.self, field: "dimension \(i) of \"\(name)\"")
            guard value <= UInt64(Int64.max) else { throw .invalidDimension(tensor: name, index: i, value: value) }
            rawDimensions.append(value)
        }
        // A zero dimension makes the element count 0, but the row count and the bytes
        // of a row are products of the other dimensions. Bounding the product of the
        // nonzero dimensions keeps every such product within Int.
        var nonzeroProduct: Int = 1
        for value in rawDimensions where value != 0 {
            let (product, overflow) = nonzeroProduct.multipliedReportingOverflow(by: Int(value))
            guard !overflow else { throw .elementCountOverflow(tensor: name, dimensions: rawDimensions) }
            nonzeroProduct = product
        }
        let elementCount = rawDimensions.contains(0) ? 0 : nonzeroProduct
        let dimensions = rawDimensions.map { Int($0) }

        let rawType = try cursor.read(UInt32.self, field: "type of \"\(name)\"")
        guard let type = GGMLType(rawValue: rawType) else {
            throw .unknownTensorType(tensor: name, rawType: rawType)
        }
        let layout = type.blockLayout
        guard dimensions[0] % layout.elements == 0 else {
            throw .rowNotMultipleOfBlock(tensor: name, type: type.name, rowLength: dimensions[0], blockSize: layout.elements)
        }
        let (maximumByteCount, overflow) = (nonzeroProduct / layout.elements).multipliedReportingOverflow(by: layout.bytes)
        guard !overflow else { throw .elementCountOverflow(tensor: name, dimensions: rawDimensions) }
        let byteCount = elementCount == 0 ? 0 : maximumByteCount

        let offset = try cursor.read(UInt64.self, field: "data offset of \"\(name)\"")
        guard offset % UInt64(alignment) == 0 else {
            throw .misalignedTensorOffset(tensor: name, offset: offset, alignment: alignment)
        }
        guard offset <= UInt64(Int.max) else {
            throw .tensorDataOutOfBounds(tensor: name, offset: offset, byteCount: UInt64(byteCount), dataSize: 0)
        }
        return GGUFTensorInfo(name: name, dimensions: dimensions, type: type, dataOffset: Int(offset), byteCount: byteCount)
    }

    /// Checks that every tensor's bytes lie inside the data section and that no two overlap.
    private static func checkDataBounds(_ tensors: [GGUFTensorInfo], dataSize: Int) throws(GGUFError) {
        for tensor in tensors {
            let (end, overflow) = tensor.dataOffset.addingReportingOverflow(tensor.byteCount)
            guard !overflow, end <= dataSize else {
                throw .tensorDataOutOfBounds(
                    tensor: tensor.name, offset: UInt64(tensor.dataOffset),
                    byteCount: UInt64(tensor.byteCount), dataSize: UInt64(dataSize))
            }
        }
        let ordered = tensors.filter { $0.byteCount > 0 }.sorted { $0.dataOffset < $1.dataOffset }
        for (first, second) in zip(ordered, ordered.dropFirst()) where first.dataOffset + first.byteCount > second.dataOffset {
            throw .overlappingTensors(first: first.name, second: second.name)
        }
    }
}
