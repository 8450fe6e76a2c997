import Foundation

/// A flag set once from any thread (a signal handler) and read from others: "stop when you can".
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    public init() {}

    public func set() { lock.withLock { value = true } }

    public var isSet: Bool { lock.withLock { value } }
}
