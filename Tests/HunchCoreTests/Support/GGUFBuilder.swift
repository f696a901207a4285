@testable import HunchCore

/// Builds GGUF files in memory, valid by default, with a knob to corrupt each part.
///
/// The output follows the layout `GGUFFile` documents: header, metadata, tensor
/// infos, zero padding to the alignment, then each tensor's data at its offset.
/// Unless a tensor sets `offset`, tensors are laid out back to back, each at the
/// next multiple of the alignment, and the file ends with the last tensor's data.
struct GGUFBuilder {
    /// A metadata value: a typed value, or raw bytes after a raw type id for
    /// entries no valid file contains.
    enum Entry {
        case value(GGUFValue)
        case raw(type: UInt32, payload: [UInt8])
    }

    struct Tensor {
        var name: String
        /// Dimensions in GGML order, as stored.
        var dimensions: [UInt64]
        /// The stored type id (a `GGMLType` raw value, or any other number).
        var typeID: UInt32
        /// The stored data offset, or nil to place the tensor after the previous one.
        var offset: UInt64?
        /// The stored dimension count, or nil to store `dimensions.count`.
        var dimensionCount: UInt32?
        /// The tensor's bytes, or nil to fill the size its type and dimensions
        /// imply with a counting pattern.
        var data: [UInt8]?
    }

    /// Where the parts of a built file start, for cutting it at chosen places.
    struct Output {
        var bytes: [UInt8]
        var metadataStart: Int
        var tensorInfoStart: Int
        /// End of the tensor infos, where padding begins.
        var tensorInfoEnd: Int
        var dataStart: Int
        /// Each tensor's offset from `dataStart`, in tensor order.
        var tensorOffsets: [Int]
    }

    var magic = GGUFFile.magic
    var version: UInt32 = 3
    var metadata: [(key: String, entry: Entry)] = []
    var tensors: [Tensor] = []
    /// Stored tensor count, or nil to store `tensors.count`.
    var tensorCount: UInt64?
    /// Stored metadata count, or nil to store `metadata.count`.
    var metadataCount: UInt64?
    /// Alignment used for padding and automatic offsets, or nil to take the
    /// integer `general.alignment` if there is one, else 32.
    var alignment: Int?

    init() {}

    /// Creates a builder with metadata `entries` and no tensors.
    init(_ entries: [(String, GGUFValue)]) {
        for (key, value) in entries { add(key, value) }
    }

    // MARK: - Adding parts

    /// Replaces the value of `key`, or adds it when absent.
    mutating func set(_ key: String, _ value: GGUFValue) {
        if let index = metadata.firstIndex(where: { $0.key == key }) {
            metadata[index].entry = .value(value)
        } else {
            add(key, value)
        }
    }

    mutating func remove(_ key: String) {
        metadata.removeAll { $0.key == key }
    }

    mutating func add(_ key: String, _ value: GGUFValue) {
        metadata.append((key, .value(value)))
    }

    mutating func addRaw(_ key: String, type: UInt32, payload: [UInt8]) {
        metadata.append((key, .raw(type: type, payload: payload)))
    }

    mutating func addTensor(_ name: String, type: GGMLType, dimensions: [Int], data: [UInt8]? = nil) {
        tensors.append(Tensor(name: name, dimensions: dimensions.map { UInt64($0) }, typeID: type.rawValue, data: data))
    }

    // MARK: - Building

    var effectiveAlignment: Int {
        if let alignment { return alignment }
        for (key, entry) in metadata where key == "general.alignment" {
            if case .value(let value) = entry, let int = value.intValue, int > 0 { return int }
        }
        return GGUFFile.defaultAlignment
    }

    func build() -> Output {
        let alignment = effectiveAlignment
        var writer = ByteWriter()

        writer.append(magic)
        writer.append(version)
        writer.append(tensorCount ?? UInt64(tensors.count))
        writer.append(metadataCount ?? UInt64(metadata.count))

        let metadataStart = writer.bytes.count
        for (key, entry) in metadata {
            writer.appendString(key)
            switch entry {
            case .value(let value):
                writer.append(value.type.rawValue)
                writer.appendValue(value)
            case .raw(let type, let payload):
                writer.append(type)
                writer.bytes += payload
            }
        }

        // Offsets and contents of the data, decided before the infos that store them.
        var nextOffset = 0
        var offsets: [Int] = []
        var contents: [[UInt8]] = []
        for tensor in tensors {
            let content = tensor.data ?? Self.pattern(count: Self.byteCount(of: tensor))
            let offset = tensor.offset.map { Int(clamping: $0) } ?? Self.roundUp(nextOffset, to: alignment)
            offsets.append(offset)
            contents.append(content)
            let (end, overflow) = offset.addingReportingOverflow(content.count)
            nextOffset = overflow ? nextOffset : max(nextOffset, end)
        }

        let tensorInfoStart = writer.bytes.count
        for (tensor, offset) in zip(tensors, offsets) {
            writer.appendString(tensor.name)
            writer.append(tensor.dimensionCount ?? UInt32(tensor.dimensions.count))
            for dimension in tensor.dimensions { writer.append(dimension) }
            writer.append(tensor.typeID)
            writer.append(tensor.offset ?? UInt64(offset))
        }
        let tensorInfoEnd = writer.bytes.count

        let dataStart = Self.roundUp(tensorInfoEnd, to: alignment)
        writer.bytes += [UInt8](repeating: 0, count: dataStart - tensorInfoEnd)
        // Tensors whose offset lies beyond 16 MiB (a corrupt offset) get no bytes.
        let dataLimit = 1 << 24
        let placed = zip(offsets, contents).filter { offset, content in offset <= dataLimit - content.count }
        let dataSize = placed.map { $0 + $1.count }.max() ?? 0
        var data = [UInt8](repeating: 0, count: dataSize)
        for (offset, content) in placed {
            data.replaceSubrange(offset..<(offset + content.count), with: content)
        }
        writer.bytes += data

        return Output(
            bytes: writer.bytes, metadataStart: metadataStart, tensorInfoStart: tensorInfoStart,
            tensorInfoEnd: tensorInfoEnd, dataStart: dataStart, tensorOffsets: offsets)
    }

    /// Builds the file and opens it from memory.
    func open() throws(GGUFError) -> GGUFFile {
        try GGUFFile(file: MappedFile(bytes: build().bytes, path: "built.gguf"))
    }

    // MARK: - Helpers

    /// Returns the bytes the type and dimensions imply, or 0 for unknown types and for sizes a test could not allocate.
    static func byteCount(of tensor: Tensor) -> Int {
        guard let type = GGMLType(rawValue: tensor.typeID), let first = tensor.dimensions.first else { return 0 }
        let (elements, overflow) = tensor.dimensions.reduce((UInt64(1), false)) { partial, dimension in
            let product = partial.0.multipliedReportingOverflow(by: dimension)
            return (product.partialValue, partial.1 || product.overflow)
        }
        let layout = type.blockLayout
        guard !overflow, elements < 1 << 22, first % UInt64(layout.elements) == 0 else { return 0 }
        return Int(elements) / layout.elements * layout.bytes
    }

    static func pattern(count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
    }

    static func roundUp(_ value: Int, to alignment: Int) -> Int {
        guard alignment > 0 else { return value }
        return (value + alignment - 1) / alignment * alignment
    }
}

// MARK: - Encoding

/// Little-endian encoder for GGUF fields.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    /// Appends a GGUF string: UInt64 byte length, then the UTF-8 bytes.
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

    /// Appends an array: element type id, UInt64 count, then the elements.
    mutating func appendArray(_ array: GGUFArray) {
        append(Self.elementType(of: array).rawValue)
        append(UInt64(array.count))
        switch array {
        case .uint8(let a): a.forEach { append($0) }
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

    static func elementType(of array: GGUFArray) -> GGUFValueType {
        switch array {
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

/// Short spellings for the array values vocabulary tests write.
extension GGUFValue {
    static func strings(_ values: [String]) -> GGUFValue { .array(.string(values)) }
    static func int32s(_ values: [Int32]) -> GGUFValue { .array(.int32(values)) }
    static func float32s(_ values: [Float]) -> GGUFValue { .array(.float32(values)) }
}
