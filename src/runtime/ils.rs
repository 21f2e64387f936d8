//! The ILS heartbeat the status bar shows: connect, log in, and send SC status every
//! `heartbeat_secs`; report on line (with the round-trip time) or off line (with why).

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use iced::futures::Stream;
use kiosk_sip2::client::{Client, ClientConfig};

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

/// The heartbeat's identity for iced: one stream per endpoint and interval.
#[derive(Clone)]
pub struct Heartbeat {
    /// The client settings.
    pub config: Arc<ClientConfig>,
    /// The interval.
    pub every: Duration,
}

impl Hash for Heartbeat {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.config.host.hash(state);
        self.config.port.hash(state);
        self.every.hash(state);
    }
}

/// Checks the ILS now and then every `every`.
pub fn watch(heartbeat: &Heartbeat) -> impl Stream<Item = IlsHealth> + use<> {
    let config = (*heartbeat.config).clone();
    let every = heartbeat.every;
    // Off line, look again sooner so the kiosk is back on line soon after the network is.
    let retry = every.min(Duration::from_secs(10));
    iced::futures::stream::unfold(
        (Client::new(config), None),
        move |(mut client, last): (Client, Option<bool>)| async move {
            match last {
                None => {}
                Some(true) => tokio::time::sleep(every).await,
                Some(false) => tokio::time::sleep(retry).await,
            }
            let health = match client.ensure_connected().await {
                Err(error) => IlsHealth::Offline { reason: error.to_string() },
                Ok(()) => match client.status().await {
                    Ok(_) => IlsHealth::Online { round_trip: client.last_round_trip().unwrap_or_default() },
                    Err(error) => IlsHealth::Offline { reason: error.to_string() },
                },
            };
            if let IlsHealth::Offline { reason } = &health {
                tracing::warn!(%reason, "the library system is unreachable");
            }
            let online = matches!(health, IlsHealth::Online { .. });
            Some((health, (client, Some(online))))
        },
    )
}
