/// Encodes the front part of a GGUF version 3 file: header, metadata and
/// tensor infos, in the layout `GGUFFile` reads (all fields little-endian).
///
/// Tensor data is not encoded here: `GGUFEncoder.layout` only assigns each
/// tensor its offset, and the caller streams the bytes after `headerBytes`.
public struct GGUFEncoder {
    /// One tensor of the file to write.
    public struct Tensor: Sendable, Equatable {
        public var name: String
        /// Dimensions in GGML order: `dimensions[0]` is the row length.
        public var dimensions: [Int]
        public var type: GGMLType

        public init(name: String, dimensions: [Int], type: GGMLType) {
            self.name = name
            self.dimensions = dimensions
            self.type = type
        }

        /// Bytes of data from the type's block layout; the row length must be a
        /// multiple of the type's block size.
        public var byteCount: Int {
            let layout = type.blockLayout
            return dimensions.reduce(1, *) / layout.elements * layout.bytes
        }
    }

    /// The encoded front part of a file and the offset of each tensor's data.
    public struct Layout: Sendable, Equatable {
        /// Header, metadata and tensor infos, padded to the alignment.
        public let headerBytes: [UInt8]
        /// Each tensor's offset from the start of the data section, in tensor order.
        public let tensorOffsets: [Int]
        /// Size of the whole file.
        public let fileSize: Int
    }

    public static let version: UInt32 = 3

    /// Lays out a file with `metadata` (key and value, in file order) and `tensors`,
    /// each tensor's data starting at a multiple of `alignment` (a power of two).
    public static func layout(metadata: [(key: String, value: GGUFValue)], tensors: [Tensor], alignment: Int) -> Layout {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignment \(alignment) is not a power of two")
        var encoder = GGUFEncoder()
        encoder.append(GGUFFile.magic)
        encoder.append(version)
        encoder.append(UInt64(tensors.count))
        encoder.append(UInt64(metadata.count))
        for (key, value) in metadata {
            encoder.appendString(key)
            encoder.append(value.type.rawValue)
            encoder.appendValue(value)
        }

        var offsets: [Int] = []
        var next = 0
        for tensor in tensors {
            offsets.append(next)
            next = roundUp(next + tensor.byteCount, to: alignment)
        }
        for (tensor, offset) in zip(tensors, offsets) {
            encoder.appendString(tensor.name)
            encoder.append(UInt32(tensor.dimensions.count))
            for dimension in tensor.dimensions { encoder.append(UInt64(dimension)) }
            encoder.append(tensor.type.rawValue)
            encoder.append(UInt64(offset))
        }
        let dataStart = roundUp(encoder.bytes.count, to: alignment)
        encoder.bytes += [UInt8](repeating: 0, count: dataStart - encoder.bytes.count)
        let dataEnd = tensors.last.map { offsets[offsets.count - 1] + $0.byteCount } ?? 0
        return Layout(headerBytes: encoder.bytes, tensorOffsets: offsets, fileSize: dataStart + dataEnd)
    }

    static func roundUp(_ value: Int, to alignment: Int) -> Int {
        (value + alignment - 1) / alignment * alignment
    }

    // MARK: - Fields

    private(set) var bytes: [UInt8] = []

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    /// Appends a GGUF string: a UInt64 byte length, then the UTF-8 bytes.
    mutating func appendString(_ string: String) {
        append(UInt64(string.utf8.count))
        bytes += string.utf8
    }

    mutating func appendValue(_ value: GGUFValue) {
        switch value {
        case .uint8(let v): append(v)
        case .int8(let v): append(v)
        case .uint16(let v): append(v)
        case .int16(let v): append(v)
        case .uint32(let v): append(v)
        case .int32(let v): append(v)
        case .uint64(let v): append(v)
        case .int64(let v): append(v)
        case .float32(let v): append(v.bitPattern)
        case .float64(let v): append(v.bitPattern)
        case .bool(let v): append(UInt8(v ? 1 : 0))
        case .string(let v): appendString(v)
        case .array(let v): appendArray(v)
        }
    }

    /// Appends an array: the element type id, the UInt64 count, then the elements.
    /// A nested array element is itself a type id, count and elements.
    mutating func appendArray(_ array: GGUFArray) {
        append(array.elementType.rawValue)
        append(UInt64(array.count))
        switch array {
        case .uint8(let a): bytes += a
        case .int8(let a): a.forEach { append($0) }
        case .uint16(let a): a.forEach { append($0) }
        case .int16(let a): a.forEach { append($0) }
        case .uint32(let a): a.forEach { append($0) }
        case .int32(let a): a.forEach { append($0) }
        case .uint64(let a): a.forEach { append($0) }
        case .int64(let a): a.forEach { append($0) }
        case .float32(let a): a.forEach { append($0.bitPattern) }
        case .float64(let a): a.forEach { append($0.bitPattern) }
        case .bool(let a): a.forEach { append(UInt8($0 ? 1 : 0)) }
        case .string(let a): a.forEach { appendString($0) }
        case .array(let a): a.forEach { appendArray($0) }
        }
    }
}

extension GGUFArray {
    /// The value type of the elements, as stored before the count.
    public var elementType: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .uint64: .uint64
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .bool: .bool
        case .string: .string
        case .array: .array
        }
    }
}
