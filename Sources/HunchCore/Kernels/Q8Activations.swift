import CHunchKernels

/// Activation rows quantised to int8 blocks of 32 right before a matrix product:
/// values `[rowCount, columns]`, scales and block sums `[rowCount, columns / 32]`.
public final class Q8Activations: @unchecked Sendable {
    public let capacity: Int
    public let columns: Int
    public private(set) var rowCount = 0
    let values: UnsafeMutablePointer<Int8>
    let scales: UnsafeMutablePointer<Float>
    let sums: UnsafeMutablePointer<Int32>

    public var blocks: Int { columns / Q8Matrix.blockSize }

    /// Room for up to `capacity` rows of `columns` values (a multiple of 32).
    public init(capacity: Int, columns: Int) {
        precondition(capacity > 0 && columns > 0 && columns % Q8Matrix.blockSize == 0, "invalid activation shape")
        self.capacity = capacity
        self.columns = columns
        values = .allocate(capacity: capacity * columns)
        scales = .allocate(capacity: capacity * columns / Q8Matrix.blockSize)
        sums = .allocate(capacity: capacity * columns / Q8Matrix.blockSize)
    }

    deinit {
        values.deallocate()
        scales.deallocate()
        sums.deallocate()
    }

    /// Quantises `rowCount` rows of Floats `[rowCount, columns]`, contiguous.
    public func quantize(_ source: UnsafePointer<Float>, rowCount: Int, isa: KernelISA = .active) {
        precondition(rowCount <= capacity, "\(rowCount) activation rows exceed the capacity \(capacity)")
        self.rowCount = rowCount
        for row in 0..<rowCount {
            hunch_quantize_row_q8(
                isa.cValue, source + row * columns, Int32(columns),
                values + row * columns, scales + row * blocks, sums + row * blocks)
        }
    }
}
