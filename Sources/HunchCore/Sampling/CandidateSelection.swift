/// A token still in the running, with its logit after the repetition penalty.
struct Candidate: Equatable {
    var id: Int32
    var logit: Float
}

/// Ranking and partial selection of candidates without sorting the whole vocabulary.
///
/// Rank order is logit descending, then id ascending, so equal logits always resolve to
/// the lowest id. Logits are never NaN here: the sampler rejects NaN before selection.
enum CandidateSelection {
    // MARK: - Keys

    /// Maps a Float to a UInt32 whose unsigned order is the Float order, with -0 and +0
    /// equal as they compare in Float. Negative values flip all bits and positive values
    /// set the sign bit, the usual trick for sorting IEEE floats as integers.
    @inline(__always)
    static func orderKey(_ value: Float) -> UInt32 {
        let bits = (value == 0 ? 0 : value).bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }

    /// Returns a key whose ascending order is rank order: the inverted logit key above the id.
    @inline(__always)
    static func rankKey(logit: Float, id: Int32) -> UInt64 {
        UInt64(~orderKey(logit)) << 32 | UInt64(UInt32(id))
    }

    // MARK: - Top k by heap

    /// Returns the `count` best-ranked logits, in rank order, with `0 < count < logits.count`.
    ///
    /// A max-heap of rank keys contains the best `count` seen so far, its root being the
    /// worst of them. Ids are scanned in ascending order, so a later logit equal to the
    /// root's ranks below it; only a strictly greater logit enters. The SIMD compare
    /// against the root's logit rejects whole blocks of 8 at once, and with random
    /// logits only about count * ln(vocabSize / count) elements ever enter the heap.
    /// Cost: O(vocabSize + entries * log(count)).
    static func topRanked(_ logits: UnsafeBufferPointer<Float>, count: Int) -> [Candidate] {
        precondition(count > 0 && count < logits.count)
        var heap = (0..<count).map { rankKey(logit: logits[$0], id: Int32($0)) }
        for start in stride(from: count / 2 - 1, through: 0, by: -1) {
            siftDown(&heap, from: start)
        }
        var threshold = logits[Int(UInt32(truncatingIfNeeded: heap[0]))]

        func offer(_ index: Int) {
            let value = logits[index]
            guard value > threshold else { return }
            heap[0] = rankKey(logit: value, id: Int32(index))
            siftDown(&heap, from: 0)
            threshold = logits[Int(UInt32(truncatingIfNeeded: heap[0]))]
        }

        let width = LogitKernels.width
        let firstBlock = min(logits.count, (count + width - 1) / width * width)
        let blockEnd = logits.count - (logits.count - firstBlock) % width
        for index in count..<firstBlock {
            offer(index)
        }
        if let base = logits.baseAddress {
            var offset = firstBlock
            while offset < blockEnd {
                if any(LogitKernels.load(base, offset) .> LogitKernels.Block(repeating: threshold)) {
                    for index in offset..<offset + width {
                        offer(index)
                    }
                }
                offset += width
            }
        }
        for index in blockEnd..<logits.count {
            offer(index)
        }

        heap.sort()
        return heap.map { key in
            let id = Int32(truncatingIfNeeded: UInt32(truncatingIfNeeded: key))
            return Candidate(id: id, logit: logits[Int(id)])
        }
    }

    private static func siftDown(_ heap: inout [UInt64], from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var largest = left
            if left + 1 < heap.count, heap[left + 1] > heap[left] { largest = left + 1 }
            guard heap[largest] > heap[parent] else { return }
            heap.swapAt(parent, largest)
            parent = largest
        }
    }

    // MARK: - Sorting

    /// Sorts candidates in any order into rank order. For short lists, such as the top k
    /// merged with penalised tokens.
    static func sortByRank(_ candidates: inout [Candidate]) {
        candidates.sort { rankKey(logit: $0.logit, id: $0.id) < rankKey(logit: $1.logit, id: $1.id) }
    }

    /// Sorts candidates that arrive in ascending id order into rank order.
    ///
    /// Long lists (a nucleus over a flat distribution can hold most of the vocabulary)
    /// take a least-significant-digit radix sort, 8 bits per pass, on the 32-bit logit key.
    /// Each candidate travels as one UInt64, the key above the id, and the logit is decoded
    /// from the key afterwards (-0 comes back as +0). The sort is stable, so ids stay
    /// ascending among equal logits. Passes whose digit is the same for every key are
    /// skipped. Cost: O(n) per pass, at most 4 passes.
    static func sortAscendingIDsByRank(_ candidates: inout [Candidate]) {
        guard candidates.count > 256 else {
            sortByRank(&candidates)
            return
        }

        let count = candidates.count
        var keys = candidates.map { rankKey(logit: $0.logit, id: $0.id) }
        var counts = [Int](repeating: 0, count: 4 * 256)
        counts.withUnsafeMutableBufferPointer { counts in
            for key in keys {
                counts[Int((key >> 32) & 0xFF)] += 1
                counts[256 + Int((key >> 40) & 0xFF)] += 1
                counts[512 + Int((key >> 48) & 0xFF)] += 1
                counts[768 + Int(key >> 56)] += 1
            }
        }

        var spare = [UInt64](repeating: 0, count: count)
        for pass in 0..<4 where !counts[(pass * 256)..<(pass * 256 + 256)].contains(count) {
            var offsets = [Int](repeating: 0, count: 256)
            var running = 0
            for digit in 0..<256 {
                offsets[digit] = running
                running += counts[pass * 256 + digit]
            }
            let shift = 32 + 8 * UInt64(pass)
            keys.withUnsafeBufferPointer { keys in
                spare.withUnsafeMutableBufferPointer { spare in
                    offsets.withUnsafeMutableBufferPointer { offsets in
                        for key in keys {
                            let digit = Int((key >> shift) & 0xFF)
                            spare[offsets[digit]] = key
                            offsets[digit] += 1
                        }
                    }
                }
            }
            swap(&keys, &spare)
        }

        candidates.withUnsafeMutableBufferPointer { candidates in
            for (index, key) in keys.enumerated() {
                candidates[index] = Candidate(
                    id: Int32(truncatingIfNeeded: UInt32(truncatingIfNeeded: key)),
                    logit: logit(fromOrderKey: ~UInt32(truncatingIfNeeded: key >> 32)))
            }
        }
    }

    /// Inverts `orderKey`.
    @inline(__always)
    static func logit(fromOrderKey key: UInt32) -> Float {
        Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
    }
}
