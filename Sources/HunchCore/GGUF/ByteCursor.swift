/// A bounds-checked little-endian reader over the bytes of a GGUF file.
///
/// Every read checks the bytes left first and throws `GGUFError.truncated`
/// naming the field, so a hostile file can never read out of bounds.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }

    mutating func skip(_ count: Int, field: @autoclosure () -> String) throws(GGUFError) {
        try require(count, field: field())
        offset += count
    }

    private func require(_ count: Int, field: @autoclosure () -> String) throws(GGUFError) {
        guard count >= 0, count <= remaining else {
            throw .truncated(field: field(), offset: offset, needed: count, available: remaining)
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, field: @autoclosure () -> String) throws(GGUFError) -> T {
        let size = MemoryLayout<T>.size
        try require(size, field: field())
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    mutating func readFloat(field: @autoclosure () -> String) throws(GGUFError) -> Float {
        Float(bitPattern: try read(UInt32.self, field: field()))
    }

    mutating func readDouble(field: @autoclosure () -> String) throws(GGUFError) -> Double {
        Double(bitPattern: try read(UInt64.self, field: field()))
    }

    /// Reads a GGUF string: a UInt64 byte length, then that many UTF-8 bytes.
    mutating func readString(field: @autoclosure () -> String) throws(GGUFError) -> String {
        let length = try read(UInt64.self, field: "\(field()) length")
        guard length <= UInt64(remaining) else {
            throw .countTooLarge(field: "\(field()) length", count: length, limit: UInt64(remaining))
        }
        let start = offset
        let count = Int(length)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + count)])
        guard let string = String(validating: slice.bindMemory(to: UInt8.self), as: UTF8.self) else {
            throw .invalidUTF8(field: field(), offset: start)
        }
        offset += count
        return string
    }

    /// Reads a count and checks that `count * minimumElementSize` bytes could follow.
    mutating func readCount(field: @autoclosure () -> String, minimumElementSize: Int) throws(GGUFError) -> Int {
        let count = try read(UInt64.self, field: field())
        let limit = UInt64(remaining / max(1, minimumElementSize))
        guard count <= limit else {
            throw .countTooLarge(field: field(), count: count, limit: limit)
        }
        return Int(count)
    }

    /// Reads `count` fixed-size values straight from the file into an array.
    mutating func readArray<T: FixedWidthInteger>(_: T.Type, count: Int, field: @autoclosure () -> String) throws(GGUFError) -> [T] {
        let size = MemoryLayout<T>.stride
        try require(count * size, field: field())
        let start = offset
        let result = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count {
                buffer[i] = T(littleEndian: bytes.loadUnaligned(fromByteOffset: start + i * size, as: T.self))
            }
            initialized = count
        }
        offset += count * size
        return result
    }
}
