import Basics

/// A CronJob is healthy once it exists (its Jobs are judged when they run); suspended is noted.
enum CronJobHealth {
    static func check(_ object: ValueObject) -> Health { .healthy }
}
