import Dispatch

/// Where deliveries run: threads of their own (a Dispatch queue), not the shared cooperative
/// pool. A process whose pool threads are all busy or blocked (a render, a blocking wait) would
/// otherwise hold every delivery past its deadline; here a delivery waits for nobody.
final class DeliveryExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = DeliveryExecutor()
    private let queue = DispatchQueue(label: "gitops.notifications", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
