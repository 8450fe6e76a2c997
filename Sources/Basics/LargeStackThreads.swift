import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Reusable threads with 64 MiB stacks: template work (parsing and executing deeply nested
/// templates) runs on them, a new one is started only when all are busy (callers on other threads
/// may wait for each other otherwise).
public final class LargeStackThreads: @unchecked Sendable {
    static let shared = LargeStackThreads()

    /// Runs `body` on a thread with a 64 MiB stack and waits for it: many parses and executions
    /// (a whole chart) pay for one thread instead of one each. Called on such a thread already
    /// (nested, or a caller rendering many charts in one call), it runs `body` in place.
    public static func run<T>(_ body: @escaping @Sendable () -> T) -> T {
        if isWorkerThread { return body() }
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        shared.enqueue {
            box.value = body()
            done.signal()
        }
        done.wait()
        return box.value!
    }

    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var idle = 0

    private func enqueue(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        // Every queued job needs an idle thread of its own (one just signalled may not have taken
        // its job yet).
        if jobs.count > idle {
            let thread = Thread { [self] in self.work() }
            thread.stackSize = 64 << 20
            thread.start()
        } else {
            condition.signal()
        }
        condition.unlock()
    }

    /// `body` of every index in `0..<count`, on this thread and up to three more large-stack
    /// threads (as many as the machine has cores to spare), in index order. Small jobs stay on
    /// this thread. `body` must be thread-safe.
    public static func map<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
        let helpers = min(ProcessInfo.processInfo.activeProcessorCount - 1, 3, count / 8)
        guard helpers > 0 else { return (0..<count).map(body) }
        let slots = Slots<T>(count)
        let next = Atomic<Int>(0)
        let work: @Sendable () -> Void = {
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < count else { return }
                slots.store(body(index), at: index)
            }
        }
        // A helper that has not started when this thread runs out of work is not waited for (all
        // threads may be busy, some waiting like this one).
        let state = Mutex<(closed: Bool, started: Int)>((false, 0))
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<helpers {
            shared.enqueue {
                guard state.withLock({ s in
                    if s.closed { return false }
                    s.started += 1
                    return true
                }) else { return }
                work()
                done.signal()
            }
        }
        if isWorkerThread { work() } else { run(work) }
        let started = state.withLock { s in
            s.closed = true
            return s.started
        }
        for _ in 0..<started { done.wait() }
        return slots.values()
    }

    /// A thread-specific key set on worker threads.
    private static let workerKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    public static var isWorkerThread: Bool { pthread_getspecific(workerKey) != nil }

    private func work() {
        pthread_setspecific(Self.workerKey, UnsafeRawPointer(bitPattern: 1))
        while true {
            condition.lock()
            while jobs.isEmpty {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// One result per index, each written by exactly one thread before the reader waits for them all.
private final class Slots<T>: @unchecked Sendable {
    private var items: [T?]
    private let lock = NSLock()

    init(_ count: Int) { items = Array(repeating: nil, count: count) }

    func store(_ value: T, at index: Int) { lock.withLock { items[index] = value } }

    func values() -> [T] { lock.withLock { items.map { $0! } } }
}
