//! An async SIP2 server (ACS) over a [`Backend`].
//!
//! Per connection it keeps the login state, checks AY/AZ (a bad checksum gets `96`),
//! answers `97` with its last response, replays the last response to a duplicate request
//! instead of executing it twice, echoes the request's sequence number, and closes idle
//! connections. Backend calls run on tokio's blocking pool, so a backend may use blocking
//! I/O such as SQLite.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::codec::{ChecksumCheck, Codec, DecodeError, FrameEvent, Framer};
use crate::messages::*;
use crate::transport::BoxedIo;
use crate::types::PatronStatus;

/// Who is on the other end of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// The peer's address.
    pub peer: SocketAddr,
    /// The login user, once logged in.
    pub user: Option<String>,
    /// The location code sent at login.
    pub location: Option<String>,
}

/// The library system behind the server. One method per request type; the optional
/// ones answer "not supported" unless implemented.
pub trait Backend: Send + Sync + 'static {
    /// `93` → `94`.
    fn login(&self, connection: &ConnectionInfo, request: &Login) -> LoginResponse;
    /// `99` → `98`.
    fn status(&self, connection: &ConnectionInfo, request: &ScStatus) -> AcsStatus;
    /// `23` → `24`.
    fn patron_status(
        &self,
        connection: &ConnectionInfo,
        request: &PatronStatusRequest,
    ) -> PatronStatusResponse;
    /// `63` → `64`.
    fn patron_information(
        &self,
        connection: &ConnectionInfo,
        request: &PatronInformation,
    ) -> PatronInformationResponse;
    /// `11` → `12`.
    fn checkout(&self, connection: &ConnectionInfo, request: &Checkout) -> CheckoutResponse;
    /// `09` → `10`.
    fn checkin(&self, connection: &ConnectionInfo, request: &Checkin) -> CheckinResponse;
    /// `29` → `30`.
    fn renew(&self, connection: &ConnectionInfo, request: &Renew) -> RenewResponse;
    /// `65` → `66`.
    fn renew_all(&self, connection: &ConnectionInfo, request: &RenewAll) -> RenewAllResponse;
    /// `17` → `18`.
    fn item_information(
        &self,
        connection: &ConnectionInfo,
        request: &ItemInformation,
    ) -> ItemInformationResponse;
    /// `35` → `36`.
    fn end_session(&self, connection: &ConnectionInfo, request: &EndPatronSession) -> EndSessionResponse;

    /// `37` → `38`.
    fn fee_paid(&self, _connection: &ConnectionInfo, request: &FeePaid) -> FeePaidResponse {
        FeePaidResponse {
            payment_accepted: false,
            transaction_date: request.transaction_date,
            institution_id: request.institution_id.clone(),
            patron_identifier: request.patron_identifier.clone(),
            screen_message: vec!["Fee payment is not supported here".into()],
            ..Default::default()
        }
    }

    /// `15` → `16`.
    fn hold(&self, _connection: &ConnectionInfo, request: &Hold) -> HoldResponse {
        HoldResponse {
            ok: false,
            transaction_date: request.transaction_date,
            institution_id: request.institution_id.clone(),
            patron_identifier: request.patron_identifier.clone(),
            screen_message: vec!["Holds are not supported here".into()],
            ..Default::default()
        }
    }

    /// `19` → `20`.
    fn item_status_update(
        &self,
        _connection: &ConnectionInfo,
        request: &ItemStatusUpdate,
    ) -> ItemStatusUpdateResponse {
        ItemStatusUpdateResponse {
            item_properties_ok: false,
            transaction_date: request.transaction_date,
            item_identifier: request.item_identifier.clone(),
            screen_message: vec!["Item status updates are not supported here".into()],
            ..Default::default()
        }
    }

    /// `25` → `26`.
    fn patron_enable(&self, _connection: &ConnectionInfo, request: &PatronEnable) -> PatronEnableResponse {
        PatronEnableResponse {
            patron_status: PatronStatus::default().with(PatronStatus::CHARGE_DENIED, true),
            transaction_date: request.transaction_date,
            institution_id: request.institution_id.clone(),
            patron_identifier: request.patron_identifier.clone(),
            screen_message: vec!["Patron enable is not supported here".into()],
            ..Default::default()
        }
    }

    /// `01` → `24`.
    fn block_patron(&self, _connection: &ConnectionInfo, request: &BlockPatron) -> PatronStatusResponse {
        PatronStatusResponse {
            transaction_date: request.transaction_date,
            institution_id: request.institution_id.clone(),
            patron_identifier: request.patron_identifier.clone(),
            screen_message: vec!["Blocking cards is not supported here".into()],
            ..Default::default()
        }
    }
}

/// Server settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerConfig {
    /// Charset and terminator of responses (error detection follows each request).
    pub codec: Codec,
    /// Close a connection after this long without a message.
    pub idle_timeout: Duration,
    /// Refuse everything but `93` and `99` before a successful login.
    pub require_login: bool,
    /// Call the backend directly on the connection's task. For a fast backend on a
    /// server with its own runtime thread; otherwise calls go to tokio's blocking pool.
    pub inline_backend: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            codec: Codec::default(),
            idle_timeout: Duration::from_secs(600),
            require_login: true,
            inline_backend: false,
        }
    }
}

/// Accepts connections until `shutdown` completes. With `tls`, every connection must
/// complete a TLS handshake first.
pub async fn serve<B: Backend>(
    listener: TcpListener,
    backend: Arc<B>,
    config: ServerConfig,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => return,
        };
        let _ = stream.set_nodelay(true);
        let backend = backend.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let io: BoxedIo = match tls {
                None => Box::new(stream),
                Some(acceptor) => {
                    match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => Box::new(tls),
                        Ok(Err(error)) => {
                            tracing::info!(%peer, %error, "TLS handshake failed");
                            return;
                        }
                        Err(_) => return,
                    }
                }
            };
            serve_connection(io, peer, backend, config).await;
        });
    }
}

/// Serves one connection until the peer closes it or it idles out.
pub async fn serve_connection<B: Backend>(
    mut io: BoxedIo,
    peer: SocketAddr,
    backend: Arc<B>,
    config: ServerConfig,
) {
    let mut state = ConnectionState::new(peer, config);
    let mut framer = Framer::new();
    let mut buffer = vec![0u8; 4096];
    tracing::debug!(%peer, "SIP2 connection opened");
    loop {
        while let Some(event) = framer.next_frame() {
            let reply = match event {
                FrameEvent::Frame(frame) => state.handle(&frame, backend.clone()).await,
                FrameEvent::Oversized => Some(state.resend_request()),
            };
            if let Some(bytes) = reply
                && io.write_all(&bytes).await.is_err()
            {
                return;
            }
        }
        match tokio::time::timeout(config.idle_timeout, io.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => framer.push(&buffer[..n]),
            Err(_) => {
                tracing::info!(%peer, "idle SIP2 connection closed");
                break;
            }
        }
    }
    tracing::debug!(%peer, "SIP2 connection closed");
}

struct ConnectionState {
    info: ConnectionInfo,
    config: ServerConfig,
    logged_in: bool,
    last_request: Option<Vec<u8>>,
    last_response: Option<Vec<u8>>,
}

impl ConnectionState {
    fn new(peer: SocketAddr, config: ServerConfig) -> Self {
        ConnectionState {
            info: ConnectionInfo { peer, user: None, location: None },
            config,
            logged_in: !config.require_login,
            last_request: None,
            last_response: None,
        }
    }

    fn resend_request(&self) -> Vec<u8> {
        let mut bytes = b"96AZFEF6".to_vec();
        bytes.extend_from_slice(self.config.codec.terminator.bytes());
        bytes
    }

    async fn handle<B: Backend>(&mut self, frame: &[u8], backend: Arc<B>) -> Option<Vec<u8>> {
        let decoded = match self.config.codec.decode(frame) {
            Ok(decoded) => decoded,
            Err(DecodeError::UnknownCommand(code)) => {
                tracing::info!(peer = %self.info.peer, code, "unknown SIP2 command ignored");
                return None;
            }
            Err(error) => {
                tracing::info!(peer = %self.info.peer, %error, "bad request; asking for a resend");
                let reply = self.resend_request();
                self.last_response = Some(reply.clone());
                return Some(reply);
            }
        };
        if let Message::RequestAcsResend(_) = decoded.message {
            return Some(self.last_response.clone().unwrap_or_else(|| self.resend_request()));
        }
        if decoded.sequence.is_some() && self.last_request.as_deref() == Some(frame) {
            tracing::info!(peer = %self.info.peer, "duplicate request; replaying the last response");
            if let Some(response) = &self.last_response {
                return Some(response.clone());
            }
        }
        let allowed = self.logged_in || matches!(decoded.message, Message::Login(_) | Message::ScStatus(_));
        if !allowed {
            tracing::info!(peer = %self.info.peer, code = decoded.message.code(), "request before login refused");
            return None;
        }
        let info = self.info.clone();
        let message = decoded.message;
        let call = move || dispatch(backend.as_ref(), &info, &message).map(|r| (message, r));
        // A backend may block (SQLite): unless told it may run inline, it runs on the
        // blocking pool so the runtime's workers stay free.
        let response = if self.config.inline_backend {
            call()
        } else {
            tokio::task::spawn_blocking(call).await.ok().flatten()
        };
        let (request, response) = response?;
        if let (Message::Login(login), Message::LoginResponse(answer)) = (&request, &response) {
            if answer.ok {
                self.logged_in = true;
                self.info.user = Some(login.login_user_id.to_string());
                self.info.location = login.location_code.as_ref().map(|l| l.to_string());
            } else if self.config.require_login {
                self.logged_in = false;
            }
        }
        let codec = Codec { error_detection: decoded.checksum != ChecksumCheck::Absent, ..self.config.codec };
        let bytes = match codec.encode(&response, decoded.sequence) {
            Ok(bytes) => bytes,
            Err(error) => {
                tracing::error!(%error, "the backend's response cannot be encoded");
                return None;
            }
        };
        self.last_request = Some(frame.to_vec());
        self.last_response = Some(bytes.clone());
        Some(bytes)
    }
}

/// Calls the backend for one request.
pub fn dispatch<B: Backend + ?Sized>(
    backend: &B,
    info: &ConnectionInfo,
    message: &Message,
) -> Option<Message> {
    Some(match message {
        Message::Login(r) => backend.login(info, r).into(),
        Message::ScStatus(r) => backend.status(info, r).into(),
        Message::PatronStatusRequest(r) => backend.patron_status(info, r).into(),
        Message::PatronInformation(r) => backend.patron_information(info, r).into(),
        Message::Checkout(r) => backend.checkout(info, r).into(),
        Message::Checkin(r) => backend.checkin(info, r).into(),
        Message::Renew(r) => backend.renew(info, r).into(),
        Message::RenewAll(r) => backend.renew_all(info, r).into(),
        Message::ItemInformation(r) => backend.item_information(info, r).into(),
        Message::EndPatronSession(r) => backend.end_session(info, r).into(),
        Message::FeePaid(r) => backend.fee_paid(info, r).into(),
        Message::Hold(r) => backend.hold(info, r).into(),
        Message::ItemStatusUpdate(r) => backend.item_status_update(info, r).into(),
        Message::PatronEnable(r) => backend.patron_enable(info, r).into(),
        Message::BlockPatron(r) => backend.block_patron(info, r).into(),
        // Responses sent to a server, and resend requests handled above, get no answer.
        _ => return None,
    })
}
