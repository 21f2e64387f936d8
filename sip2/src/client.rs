//! An async SIP2 client over TCP or TLS: the [`ClientSession`] rules under a tokio shell.
//!
//! On connect it logs in (`93`/`94`, when credentials are configured) and asks for the
//! ACS status (`99`/`98`), whose timeout period and retries it then honours. A request on
//! a lost connection reconnects first. Errors say whether the request may have reached
//! the ACS ([`ClientError::outcome_unknown`]): a checkout whose outcome is unknown must be
//! resolved (by item information) before it is sent again.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::codec::{Decoded, EncodeError, FrameEvent, Framer};
use crate::messages::{AcsStatus, Login, Message, ScStatus};
use crate::session::{ClientSession, Event, ExchangeError, SendError, SessionConfig};
use crate::transport::{BoxedIo, TlsError, TlsOptions, client_connector};
use crate::types::{StatusCode, Text};

/// Login credentials (`93`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Credentials {
    /// CN.
    pub user: String,
    /// CO.
    pub password: String,
    /// CP, if any.
    pub location: Option<String>,
}

/// Client settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// TLS, or plain TCP when `None`.
    pub tls: Option<TlsOptions>,
    /// Protocol rules: codec, error detection, reply timeout, retries.
    pub session: SessionConfig,
    /// TCP connect plus TLS handshake.
    pub connect_timeout: Duration,
    /// Writing one message.
    pub write_timeout: Duration,
    /// Login at connect; `None` for servers without login.
    pub credentials: Option<Credentials>,
    /// The receipt printer's width, reported in `99`.
    pub max_print_width: u16,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            host: "127.0.0.1".into(),
            port: 6001,
            tls: None,
            session: SessionConfig::default(),
            connect_timeout: Duration::from_secs(5),
            write_timeout: Duration::from_secs(5),
            credentials: None,
            max_print_width: 48,
        }
    }
}

/// What went wrong talking to the ACS.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The connection could not be made.
    #[error("cannot connect to {address}: {reason}")]
    Connect {
        /// host:port.
        address: String,
        /// Why.
        reason: String,
    },
    /// TLS could not be set up.
    #[error("TLS: {0}")]
    Tls(#[from] TlsError),
    /// The connection failed during an exchange.
    #[error("network error: {source}")]
    Network {
        /// The I/O error.
        source: std::io::Error,
        /// Bytes of the request may have reached the ACS.
        outcome_unknown: bool,
    },
    /// The ACS broke the protocol rules (timeouts, checksums, unexpected replies).
    #[error("protocol error: {0}")]
    Protocol(#[from] ExchangeError),
    /// The ACS refused the kiosk (login refused, or it says it is off line).
    #[error("refused by the library system: {message}")]
    Refused {
        /// The ACS's screen message, or a description.
        message: String,
    },
    /// The request cannot be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

impl ClientError {
    /// Whether the request may have been applied at the ACS.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            ClientError::Network { outcome_unknown, .. } => *outcome_unknown,
            ClientError::Protocol(_) => true,
            ClientError::Connect { .. }
            | ClientError::Tls(_)
            | ClientError::Refused { .. }
            | ClientError::Encode(_) => false,
        }
    }
}

struct Connection {
    io: BoxedIo,
    framer: Framer,
}

/// A SIP2 client connection that reconnects on demand.
pub struct Client {
    config: ClientConfig,
    session: ClientSession,
    connection: Option<Connection>,
    acs_status: Option<AcsStatus>,
    last_round_trip: Option<Duration>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("address", &format!("{}:{}", self.config.host, self.config.port))
            .field("connected", &self.connection.is_some())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client that connects on first use.
    pub fn new(config: ClientConfig) -> Client {
        Client {
            session: ClientSession::new(config.session),
            config,
            connection: None,
            acs_status: None,
            last_round_trip: None,
        }
    }

    /// Connects, logs in and reads the ACS status.
    pub async fn connect(config: ClientConfig) -> Result<Client, ClientError> {
        let mut client = Client::new(config);
        client.ensure_connected().await?;
        Ok(client)
    }

    /// The settings.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Whether a connection is open.
    pub fn is_connected(&self) -> bool {
        self.connection.is_some()
    }

    /// The last `98` received.
    pub fn acs_status(&self) -> Option<&AcsStatus> {
        self.acs_status.as_ref()
    }

    /// The round-trip time of the last successful exchange.
    pub fn last_round_trip(&self) -> Option<Duration> {
        self.last_round_trip
    }

    /// Closes the connection; the next request reconnects.
    pub fn disconnect(&mut self) {
        self.connection = None;
        self.session.reset();
    }

    /// Connects if needed (TCP/TLS, `93`, `99`).
    pub async fn ensure_connected(&mut self) -> Result<(), ClientError> {
        if self.connection.is_some() {
            return Ok(());
        }
        self.session = ClientSession::new(self.config.session);
        let io = open(&self.config).await?;
        self.connection = Some(Connection { io, framer: Framer::new() });
        if let Some(credentials) = self.config.credentials.clone() {
            let login = Message::from(Login {
                uid_algorithm: '0',
                pwd_algorithm: '0',
                login_user_id: credentials.user.as_str().into(),
                login_password: credentials.password.as_str().into(),
                location_code: credentials.location.as_deref().map(Text::from),
                extra: Vec::new(),
            });
            match self.exchange(&login).await?.message {
                Message::LoginResponse(response) if response.ok => {}
                _ => {
                    self.disconnect();
                    return Err(ClientError::Refused {
                        message: "login refused (check ils.login_user and the password)".into(),
                    });
                }
            }
        }
        self.status().await?;
        Ok(())
    }

    /// Sends `99` and returns the `98`; an ACS that says it is off line is an error.
    pub async fn status(&mut self) -> Result<AcsStatus, ClientError> {
        let request = Message::from(ScStatus {
            status_code: StatusCode::Ok,
            max_print_width: self.config.max_print_width,
            protocol_version: "2.00".into(),
            extra: Vec::new(),
        });
        let Message::AcsStatus(status) = self.exchange(&request).await?.message else {
            return Err(ClientError::Protocol(ExchangeError::UnexpectedReply { sent: "99", got: "??" }));
        };
        self.session.apply_acs_status(&status);
        self.acs_status = Some(status.clone());
        if !status.online_status {
            return Err(ClientError::Refused {
                message: if status.screen_message.is_empty() {
                    "the library system says it is off line".into()
                } else {
                    status.screen_message.join(" ")
                },
            });
        }
        Ok(status)
    }

    /// Sends a request and returns the reply, connecting first if needed. A request that
    /// never left because the connection was dead is retried once on a new connection.
    pub async fn request(&mut self, message: &Message) -> Result<Message, ClientError> {
        self.ensure_connected().await?;
        match self.exchange(message).await {
            Err(error) if !error.outcome_unknown() && matches!(error, ClientError::Network { .. }) => {
                self.ensure_connected().await?;
                Ok(self.exchange(message).await?.message)
            }
            result => Ok(result?.message),
        }
    }

    /// One exchange on the open connection; on failure the connection is closed.
    async fn exchange(&mut self, message: &Message) -> Result<Decoded, ClientError> {
        let result = self.exchange_inner(message).await;
        if result.is_err() {
            self.disconnect();
        }
        result
    }

    async fn exchange_inner(&mut self, message: &Message) -> Result<Decoded, ClientError> {
        let started = Instant::now();
        let Some(connection) = self.connection.as_mut() else {
            return Err(ClientError::Network {
                source: std::io::Error::new(std::io::ErrorKind::NotConnected, "not connected"),
                outcome_unknown: false,
            });
        };
        match self.session.send(message, started) {
            Ok(()) => {}
            Err(SendError::Encode(error)) => return Err(error.into()),
            Err(SendError::Busy) => self.session.reset(),
        }
        let mut written = false;
        let mut buffer = vec![0u8; 4096];
        loop {
            while let Some(bytes) = self.session.poll_transmit() {
                let write = async {
                    connection.io.write_all(&bytes).await?;
                    connection.io.flush().await
                };
                match tokio::time::timeout(self.config.write_timeout, write).await {
                    Ok(Ok(())) => written = true,
                    Ok(Err(source)) => return Err(ClientError::Network { source, outcome_unknown: written }),
                    Err(_) => {
                        return Err(ClientError::Network {
                            source: std::io::Error::new(std::io::ErrorKind::TimedOut, "write timed out"),
                            outcome_unknown: true,
                        });
                    }
                }
            }
            while let Some(event) = connection.framer.next_frame() {
                let FrameEvent::Frame(frame) = event else {
                    tracing::warn!("over-long frame from the library system discarded");
                    continue;
                };
                match self.session.handle_frame(&frame, Instant::now()) {
                    Some(Event::Reply(decoded)) => {
                        self.last_round_trip = Some(started.elapsed());
                        for warning in &decoded.warnings {
                            tracing::debug!(?warning, "accepted a deviation from SIP2");
                        }
                        return Ok(decoded);
                    }
                    Some(Event::Failed(error)) => return Err(error.into()),
                    Some(Event::StatusPushed(status)) => self.acs_status = Some(status),
                    None => {}
                }
            }
            if self.session.has_transmit() {
                continue;
            }
            let deadline =
                self.session.poll_timeout().unwrap_or_else(|| Instant::now() + Duration::from_secs(1));
            tokio::select! {
                read = connection.io.read(&mut buffer) => match read {
                    Ok(0) => {
                        return Err(ClientError::Network {
                            source: std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the library system closed the connection"),
                            outcome_unknown: written,
                        });
                    }
                    Ok(n) => connection.framer.push(&buffer[..n]),
                    Err(source) => return Err(ClientError::Network { source, outcome_unknown: written }),
                },
                _ = tokio::time::sleep_until(deadline.into()) => {
                    if let Some(Event::Failed(error)) = self.session.handle_timeout(Instant::now()) {
                        return Err(error.into());
                    }
                }
            }
        }
    }
}

/// Opens the TCP (and TLS) connection within the connect timeout.
async fn open(config: &ClientConfig) -> Result<BoxedIo, ClientError> {
    let address = format!("{}:{}", config.host, config.port);
    let connect = async {
        let tcp = TcpStream::connect((config.host.as_str(), config.port))
            .await
            .map_err(|e| ClientError::Connect { address: address.clone(), reason: e.to_string() })?;
        let _ = tcp.set_nodelay(true);
        match &config.tls {
            None => Ok(Box::new(tcp) as BoxedIo),
            Some(options) => {
                let (connector, name) = client_connector(options, &config.host)?;
                let tls = connector.connect(name, tcp).await.map_err(|e| ClientError::Connect {
                    address: address.clone(),
                    reason: format!("TLS handshake: {e}"),
                })?;
                Ok(Box::new(tls) as BoxedIo)
            }
        }
    };
    match tokio::time::timeout(config.connect_timeout, connect).await {
        Ok(result) => result,
        Err(_) => Err(ClientError::Connect {
            address,
            reason: format!("no answer within {} s", config.connect_timeout.as_secs_f32()),
        }),
    }
}
