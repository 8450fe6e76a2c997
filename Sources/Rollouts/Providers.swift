import AsyncHTTPClient
import Basics
import Foundation
import NIOCore
import NIOHTTP1

/// Takes measurements over HTTP: Prometheus instant queries and smoke-check GETs, each with a
/// deadline. One client for a whole analysis, shut down when it ends.
public struct MeasurementClient: Sendable {
    let client: HTTPClient

    /// Runs `body` with a client that is shut down afterwards, whatever happens.
    public static func with<T: Sendable>(_ body: (MeasurementClient) async throws -> T) async rethrows -> T {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let result = try await body(MeasurementClient(client: client))
            try? await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// One measurement of `check`.
    public func measure(_ check: MetricCheck) async -> AnalysisMeasurement {
        switch check.provider {
        case .prometheus(let address, let query):
            return await prometheus(address: address, query: query, condition: check.successCondition, timeout: check.timeout)
        case .http(let url, let expect):
            return await http(url: url, expect: expect, timeout: check.timeout)
        case .job:
            return .inconclusive("a job check needs the cluster: the sync job runs it")
        }
    }

    /// `GET /api/v1/query?query=...`. Every sample of the answer (a vector or a scalar) must meet
    /// the condition; an empty answer, NaN, an error status or no answer at all is inconclusive.
    func prometheus(address: String, query: String, condition: Condition?, timeout: Double) async -> AnalysisMeasurement {
        let base = address.hasSuffix("/") ? String(address.dropLast()) : address
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? query
        let (status, body): (Int, [UInt8])
        do {
            (status, body) = try await get(base + "/api/v1/query?query=" + encoded, timeout: timeout)
        } catch {
            return .inconclusive("Prometheus at \(address) did not answer: \(Self.describe(error))")
        }
        let text = String(decoding: body, as: UTF8.self)
        guard let answer = try? JSONReader.values(text).first else {
            return .inconclusive("Prometheus at \(address) answered \(status) with no JSON")
        }
        guard status == 200, answer["status"]?.stringValue == "success" else {
            let why = [answer["errorType"]?.stringValue, answer["error"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
            return .inconclusive("Prometheus answered \(status) to the query: \(why.isEmpty ? text.prefix(200) : Substring(why))")
        }
        var samples: [String] = []
        switch answer["data"]?["resultType"]?.stringValue {
        case "vector":
            for series in answer["data"]?["result"]?.arrayValue ?? [] {
                if let value = series["value"]?.arrayValue?.last?.stringValue { samples.append(value) }
            }
        case "scalar":
            if let value = answer["data"]?["result"]?.arrayValue?.last?.stringValue { samples.append(value) }
        case let other:
            return .inconclusive("the query gives a \(other ?? "result") (it must give a number or a vector of them)")
        }
        guard !samples.isEmpty else { return .inconclusive("the query has no data yet") }
        let values = samples.map { Double($0) ?? .nan }
        if values.contains(where: \.isNaN) { return .inconclusive("the query gives NaN (nothing to divide by?)") }
        let shown = values.map(GoFloat.format).joined(separator: ", ")
        guard let condition else { return .success(shown) }
        return values.allSatisfy(condition.holds) ? .success("\(shown) \(condition)") : .failure("\(shown), not \(condition)")
    }

    /// A GET whose status must be expected (any 2xx when `expect` is empty); no answer is a failure:
    /// the service a smoke check reaches is the one being rolled out.
    func http(url: String, expect: [Int], timeout: Double) async -> AnalysisMeasurement {
        do {
            let (status, _) = try await get(url, timeout: timeout)
            let expected = expect.isEmpty ? (200..<300).contains(status) : expect.contains(status)
            return expected ? .success("\(status)") : .failure("GET \(url) answered \(status)")
        } catch {
            return .failure("GET \(url) got no answer: \(Self.describe(error))")
        }
    }

    private func get(_ url: String, timeout: Double) async throws -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: "gitops-rollout")
        let deadline = NIODeadline.now() + .milliseconds(Int64(timeout * 1000))
        let response = try await client.execute(request, deadline: deadline)
        let body = try await response.body.collect(upTo: 4 << 20)
        return (Int(response.status.code), Array(buffer: body))
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return "no answer within the deadline"
        }
        return "\(error)"
    }
}
