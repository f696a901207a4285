import Synchronization
import Testing
@testable import HunchCore

@Suite("thread pool")
struct ThreadPoolTests {
    @Test("every index runs exactly once", arguments: [1, 2, 3, 4])
    func everyIndexOnce(threads: Int) {
        let pool = ThreadPool(threadCount: threads)
        for count in [0, 1, 2, 3, 7, 8, 9, 63, 64, 1000] {
            let visits = Mutex([Int](repeating: 0, count: count))
            let threadIndices = Mutex(Set<Int>())
            pool.parallelFor(count) { range, thread in
                threadIndices.withLock { _ = $0.insert(thread) }
                visits.withLock { for i in range { $0[i] += 1 } }
            }
            let counts = visits.withLock { $0 }
            #expect(counts.allSatisfy { $0 == 1 }, "\(threads) threads, \(count) items")
            #expect(threadIndices.withLock { $0 }.allSatisfy { (0..<threads).contains($0) })
        }
    }

    /// Thousands of short loops in a row, as a forward pass issues them: no loop
    /// may be lost or run twice when workers wake late.
    @Test("many short loops in a row")
    func manyShortLoops() {
        let pool = ThreadPool(threadCount: 2)
        let total = Atomic<Int>(0)
        for _ in 0..<20_000 {
            pool.parallelFor(5) { range in total.add(range.count, ordering: .relaxed) }
        }
        #expect(total.load(ordering: .relaxed) == 100_000)
    }

    @Test("share covers the range evenly")
    func shareCovers() {
        for count in [0, 1, 5, 16, 17] {
            for parts in [1, 2, 3, 8] {
                let ranges = (0..<parts).map { ThreadPool.share(of: count, part: $0, parts: parts) }
                #expect(ranges.map(\.count).reduce(0, +) == count)
                #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                #expect((ranges.map(\.count).max() ?? 0) - (ranges.map(\.count).min() ?? 0) <= 1)
            }
        }
    }
}
