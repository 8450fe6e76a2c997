import AsyncHTTPClient
import Basics
import Foundation
import NIOCore
import NIOHTTP1

/// JSON requests to a forge's API: the token in the service's header, a deadline on every call,
/// failures named with the call and the service's message.
struct ForgeClient {
    let forge: Forge
    let client: HTTPClient

    /// Runs `body` with a client that is shut down afterwards, whatever happens.
    static func with<T: Sendable>(_ forge: Forge, _ body: (ForgeClient) async throws -> T) async throws(ForgeError) -> T {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(10), read: .seconds(forge.deadline)))
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let result: Result<T, ForgeError>
        do {
            result = .success(try await body(ForgeClient(forge: forge, client: client)))
        } catch let error as ForgeError {
            result = .failure(error)
        } catch {
            result = .failure(ForgeError("\(forge.kind.displayName): \(error)"))
        }
        try? await client.shutdown()
        return try result.get()
    }

    /// Sends `method path` with a JSON body and returns the JSON answer (null for an empty one).
    /// Any status but 2xx is an error naming the call.
    func call(_ method: HTTPMethod, _ path: String, _ body: Value? = nil) async throws(ForgeError) -> Value {
        var request = HTTPClientRequest(url: forge.apiURL + path)
        request.method = method
        request.headers.add(name: "User-Agent", value: "gitops")
        switch forge.kind {
        case .github:
            request.headers.add(name: "Accept", value: "application/vnd.github+json")
            request.headers.add(name: "X-GitHub-Api-Version", value: "2022-11-28")
            request.headers.add(name: "Authorization", value: "Bearer \(forge.token)")
        case .gitlab:
            request.headers.add(name: "PRIVATE-TOKEN", value: forge.token)
        }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: Array(JSONWriter.compact(body).utf8)))
        }
        let what = "\(method.rawValue) \(forge.apiURL)\(path.split(separator: "?").first.map(String.init) ?? path)"
        let status: Int, bytes: [UInt8]
        do {
            let response = try await client.execute(request, deadline: .now() + .seconds(forge.deadline))
            status = Int(response.status.code)
            bytes = Array(buffer: try await response.body.collect(upTo: 8 << 20))
        } catch {
            throw ForgeError("\(forge.kind.displayName) did not answer \(what): \(Self.describe(error))")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? Value.null : ((try? JSONReader.values(text).first) ?? .string(text))
        guard (200..<300).contains(status) else {
            let hint = status == 401 ? " (the token is missing, wrong or expired: \(forge.kind.tokenVariable))"
                : status == 403 ? " (the token may lack the scope to write pull requests, or a rate limit was reached)"
                : status == 404 ? " (no project '\(forge.project)' that the token can see; pass --forge-project)" : ""
            throw ForgeError("\(forge.kind.displayName) answered \(status) to \(what): \(Self.message(value))\(hint)")
        }
        return value
    }

    /// The first item of a paged list (`path` asks for 100 a page) that `match` accepts, looking
    /// through at most 10 pages.
    func first<T>(_ path: String, _ match: (Value) -> T?) async throws(ForgeError) -> T? {
        for page in 1...10 {
            let items = try await call(.GET, path + "&page=\(page)").arrayValue ?? []
            if let found = items.lazy.compactMap(match).first { return found }
            if items.count < 100 { break }
        }
        return nil
    }

    /// The service's own words: GitHub's `message` and `errors[].message`, GitLab's `message` or `error`.
    static func message(_ value: Value) -> String {
        var parts: [String] = []
        if let message = value["message"] {
            if let text = message.stringValue { parts.append(text) } else { parts.append(JSONWriter.compact(message)) }
        }
        if let error = value["error"]?.stringValue { parts.append(error) }
        for item in value["errors"]?.arrayValue ?? [] {
            if let text = item["message"]?.stringValue ?? item.stringValue { parts.append(text) }
            else if let code = item["code"]?.stringValue { parts.append("\(item["field"]?.stringValue ?? "field") \(code)") }
        }
        if parts.isEmpty, let text = value.stringValue { parts.append(String(text.prefix(300))) }
        return parts.isEmpty ? "no message" : parts.joined(separator: "; ")
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout { return "no answer within the deadline" }
            if error == .connectTimeout { return "the connection timed out" }
        }
        return "\(error)"
    }

    /// `a/b` as one path segment (GitLab's project ids), or a query value.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
