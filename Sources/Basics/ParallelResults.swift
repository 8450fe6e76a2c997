import Foundation

/// Slots written by concurrent iterations (`DispatchQueue.concurrentPerform`), read afterwards.
public final class ParallelResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]

    public init(count: Int) { slots = Array(repeating: nil, count: count) }

    public subscript(index: Int) -> T? {
        get { lock.withLock { slots[index] } }
        set { lock.withLock { slots[index] = newValue } }
    }

    /// Every slot, nil where no iteration wrote.
    public var values: [T?] { lock.withLock { slots } }
}
