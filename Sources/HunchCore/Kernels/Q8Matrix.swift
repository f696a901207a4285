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

    /// Writes the block `block` of row `row`: its scale (as half-float bits) and 32 values.
    @inline(__always)
    func setBlock(row: Int, block: Int, scaleBits: UInt16, values: UnsafePointer<Int8>) {
        let group = row / Self.rowsPerGroup
        let lane = row % Self.rowsPerGroup
        let tile = tile(group: group, block: block)
        tile.storeBytes(of: scaleBits, toByteOffset: 2 * lane, as: UInt16.self)
        let quants = (tile + 2 * Self.rowsPerGroup).assumingMemoryBound(to: Int8.self)
        for chunk in 0..<8 {
            let destination = quants + chunk * 64 + lane * 4
            destination[0] = values[chunk * 4]
            destination[1] = values[chunk * 4 + 1]
            destination[2] = values[chunk * 4 + 2]
            destination[3] = values[chunk * 4 + 3]
        }
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

    // MARK: - Filling

    /// Quantises one row of Float weights into int8 blocks: per block of 32, the
    /// scale is max|w| / 127 rounded to a half float, and each value is w / scale
    /// rounded to nearest and clamped to [-127, 127].
    public func setRow(_ row: Int, from values: UnsafePointer<Float>) {
        var quants = [Int8](repeating: 0, count: Self.blockSize)
        quants.withUnsafeMutableBufferPointer { q in
            for block in 0..<blocks {
                let source = values + block * Self.blockSize
                var amax: Float = 0
                for i in 0..<Self.blockSize { amax = max(amax, abs(source[i])) }
                let scale = Float16(amax / 127)
                let inverse: Float = Float(scale) > 0 ? 1 / Float(scale) : 0
                for i in 0..<Self.blockSize {
                    let scaled = (source[i] * inverse).rounded(.toNearestOrEven)
                    q[i] = Int8(max(-127, min(127, scaled)))
                }
                setBlock(row: row, block: block, scaleBits: scale.bitPattern, values: q.baseAddress!)
            }
        }
    }

    /// Copies one row stored as GGML Q8_0 blocks (half-float scale, then 32 int8)
    /// without requantising. A value of -128, which GGML's quantiser never writes,
    /// is clamped to -127 because the AVX2 kernel cannot negate it.
    public func setRow(_ row: Int, fromQ8_0 source: UnsafeRawPointer) {
        var quants = [Int8](repeating: 0, count: Self.blockSize)
        quants.withUnsafeMutableBufferPointer { q in
            for block in 0..<blocks {
                let base = source + block * 34
                let scaleBits = base.loadUnaligned(as: UInt16.self)
                for i in 0..<Self.blockSize {
                    q[i] = max(-127, base.load(fromByteOffset: 2 + i, as: Int8.self))
                }
                setBlock(row: row, block: block, scaleBits: UInt16(littleEndian: scaleBits), values: q.baseAddress!)
            }
        }
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
