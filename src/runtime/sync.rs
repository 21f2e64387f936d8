//! The sync worker: checks the library system with an SC status heartbeat and, whenever
//! it answers and the journal holds queued transactions, forwards them in order. After a
//! failure it backs off exponentially with jitter (so a room of kiosks does not hammer a
//! recovering server in step), never waiting longer than the heartbeat interval.

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use chrono::Local;
use iced::futures::Stream;
use kiosk_core::store::JournalCounts;
use kiosk_sip2::client::{Client, ClientConfig};
use tokio::sync::Mutex;

use super::circulation::{Circulation, SyncReport};

/// Circulation shared by the sync worker and the screens.
pub type SharedCirculation = Arc<Mutex<Circulation>>;

/// What the heartbeat found.
#[derive(Debug, Clone, PartialEq)]
pub enum IlsHealth {
    /// The ILS answered SC status.
    Online {
        /// Round-trip time of the status exchange.
        round_trip: Duration,
    },
    /// It did not; the kiosk works from its journal.
    Offline {
        /// Why, in words for a technician.
        reason: String,
    },
}

impl IlsHealth {
    /// Whether the library system answered.
    pub fn is_online(&self) -> bool {
        matches!(self, IlsHealth::Online { .. })
    }
}

/// One report of the worker: after every heartbeat, and after every forwarding pass.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncStatus {
    /// The library system's state.
    pub health: IlsHealth,
    /// The journal's queue after this round.
    pub counts: JournalCounts,
    /// The forwarding pass of this round, if there was one.
    pub report: Option<SyncReport>,
    /// How long the worker waits before the next round.
    pub next_in: Duration,
}

/// The worker's identity for iced: one stream per shared circulation and interval.
#[derive(Clone)]
pub struct SyncWorker {
    /// The circulation whose journal is forwarded.
    pub circulation: SharedCirculation,
    /// The library system, probed on a connection of the worker's own so that a dead
    /// network never holds up a visitor's transaction.
    pub probe: Arc<ClientConfig>,
    /// Heartbeat interval while all is well.
    pub every: Duration,
}

impl Hash for SyncWorker {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (Arc::as_ptr(&self.circulation) as usize).hash(state);
        self.every.hash(state);
    }
}

/// A uniform number in `[0, 1)`; each call draws fresh randomly keyed hasher state.
fn jitter() -> f64 {
    let bits = std::hash::RandomState::new().hash_one(std::time::Instant::now());
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// The wait before the next round: the heartbeat interval after a clean round, otherwise
/// exponential backoff with jitter, capped by the interval.
pub fn next_delay(every: Duration, failures: u32, jitter: f64) -> Duration {
    if failures == 0 { every } else { kiosk_core::circulation::retry_delay(failures - 1, jitter).min(every) }
}

/// SC status on the probe connection (connecting and logging in first if needed).
pub async fn heartbeat(probe: &mut Client) -> IlsHealth {
    if let Err(error) = probe.ensure_connected().await {
        return IlsHealth::Offline { reason: error.to_string() };
    }
    match probe.status().await {
        Ok(_) => IlsHealth::Online { round_trip: probe.last_round_trip().unwrap_or_default() },
        Err(error) => IlsHealth::Offline { reason: error.to_string() },
    }
}

/// One round: heartbeat on the probe connection (without holding the circulation), then,
/// when the library system answered and the journal holds queued rows, forward them.
/// Returns the status and whether the round failed.
pub async fn round(
    circulation: &SharedCirculation,
    probe: &mut Client,
) -> (IlsHealth, JournalCounts, Option<SyncReport>, bool) {
    let health = heartbeat(probe).await;
    let mut circulation = circulation.lock().await;
    circulation.set_reachable(health.is_online());
    let mut failed = !health.is_online();
    let mut report = None;
    if health.is_online() {
        match circulation.counts() {
            Ok(counts) if counts.queued() > 0 => {
                match circulation.sync_once(Local::now().naive_local()).await {
                    Ok(pass) => {
                        if let Some(reason) = &pass.stopped {
                            tracing::warn!(%reason, remaining = pass.remaining, "forwarding stopped");
                            failed = true;
                        } else {
                            tracing::info!(
                                accepted = pass.accepted,
                                rejected = pass.rejected,
                                resolved = pass.resolved,
                                "queue forwarded"
                            );
                        }
                        report = Some(pass);
                    }
                    Err(error) => {
                        tracing::error!("forwarding the queue failed: {error:#}");
                        failed = true;
                    }
                }
            }
            Ok(_) => {}
            Err(error) => {
                tracing::error!("reading the journal failed: {error:#}");
                failed = true;
            }
        }
    } else if let IlsHealth::Offline { reason } = &health {
        tracing::warn!(%reason, "the library system is unreachable");
    }
    let counts = circulation.counts().unwrap_or_default();
    (health, counts, report, failed)
}

/// Runs rounds forever, reporting after each.
pub fn run(worker: &SyncWorker) -> impl Stream<Item = SyncStatus> + use<> {
    let circulation = worker.circulation.clone();
    let probe = Client::new((*worker.probe).clone());
    let every = worker.every;
    iced::futures::stream::unfold(
        (circulation, probe, None::<Duration>, 0u32),
        move |(circulation, mut probe, wait, failures)| async move {
            if let Some(wait) = wait {
                tokio::time::sleep(wait).await;
            }
            let (health, counts, report, failed) = round(&circulation, &mut probe).await;
            let failures = if failed { failures.saturating_add(1) } else { 0 };
            let next_in = next_delay(every, failures, jitter());
            let status = SyncStatus { health, counts, report, next_in };
            Some((status, (circulation, probe, Some(next_in), failures)))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_from_seconds_to_the_interval() {
        let every = Duration::from_secs(60);
        assert_eq!(next_delay(every, 0, 0.5), every);
        let first = next_delay(every, 1, 0.5);
        assert!(first >= Duration::from_secs(1) && first <= Duration::from_secs(3), "{first:?}");
        assert!(next_delay(every, 3, 0.5) > first);
        assert_eq!(next_delay(every, 20, 0.5), every);
    }

    #[test]
    fn jitter_is_in_range_and_varies() {
        let draws: Vec<f64> = (0..64).map(|_| jitter()).collect();
        assert!(draws.iter().all(|j| (0.0..1.0).contains(j)));
        let first = draws[0];
        assert!(draws.iter().any(|j| *j != first));
    }
}
