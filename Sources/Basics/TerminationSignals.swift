import Dispatch
import Foundation

/// SIGTERM and SIGINT delivered to a handler instead of ending the process (for a graceful stop).
public enum TerminationSignals {
    /// Calls `handler` on SIGTERM or SIGINT; keep the returned sources alive as long as it should.
    /// The signals are unblocked first: a parent may have started the process with them blocked.
    public static func handle(_ handler: @escaping @Sendable () -> Void) -> [DispatchSourceSignal] {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGTERM)
        sigaddset(&unblock, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        return [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }
}
