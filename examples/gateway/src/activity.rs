//! The user-activity log, written in the background as the seed's
//! `BackgroundTasks` does: the response never waits for it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use typerpc::Timestamp;

/// One thing a user did.
#[derive(Clone, Debug, PartialEq)]
pub struct Activity {
    /// Who.
    pub user_id: String,
    /// What (`home_view`, `checkout`).
    pub action: String,
    /// When, RFC 3339.
    pub at: String,
}

/// The log. A real one writes to a store; this one keeps the last
/// entries in memory and takes `write_time` to "write" each.
#[derive(Clone, Debug, Default)]
pub struct ActivityLog {
    entries: Arc<Mutex<Vec<Activity>>>,
    write_time: Duration,
}

/// How many entries are kept.
const KEPT: usize = 1_000;

impl ActivityLog {
    /// A log whose writes take `write_time`.
    pub fn new(write_time: Duration) -> ActivityLog {
        ActivityLog {
            entries: Arc::default(),
            write_time,
        }
    }

    /// Records `action` by `user_id` in the background, after the
    /// response. The task does not inherit the request's deadline: a
    /// request cut short still gets logged.
    pub fn record(&self, user_id: &str, action: &str) {
        let log = self.clone();
        let activity = Activity {
            user_id: user_id.to_string(),
            action: action.to_string(),
            at: Timestamp::now().to_rfc3339().unwrap_or_default(),
        };
        tokio::spawn(async move {
            tokio::time::sleep(log.write_time).await;
            let mut entries = log.entries.lock().unwrap_or_else(|e| e.into_inner());
            if entries.len() == KEPT {
                entries.remove(0);
            }
            entries.push(activity);
        });
    }

    /// The entries written so far, oldest first.
    pub fn entries(&self) -> Vec<Activity> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
