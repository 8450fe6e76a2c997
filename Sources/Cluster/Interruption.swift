import NIOConcurrencyHelpers

/// A client's stop switch: `stop()` abandons every wait in flight (connecting, the TLS handshake,
/// an answer, a backoff) at once, and later requests get a short deadline and no retries, so a
/// stopping process can still record why it stopped without hanging on a dead server.
final class Interruption: Sendable {
    private struct State {
        var stopped = false
        var next = 0
        var cancellers: [Int: @Sendable () -> Void] = [:]
    }

    private let state = NIOLockedValueBox(State())

    var isStopped: Bool { state.withLockedValue { $0.stopped } }

    /// Registers `cancel`, run on `stop()`. After a stop nothing is registered: requests made
    /// since (recording why the process stops) run under the short deadline `KubeClient` gives them.
    func register(_ cancel: @escaping @Sendable () -> Void) -> Int? {
        state.withLockedValue { state -> Int? in
            guard !state.stopped else { return nil }
            state.next += 1
            state.cancellers[state.next] = cancel
            return state.next
        }
    }

    func unregister(_ token: Int?) {
        guard let token else { return }
        state.withLockedValue { _ = $0.cancellers.removeValue(forKey: token) }
    }

    func stop() {
        let cancellers = state.withLockedValue { state -> [@Sendable () -> Void] in
            state.stopped = true
            defer { state.cancellers = [:] }
            return Array(state.cancellers.values)
        }
        for cancel in cancellers { cancel() }
    }

    /// Sleeps `seconds`, waking early when stopped.
    func sleep(_ seconds: Double) async {
        var left = seconds
        while left > 0, !isStopped {
            let slice = min(left, 0.05)
            try? await Task.sleep(nanoseconds: UInt64(slice * 1_000_000_000))
            left -= slice
        }
    }
}
