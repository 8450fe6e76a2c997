import Basics
import Charts
import Synchronization

/// The charts one renderer has loaded, by folder: the environments it renders that share a chart
/// read and load it once. A renderer reads one tree, so a folder's chart does not change under it.
final class LoadedCharts: Sendable {
    private let charts = Mutex<[String: Chart]>([:])

    func chart(at path: String, in tree: any FileTree) throws(DiagnosticError) -> Chart {
        if let known = charts.withLock({ $0[path] }) { return known }
        let chart = try ChartLoader.load(tree, path: path)
        charts.withLock { $0[path] = chart }
        return chart
    }
}
