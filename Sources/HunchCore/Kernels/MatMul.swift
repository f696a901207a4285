import CHunchKernels

extension Q8Matrix {
    /// `output[m, r] = sum_k self[r, k] * input[m, k]` for every activation row m
    /// and the first `rowLimit` rows r (all rows by default), split over the
    /// pool's threads by groups of 16 output rows.
    /// `output` holds `input.rowCount` rows of `outputStride` Floats (at least `rows`).
    public func multiply(
        _ input: Q8Activations, into output: UnsafeMutablePointer<Float>, outputStride: Int? = nil,
        rowLimit: Int? = nil, pool: ThreadPool, isa: KernelISA = .active
    ) {
        precondition(input.columns == columns, "activation width \(input.columns) != matrix columns \(columns)")
        let stride = outputStride ?? self.rows
        precondition(stride >= self.rows, "output stride \(stride) < rows \(self.rows)")
        let rows = min(self.rows, rowLimit ?? self.rows)
        let groups = (rows + Self.rowsPerGroup - 1) / Self.rowsPerGroup
        let blocks = self.blocks
        let weights = UnsafePointer<UInt8>(storage.assumingMemoryBound(to: UInt8.self))
        pool.parallelFor(groups) { range in
            hunch_matmul_q8x16(
                isa.cValue, weights, Int32(blocks), Int32(rows), Int32(range.lowerBound), Int32(range.upperBound),
                input.values, input.scales, input.sums, Int32(input.rowCount), output, stride)
        }
    }
}
