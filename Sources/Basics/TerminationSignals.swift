import Foundation

/// The write end of the self-pipe the signal handler writes to (a C handler can only reach globals).
nonisolated(unsafe) private var terminationPipe: Int32 = -1

/// SIGTERM and SIGINT delivered to a handler instead of ending the process (for a graceful stop).
///
/// A plain `sigaction` handler writes the signal's number to a pipe (async-signal-safe), and a
/// thread of its own reads it and calls the handler. This works whichever thread the kernel picks
/// to deliver the signal to — unlike a Dispatch signal source on Linux, which only sees signals
/// that every thread blocks, so threads started earlier (SwiftNIO's event loops) could swallow a
/// Kubernetes SIGTERM.
public enum TerminationSignals {
    /// Calls `handler` on each SIGTERM or SIGINT from now on, on a thread of its own. The signals
    /// are unblocked in the calling thread first: a parent may have started the process with them
    /// blocked. Call once per process.
    public static func handle(_ handler: @escaping @Sendable () -> Void) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        terminationPipe = fds[1]
        let notify: @convention(c) (Int32) -> Void = { number in
            var byte = UInt8(truncatingIfNeeded: number)
            _ = write(terminationPipe, &byte, 1)
        }
        var action = sigaction()
        #if os(Linux)
        action.__sigaction_handler.sa_handler = notify
        #else
        action.__sigaction_u.__sa_handler = notify
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        for number in [SIGTERM, SIGINT] { sigaction(number, &action, nil) }
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGTERM)
        sigaddset(&unblock, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        let readEnd = fds[0]
        let reader = Thread {
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count == 1 { handler() } else if count < 0 && errno == EINTR { continue } else { break }
            }
        }
        reader.name = "termination-signals"
        reader.start()
    }
}
