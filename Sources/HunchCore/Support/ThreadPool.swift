import CHunchKernels
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A fixed set of worker threads that run one parallel task at a time.
///
/// The calling thread takes part as thread 0, so a pool of N threads starts
/// N - 1 workers. Between tasks, workers spin for a short while (a forward pass
/// issues hundreds of small tasks back to back, and waking a sleeping thread
/// costs tens of microseconds), then sleep on a condition variable.
public final class ThreadPool: @unchecked Sendable {
    public let threadCount: Int

    /// How long idle workers spin before they sleep, in nanoseconds.
    private static let spinNanoseconds: UInt64 = 2_000_000

    private let generation = Atomic<Int>(0)
    private let remaining = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    // Written by the dispatcher before the generation is bumped, read by workers after they see it.
    private var task: ((Int, Int) -> Void)?
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var threads: [pthread_t] = []
    /// Serialises callers: tasks from two threads never interleave.
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
        generation.add(1, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(&mutex)
        pthread_cond_broadcast(&condition)
        pthread_mutex_unlock(&mutex)
        for thread in threads { pthread_join(thread, nil) }
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    /// Runs `body(threadIndex, threadCount)` on every thread of the pool and
    /// returns when all have finished.
    public func run(_ body: (Int, Int) -> Void) {
        guard threadCount > 1 else {
            body(0, 1)
            return
        }
        dispatchLock.withLock { _ in
            withoutActuallyEscaping(body) { escapable in
                task = escapable
                remaining.store(threadCount - 1, ordering: .sequentiallyConsistent)
                generation.add(1, ordering: .sequentiallyConsistent)
                if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                    pthread_mutex_lock(&mutex)
                    pthread_cond_broadcast(&condition)
                    pthread_mutex_unlock(&mutex)
                }

                escapable(0, threadCount)

                while remaining.load(ordering: .acquiring) > 0 { hunch_cpu_relax() }
                task = nil
            }
        }
    }

    /// Splits `count` items into one contiguous range per thread and runs
    /// `body(range)` for each non-empty range.
    public func parallelFor(_ count: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        run { index, total in
            let range = Self.share(of: count, part: index, parts: total)
            if !range.isEmpty { body(range) }
        }
    }

    /// Part `part` of `parts` nearly equal contiguous ranges covering 0..<count.
    public static func share(of count: Int, part: Int, parts: Int) -> Range<Int> {
        let base = count / parts
        let extra = count % parts
        let start = part * base + min(part, extra)
        return start..<(start + base + (part < extra ? 1 : 0))
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
        // could skip a task dispatched before this thread first ran.
        var seen = 0
        while true {
            waitForGeneration(after: seen)
            seen = generation.load(ordering: .acquiring)
            if stopping.load(ordering: .acquiring) { return }
            task?(index, threadCount)
            remaining.subtract(1, ordering: .releasing)
        }
    }

    private func waitForGeneration(after seen: Int) {
        let deadline = Self.monotonicNanoseconds() + Self.spinNanoseconds
        var spins = 0
        while generation.load(ordering: .acquiring) == seen {
            spins += 1
            if spins & 255 != 0 {
                hunch_cpu_relax()
                continue
            }
            if Self.monotonicNanoseconds() < deadline { continue }

            // Sleep. Announcing the sleeper before re-checking the generation pairs with
            // the dispatcher bumping the generation before it checks for sleepers.
            pthread_mutex_lock(&mutex)
            sleepers.add(1, ordering: .sequentiallyConsistent)
            while generation.load(ordering: .sequentiallyConsistent) == seen {
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
