import Basics

/// The children of every open collection during parsing, on one stack. When a collection ends,
/// its children are moved (not copied) into an array of exactly their count.
final class NodeStack {
    private var base: UnsafeMutablePointer<Node>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 256) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    func push(_ node: consuming Node) {
        if count == capacity {
            let grown = UnsafeMutablePointer<Node>.allocate(capacity: capacity * 2)
            grown.moveInitialize(from: base, count: count)
            base.deallocate()
            base = grown
            capacity *= 2
        }
        (base + count).initialize(to: node)
        count += 1
    }

    /// The nodes from `start` to the top, removed from the stack.
    func popItems(from start: Int) -> [Node] {
        let n = count - start
        let items = [Node](unsafeUninitializedCapacity: n) { buffer, initialized in
            if n > 0 { buffer.baseAddress!.moveInitialize(from: base + start, count: n) }
            initialized = n
        }
        count = start
        return items
    }

    /// Calls `body` with each key node of the pairs from `start` to the top, without copying them.
    func forEachKey(from start: Int, _ body: (borrowing Node) throws(DiagnosticError) -> Void) throws(DiagnosticError) {
        var index = start
        while index + 1 < count {
            try body((base + index).pointee)
            index += 2
        }
    }

    /// The nodes from `start` to the top as key/value pairs, removed from the stack.
    func popPairs(from start: Int) -> [Node.Pair] {
        let n = (count - start) / 2
        let pairs = [Node.Pair](unsafeUninitializedCapacity: n) { buffer, initialized in
            for i in 0..<n {
                let key = (base + start + 2 * i).move()
                let value = (base + start + 2 * i + 1).move()
                (buffer.baseAddress! + i).initialize(to: Node.Pair(key: key, value: value))
            }
            initialized = n
        }
        if (count - start) % 2 == 1 { (base + start + 2 * n).deinitialize(count: 1) }
        count = start
        return pairs
    }
}
