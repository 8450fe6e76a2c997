import Foundation

/// Client-side QPS with a burst, as client-go's token bucket: up to `burst` requests at once, then
/// `qps` per second. A `qps` of 0 or less turns throttling off.
actor RateLimiter {
    private let qps: Double
    private let burst: Double
    private var tokens: Double
    private var updated: Date

    init(qps: Double, burst: Int) {
        self.qps = qps
        self.burst = Double(max(burst, 1))
        tokens = self.burst
        updated = Date()
    }

    /// Waits until a request may go.
    func acquire() async {
        guard qps > 0 else { return }
        let now = Date()
        tokens = min(burst, tokens + now.timeIntervalSince(updated) * qps)
        updated = now
        tokens -= 1
        if tokens < 0 {
            let wait = -tokens / qps
            try? await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
        }
    }
}

/// When and how long to wait before trying a request again.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var attempts: Int
    /// The first backoff; each next one doubles, with ±50% jitter, up to `maximumDelay`.
    public var initialDelay: Double
    public var maximumDelay: Double

    public init(attempts: Int = 5, initialDelay: Double = 0.2, maximumDelay: Double = 10) {
        self.attempts = attempts
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// The wait before attempt `attempt + 1`: the server's `Retry-After` when it gave one (capped), else
    /// exponential backoff with jitter.
    func delay(after attempt: Int, retryAfter: Double?) -> Double {
        if let retryAfter { return min(max(retryAfter, 0), maximumDelay * 6) }
        let base = min(maximumDelay, initialDelay * pow(2, Double(attempt)))
        return base * Double.random(in: 0.5...1.5)
    }
}
