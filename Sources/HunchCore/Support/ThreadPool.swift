import CHunchKernels
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A fixed set of worker threads that run one parallel loop at a time.
///
/// The calling thread takes part, so a pool of N threads starts N - 1 workers.
/// A loop is cut into chunks that threads claim one by one from a shared
/// counter. A worker that is descheduled (other processes share the cores) or
/// still asleep therefore delays a loop only by the chunk it holds, never by a
/// fixed share of the work. Which thread runs a chunk does not change any
/// result: each chunk's work is the same whoever runs it.
///
/// Between loops, workers spin for a short while, because a forward pass issues
/// hundreds of small loops back to back and waking a sleeping thread costs tens
/// of microseconds, then sleep on a condition variable.
public final class ThreadPool: @unchecked Sendable {
    public let threadCount: Int

    /// How long idle workers spin before they sleep, in nanoseconds.
    private static let spinNanoseconds: UInt64 = 500_000
    /// Spins of the caller waiting for chunks in flight before it yields the core.
    private static let spinsBeforeYield = 4_096

    /// Loop generation (high 32 bits) and the next unclaimed chunk (low 32 bits).
    /// Claiming with one compare-and-swap on both means a late worker can never
    /// claim a chunk of a newer loop by mistake.
    private let state = Atomic<UInt64>(0)
    private let completed = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    // Written by the caller before it publishes a new generation, read by workers after
    // a successful claim, which orders the read after the write.
    private var chunkBody: ((Int, Int) -> Void)?
    private var chunkCount = 0
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var threads: [pthread_t] = []
    /// Serialises callers: loops from two threads never interleave.
    private let dispatchLock = Mutex<Void>(())

    /// Creates a pool with `threadCount` threads in all (at least 1), including the caller's.
    public init(threadCount: Int) {
        self.threadCount = max(1, threadCount)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        for index in 1..<self.threadCount {
            let context = Unmanaged.passRetained(WorkerContext(pool: self, index: index)).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { raw in
                let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                context.pool.workerLoop(index: context.index)
                return nil
            }, context)
            precondition(status == 0, "pthread_create failed with status \(status)")
            threads.append(thread)
        }
    }

    /// The number of online CPUs.
    public static var processorCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    deinit {
        stopping.store(true, ordering: .sequentiallyConsistent)
        state.add(1 << 32, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(&mutex)
        pthread_cond_broadcast(&condition)
        pthread_mutex_unlock(&mutex)
        for thread in threads { pthread_join(thread, nil) }
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    /// Runs `body(range, threadIndex)` over 0..<count, cut into contiguous ranges
    /// that the threads claim one at a time, and returns when all are done.
    /// `threadIndex` (0..<threadCount) lets a body use per-thread scratch memory.
    public func parallelFor(_ count: Int, _ body: (Range<Int>, Int) -> Void) {
        guard count > 0 else { return }
        // A few chunks per thread balance the load without much claiming traffic.
        let chunks = min(count, threadCount == 1 ? 1 : 4 * threadCount)
        guard chunks > 1 else {
            body(0..<count, 0)
            return
        }
        dispatch(chunks: chunks) { chunk, thread in
            body(Self.share(of: count, part: chunk, parts: chunks), thread)
        }
    }

    /// Runs `body(range)` over 0..<count as `parallelFor(_:_:)` does.
    public func parallelFor(_ count: Int, _ body: (Range<Int>) -> Void) {
        parallelFor(count) { range, _ in body(range) }
    }

    /// Part `part` of `parts` nearly equal contiguous ranges covering 0..<count.
    public static func share(of count: Int, part: Int, parts: Int) -> Range<Int> {
        let base = count / parts
        let extra = count % parts
        let start = part * base + min(part, extra)
        return start..<(start + base + (part < extra ? 1 : 0))
    }

    // MARK: - Dispatch

    private func dispatch(chunks: Int, _ body: (Int, Int) -> Void) {
        dispatchLock.withLock { _ in
            withoutActuallyEscaping(body) { escapable in
                chunkBody = escapable
                chunkCount = chunks
                completed.store(0, ordering: .relaxed)
                let generation = (state.load(ordering: .relaxed) >> 32) &+ 1
                state.store(generation << 32, ordering: .sequentiallyConsistent)
                if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                    pthread_mutex_lock(&mutex)
                    pthread_cond_broadcast(&condition)
                    pthread_mutex_unlock(&mutex)
                }

                runChunks(generation: generation, thread: 0)

                // Wait for chunks that workers claimed and are still running.
                var spins = 0
                while completed.load(ordering: .acquiring) < chunks {
                    spins += 1
                    if spins < Self.spinsBeforeYield {
                        hunch_cpu_relax()
                    } else {
                        sched_yield()
                    }
                }
                chunkBody = nil
            }
        }
    }

    /// Claims and runs chunks of loop `generation` until none is left.
    private func runChunks(generation: UInt64, thread: Int) {
        while true {
            var current = state.load(ordering: .acquiring)
            var claimed = false
            while current >> 32 == generation, Int(current & 0xFFFF_FFFF) < chunkCount {
                let exchange = state.compareExchange(
                    expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
                if exchange.exchanged {
                    claimed = true
                    break
                }
                current = exchange.original
            }
            guard claimed else { return }
            chunkBody?(Int(current & 0xFFFF_FFFF), thread)
            completed.add(1, ordering: .releasing)
        }
    }

    // MARK: - Workers

    private final class WorkerContext {
        let pool: ThreadPool
        let index: Int
        init(pool: ThreadPool, index: Int) {
            self.pool = pool
            self.index = index
        }
    }

    private func workerLoop(index: Int) {
        // Generation 0 is the pool's state at creation; starting from a fresh load instead
        // could skip a loop dispatched before this thread first ran.
        var seen: UInt64 = 0
        while true {
            waitForGeneration(after: seen)
            if stopping.load(ordering: .acquiring) { return }
            seen = state.load(ordering: .acquiring) >> 32
            runChunks(generation: seen, thread: index)
        }
    }

    private func waitForGeneration(after seen: UInt64) {
        let deadline = Self.monotonicNanoseconds() + Self.spinNanoseconds
        var spins = 0
        while state.load(ordering: .acquiring) >> 32 == seen {
            spins += 1
            if spins & 255 != 0 {
                hunch_cpu_relax()
                continue
            }
            if Self.monotonicNanoseconds() < deadline { continue }

            // Sleep. Announcing the sleeper before re-checking the generation pairs with
            // the caller publishing the generation before it checks for sleepers.
            pthread_mutex_lock(&mutex)
            sleepers.add(1, ordering: .sequentiallyConsistent)
            while state.load(ordering: .sequentiallyConsistent) >> 32 == seen {
                pthread_cond_wait(&condition, &mutex)
            }
            sleepers.subtract(1, ordering: .sequentiallyConsistent)
            pthread_mutex_unlock(&mutex)
        }
    }

    static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
