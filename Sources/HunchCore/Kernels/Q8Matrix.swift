import CHunchKernels

/// A weight matrix of int8 blocks in the Q8x16 packed layout (see hunch_kernels.h):
/// 16 rows and 32 columns per tile, one half-float scale per row and block.
///
/// `rows` is the output width and `columns` the input width: for a GGUF tensor
/// with dimensions [columns, rows], row r holds the weights of output r.
public final class Q8Matrix: @unchecked Sendable {
    public static let rowsPerGroup = Int(HUNCH_Q8X16_ROWS)
    public static let blockSize = Int(HUNCH_Q8_BLOCK)
    /// 16 half-float scales and 16 x 32 int8 values.
    public static let tileBytes = rowsPerGroup * 2 + rowsPerGroup * blockSize

    public let rows: Int
    public let columns: Int
    /// Tiles, `groups * blocks * tileBytes` bytes, 64-byte aligned.
    let storage: UnsafeMutableRawPointer

    public var blocks: Int { columns / Self.blockSize }
    public var groups: Int { (rows + Self.rowsPerGroup - 1) / Self.rowsPerGroup }
    public var byteCount: Int { groups * blocks * Self.tileBytes }

    /// Creates a zero matrix. `columns` must be a multiple of 32.
    public init(rows: Int, columns: Int) {
        precondition(rows > 0 && columns > 0 && columns % Self.blockSize == 0, "invalid Q8 matrix shape \(rows)x\(columns)")
        self.rows = rows
        self.columns = columns
        let size = (rows + Self.rowsPerGroup - 1) / Self.rowsPerGroup * (columns / Self.blockSize) * Self.tileBytes
        storage = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: size)
    }

    deinit {
        storage.deallocate()
    }

    public var bytes: UnsafeRawPointer { UnsafeRawPointer(storage) }

    // MARK: - Tile addressing

    @inline(__always)
    func tile(group: Int, block: Int) -> UnsafeMutableRawPointer {
        storage + (group * blocks + block) * Self.tileBytes
    }

    /// Reads back block `block` of row `row` as its scale and 32 values.
    public func block(row: Int, block: Int) -> (scale: Float, values: [Int8]) {
        let group = row / Self.rowsPerGroup
        let lane = row % Self.rowsPerGroup
        let tile = tile(group: group, block: block)
        let bits = tile.load(fromByteOffset: 2 * lane, as: UInt16.self)
        let quants = (tile + 2 * Self.rowsPerGroup).assumingMemoryBound(to: Int8.self)
        var values = [Int8](repeating: 0, count: Self.blockSize)
        for chunk in 0..<8 {
            for i in 0..<4 { values[chunk * 4 + i] = quants[chunk * 64 + lane * 4 + i] }
        }
        return (Float(Float16(bitPattern: bits)), values)
    }

    /// Row `row` as GGML Q8_0 blocks: the bytes `hunch quantize` writes for it.
    public func q8_0Row(_ row: Int) -> [UInt8] {
        precondition(row >= 0 && row < rows, "row \(row) outside 0..<\(rows)")
        let group = row / Self.rowsPerGroup
        let lane = row % Self.rowsPerGroup
        var bytes = [UInt8](repeating: 0, count: Q8Conversion.rowByteCount(columns: columns))
        for block in 0..<blocks {
            let tile = tile(group: group, block: block).assumingMemoryBound(to: UInt8.self)
            let base = block * Q8Conversion.blockBytes
            bytes[base] = tile[2 * lane]
            bytes[base + 1] = tile[2 * lane + 1]
            for chunk in 0..<8 {
                for i in 0..<4 {
                    bytes[base + 2 + chunk * 4 + i] = tile[2 * Self.rowsPerGroup + chunk * 64 + lane * 4 + i]
                }
            }
        }
        return bytes
    }

    // MARK: - Filling

    /// Quantises one row of Float weights `[columns]` into int8 blocks by the rule
    /// of `Q8Conversion`: per block of 32, the scale is max|w| / 127 rounded to a
    /// half float, and each value is w / scale rounded to nearest-even and
    /// clamped to [-127, 127].
    public func setRow(_ row: Int, from values: UnsafePointer<Float>) {
        withUnsafeTemporaryAllocation(byteCount: Q8Conversion.rowByteCount(columns: columns), alignment: 16) { blocks in
            Q8Conversion.quantize(values, count: columns, into: blocks.baseAddress!)
            setRow(row, fromQ8_0: UnsafeRawPointer(blocks.baseAddress!))
        }
    }

    /// Copies one row stored as GGML Q8_0 blocks (half-float scale, then 32 int8)
    /// without requantising. A value of -128, which GGML's quantiser never writes,
    /// is raised to -127 because the AVX2 kernel cannot negate it.
    public func setRow(_ row: Int, fromQ8_0 source: UnsafeRawPointer) {
        precondition(row >= 0 && row < rows, "row \(row) outside 0..<\(rows)")
        hunch_q8x16_set_row_q8_0(
            storage.assumingMemoryBound(to: UInt8.self), Int32(blocks), Int32(row), source.assumingMemoryBound(to: UInt8.self))
    }

    /// Builds a matrix from row-major Float weights `[rows, columns]`.
    public convenience init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "expected \(rows * columns) weights, got \(values.count)")
        self.init(rows: rows, columns: columns)
        values.withUnsafeBufferPointer { buffer in
            for row in 0..<rows { setRow(row, from: buffer.baseAddress! + row * columns) }
        }
    }

    /// The weights as row-major Floats `[rows, columns]` (scale times value), for tests and references.
    public func dequantized() -> [Float] {
        var result = [Float](repeating: 0, count: rows * columns)
        for row in 0..<rows {
            for block in 0..<blocks {
                let (scale, values) = self.block(row: row, block: block)
                for i in 0..<Self.blockSize {
                    result[row * columns + block * Self.blockSize + i] = scale * Float(values[i])
                }
            }
        }
        return result
    }
}
