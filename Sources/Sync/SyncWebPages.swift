import Foundation

/// Pages the sync job serves on its `--listen` port besides its own endpoints (its environment's
/// dashboard), and who may read them.
public struct SyncWebPages: Sendable {
    /// One answer: status, content type, extra headers and body.
    public struct Answer: Sendable {
        public var status: Int
        public var contentType: String
        public var headers: [(String, String)]
        public var body: String

        public init(status: Int, contentType: String, headers: [(String, String)] = [], body: String) {
            self.status = status
            self.contentType = contentType
            self.headers = headers
            self.body = body
        }
    }

    /// The answer for `GET path?query` (nil: not one of these pages).
    public var answer: @Sendable (_ path: String, _ query: [String: String]) async -> Answer?
    /// The token a reader must send (`Authorization: Bearer <token>`, or as the password of HTTP
    /// basic authentication, which browsers ask for). nil: the pages are open (the job listens on
    /// loopback only).
    public var token: String?
    /// Why the pages are off (listening beyond loopback without a token), said to whoever asks.
    public var disabled: String?

    public init(answer: @escaping @Sendable (_ path: String, _ query: [String: String]) async -> Answer?, token: String?, disabled: String? = nil) {
        self.answer = answer
        self.token = token
        self.disabled = disabled
    }

    /// Whether an `Authorization` header carries the token: `Bearer <token>`, or `Basic` with the
    /// token as the password (any user name). Compared in constant time.
    public static func authorized(_ header: String?, token: String) -> Bool {
        guard let header, !token.isEmpty else { return false }
        var offered = ""
        if header.hasPrefix("Bearer ") {
            offered = String(header.dropFirst(7))
        } else if header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6))),
                  let pair = String(data: data, encoding: .utf8), let colon = pair.firstIndex(of: ":") {
            offered = String(pair[pair.index(after: colon)...])
        }
        return SyncHTTPServer.constantTimeEqual(Array(offered.utf8), Array(token.utf8))
    }

    /// Whether `host` is a loopback address (only this machine, or a `kubectl port-forward`, reaches it).
    public static func isLoopback(_ host: String) -> Bool {
        ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host)
    }
}
