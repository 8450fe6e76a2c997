import Basics
import Git
import Notifications
import Promotion
import RepoModel

/// `promotion-opened` and `promotion-merged` as `promote`, `rollback`, `set` and `merge` send
/// them: to the receivers gitops.yaml names at the commit, waited for (at most 30 s) before the
/// command exits; a receiver that fails is a warning, never a failed command.
enum PromotionNotices {
    static func opened(_ opened: OpenedBranch, repository: Repository, pushedTo remote: String?) {
        guard !opened.reused else { return }
        var details = opened.proposal.lines
        details.append("render of \(opened.proposal.target): \(opened.renderDiff.summary)")
        let place = remote.map { "\($0)/\(opened.branch)" } ?? "\(opened.branch) (not pushed)"
        send(Event(.promotionOpened, environment: opened.proposal.target, revision: opened.commit,
                   message: "\(opened.proposal.kind) opened: \(opened.proposal.title) on \(place)", details: details),
             repository: repository, at: opened.commit)
    }

    static func merged(_ opened: OpenedBranch, commit: String, base: String, repository: Repository) {
        send(Event(.promotionMerged, environment: opened.proposal.target, revision: commit,
                   message: "\(opened.proposal.kind) merged into \(base): \(opened.proposal.title)", details: opened.proposal.lines),
             repository: repository, at: commit)
    }

    static func send(_ event: Event, repository: Repository, at commit: String) {
        guard let settings = try? RepositoryLoader.loadEach(from: repository.tree(at: commit)).settings.notifications,
              !settings.receivers(for: event).isEmpty else { return }
        let notifier = Notifier { problem in Output.error("warning: \(problem)") }
        notifier.notify(event, settings: settings)
        let drained = (try? Blocking.run { await notifier.drain(timeout: 30) }) ?? false
        if !drained { Output.error("warning: a notification was still being delivered after 30 s; not waiting longer") }
    }
}
