import Foundation

/// Requests to the API server made several at a time.
public enum Concurrently {
    /// `body` for every element, at most `concurrency` at once, results in the input's order.
    public static func map<Input: Sendable, Output: Sendable>(_ inputs: [Input], concurrency: Int,
                                                              _ body: @escaping @Sendable (Input) async throws(ClusterError) -> Output) async throws(ClusterError) -> [Output] {
        do {
            return try await withThrowingTaskGroup(of: (Int, Output).self) { group in
                var results = [Output?](repeating: nil, count: inputs.count)
                var next = 0
                func start() {
                    let index = next, input = inputs[index]
                    group.addTask { (index, try await body(input)) }
                    next += 1
                }
                while next < min(max(concurrency, 1), inputs.count) { start() }
                while let (index, output) = try await group.next() {
                    results[index] = output
                    if next < inputs.count { start() }
                }
                return results.map { $0! }
            }
        } catch let error as ClusterError {
            throw error
        } catch {
            throw ClusterError.transport("\(error)")
        }
    }
}
