//! The async client against the async server over loopback TCP and TLS, and against
//! scripted faulty servers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use kiosk_sip2::client::{Client, ClientConfig, ClientError, Credentials};
use kiosk_sip2::messages::*;
use kiosk_sip2::server::{Backend, ConnectionInfo, ServerConfig, serve};
use kiosk_sip2::session::{ErrorDetection, ExchangeError, SessionConfig};
use kiosk_sip2::transport::{TlsOptions, server_acceptor};
use kiosk_sip2::types::*;
use kiosk_sip2::{Codec, Message};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A tiny in-memory ACS that counts checkouts.
#[derive(Default)]
struct MemoryBackend {
    checkouts: AtomicUsize,
}

fn date() -> SipDate {
    SipDate::local(2026, 7, 15, 10, 0, 0)
}

impl Backend for MemoryBackend {
    fn login(&self, _: &ConnectionInfo, request: &Login) -> LoginResponse {
        LoginResponse {
            ok: request.login_user_id == "kiosk" && request.login_password == "secret",
            extra: vec![],
        }
    }
    fn status(&self, _: &ConnectionInfo, _: &ScStatus) -> AcsStatus {
        AcsStatus {
            online_status: true,
            checkin_ok: true,
            checkout_ok: true,
            acs_renewal_policy: true,
            status_update_ok: false,
            offline_ok: true,
            timeout_period: 999,
            retries_allowed: 999,
            date_time_sync: date(),
            protocol_version: "2.00".into(),
            institution_id: "WCP".into(),
            library_name: Some("工人文化宫图书馆".into()),
            supported_messages: SupportedMessages::ALL,
            ..Default::default()
        }
    }
    fn patron_status(&self, _: &ConnectionInfo, r: &PatronStatusRequest) -> PatronStatusResponse {
        PatronStatusResponse {
            patron_identifier: r.patron_identifier.clone(),
            personal_name: "张三".into(),
            ..Default::default()
        }
    }
    fn patron_information(&self, _: &ConnectionInfo, r: &PatronInformation) -> PatronInformationResponse {
        PatronInformationResponse {
            patron_identifier: r.patron_identifier.clone(),
            personal_name: "张三".into(),
            ..Default::default()
        }
    }
    fn checkout(&self, _: &ConnectionInfo, r: &Checkout) -> CheckoutResponse {
        self.checkouts.fetch_add(1, Ordering::SeqCst);
        CheckoutResponse {
            ok: true,
            desensitize: Tristate::Yes,
            transaction_date: r.transaction_date,
            institution_id: r.institution_id.clone(),
            patron_identifier: r.patron_identifier.clone(),
            item_identifier: r.item_identifier.clone(),
            title_identifier: "三体".into(),
            due_date: "20260814    235900".into(),
            ..Default::default()
        }
    }
    fn checkin(&self, _: &ConnectionInfo, r: &Checkin) -> CheckinResponse {
        CheckinResponse { ok: true, item_identifier: r.item_identifier.clone(), ..Default::default() }
    }
    fn renew(&self, _: &ConnectionInfo, r: &Renew) -> RenewResponse {
        RenewResponse { patron_identifier: r.patron_identifier.clone(), ..Default::default() }
    }
    fn renew_all(&self, _: &ConnectionInfo, _: &RenewAll) -> RenewAllResponse {
        RenewAllResponse::default()
    }
    fn item_information(&self, _: &ConnectionInfo, r: &ItemInformation) -> ItemInformationResponse {
        ItemInformationResponse {
            circulation_status: CirculationStatus::Available,
            item_identifier: r.item_identifier.clone(),
            title_identifier: "活着".into(),
            transaction_date: date(),
            ..Default::default()
        }
    }
    fn end_session(&self, _: &ConnectionInfo, r: &EndPatronSession) -> EndSessionResponse {
        EndSessionResponse {
            end_session: true,
            patron_identifier: r.patron_identifier.clone(),
            ..Default::default()
        }
    }
}

async fn start_server(
    backend: Arc<MemoryBackend>,
    config: ServerConfig,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, backend, config, tls, std::future::pending()));
    address
}

fn client_config(address: SocketAddr) -> ClientConfig {
    ClientConfig {
        host: address.ip().to_string(),
        port: address.port(),
        credentials: Some(Credentials {
            user: "kiosk".into(),
            password: "secret".into(),
            location: Some("SELF-01".into()),
        }),
        session: SessionConfig {
            timeout: Duration::from_millis(500),
            retries: 2,
            ..SessionConfig::default()
        },
        connect_timeout: Duration::from_secs(2),
        ..ClientConfig::default()
    }
}

fn checkout(item: &str) -> Message {
    Message::from(Checkout {
        transaction_date: date(),
        institution_id: "WCP".into(),
        patron_identifier: "21234000000017".into(),
        item_identifier: item.into(),
        ..Default::default()
    })
}

#[tokio::test]
async fn login_status_and_checkouts_over_tcp() {
    let backend = Arc::new(MemoryBackend::default());
    let address = start_server(backend.clone(), ServerConfig::default(), None).await;
    let mut client = Client::connect(client_config(address)).await.unwrap();
    let status = client.acs_status().unwrap();
    assert!(status.online_status && status.offline_ok);
    assert_eq!(status.library_name.as_deref(), Some("工人文化宫图书馆"));
    for i in 0..15 {
        let Message::CheckoutResponse(reply) =
            client.request(&checkout(&format!("3123400000{i:04}"))).await.unwrap()
        else {
            panic!("not a 12")
        };
        assert!(reply.ok);
        assert_eq!(reply.title_identifier, "三体");
    }
    assert_eq!(backend.checkouts.load(Ordering::SeqCst), 15);
    assert!(client.last_round_trip().is_some());
}

#[tokio::test]
async fn wrong_password_is_refused() {
    let address = start_server(Arc::new(MemoryBackend::default()), ServerConfig::default(), None).await;
    let mut config = client_config(address);
    config.credentials.as_mut().unwrap().password = "wrong".into();
    let error = Client::connect(config).await.unwrap_err();
    assert!(matches!(error, ClientError::Refused { .. }), "{error}");
    assert!(!error.outcome_unknown());
}

#[tokio::test]
async fn nothing_listening_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let error = Client::connect(client_config(address)).await.unwrap_err();
    assert!(matches!(error, ClientError::Connect { .. }), "{error}");
}

#[tokio::test]
async fn login_and_checkout_over_tls() {
    let dir = tempfile_dir();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, certified.cert.pem()).unwrap();
    std::fs::write(&key_path, certified.signing_key.serialize_pem()).unwrap();
    let acceptor = server_acceptor(&cert_path, &key_path).unwrap();
    let backend = Arc::new(MemoryBackend::default());
    let address = start_server(backend.clone(), ServerConfig::default(), Some(acceptor)).await;

    let mut config = client_config(address);
    config.tls = Some(TlsOptions {
        ca_file: Some(cert_path.clone()),
        client_identity: None,
        server_name: Some("localhost".into()),
    });
    let mut client = Client::connect(config.clone()).await.unwrap();
    assert!(
        matches!(client.request(&checkout("31234000000001")).await.unwrap(), Message::CheckoutResponse(r) if r.ok)
    );

    // A certificate for another name is refused.
    config.tls.as_mut().unwrap().server_name = Some("ils.example.org".into());
    let error = Client::connect(config).await.unwrap_err();
    assert!(matches!(error, ClientError::Connect { ref reason, .. } if reason.contains("TLS")), "{error}");
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kiosk-sip2-test-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
}

/// Raw exchanges with the real server: duplicate replay, 97, 96, login required, idle timeout.
#[tokio::test]
async fn server_error_detection_rules() {
    let backend = Arc::new(MemoryBackend::default());
    let config = ServerConfig { idle_timeout: Duration::from_millis(400), ..ServerConfig::default() };
    let address = start_server(backend.clone(), config, None).await;
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let codec = Codec::default();

    // Before login, a checkout gets no answer; after login it does.
    stream.write_all(&codec.encode(&checkout("A"), Some(0)).unwrap()).await.unwrap();
    let login = Message::from(Login {
        uid_algorithm: '0',
        pwd_algorithm: '0',
        login_user_id: "kiosk".into(),
        login_password: "secret".into(),
        ..Default::default()
    });
    stream.write_all(&codec.encode(&login, Some(1)).unwrap()).await.unwrap();
    let reply = read_frame(&mut stream).await;
    assert_eq!(reply, b"941AY1AZFDFC\r".to_vec(), "{}", String::from_utf8_lossy(&reply));
    assert_eq!(backend.checkouts.load(Ordering::SeqCst), 0);

    // A duplicate request is answered again without being executed twice.
    let request = codec.encode(&checkout("31234000000002"), Some(2)).unwrap();
    stream.write_all(&request).await.unwrap();
    let first = read_frame(&mut stream).await;
    stream.write_all(&request).await.unwrap();
    let second = read_frame(&mut stream).await;
    assert_eq!(first, second);
    assert_eq!(backend.checkouts.load(Ordering::SeqCst), 1);
    assert_eq!(codec.decode(&first).unwrap().sequence, Some(2));

    // 97 gets the last response again.
    stream.write_all(b"97AZFEF5\r").await.unwrap();
    assert_eq!(read_frame(&mut stream).await, first);

    // A bad checksum gets 96, and a 97 after that gets the 96 again.
    let mut corrupted = codec.encode(&checkout("31234000000003"), Some(3)).unwrap();
    corrupted[5] ^= 1;
    stream.write_all(&corrupted).await.unwrap();
    assert_eq!(read_frame(&mut stream).await, b"96AZFEF6\r");
    stream.write_all(b"97AZFEF5\r").await.unwrap();
    assert_eq!(read_frame(&mut stream).await, b"96AZFEF6\r");
    assert_eq!(backend.checkouts.load(Ordering::SeqCst), 1);

    // A request without error detection gets a response without it.
    let plain = Codec { error_detection: false, ..codec };
    stream.write_all(&plain.encode(&Message::from(ItemInformation::default()), None).unwrap()).await.unwrap();
    let reply = read_frame(&mut stream).await;
    assert!(!reply.windows(2).any(|w| w == b"AZ"));

    // Idle connections are closed.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let mut buffer = [0u8; 16];
    assert_eq!(stream.read(&mut buffer).await.unwrap(), 0, "the server closes an idle connection");
}

async fn read_frame(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut frame = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        let read = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut byte))
            .await
            .expect("a reply in time")
            .unwrap();
        assert_eq!(read, 1, "connection closed");
        frame.push(byte[0]);
        if byte[0] == b'\r' {
            return frame;
        }
    }
}

/// A scripted ACS: logs the client in, answers its status, then plays `script` for each
/// later request. Each step gets the request bytes and returns what to do.
type Frames = Arc<std::sync::Mutex<Vec<Vec<u8>>>>;

async fn scripted_server<F>(script: F) -> (SocketAddr, Frames)
where
    F: Fn(usize, &[u8]) -> Step + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let script = Arc::new(script);
    let requests = Arc::new(AtomicUsize::new(0));
    let frames: Frames = Arc::default();
    let recorded = frames.clone();
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            let script = script.clone();
            let requests = requests.clone();
            let recorded = recorded.clone();
            tokio::spawn(async move {
                let mut last_honest = b"96AZFEF6\r".to_vec();
                let codec = Codec::default();
                let backend = MemoryBackend::default();
                let info = ConnectionInfo { peer: stream.peer_addr().unwrap(), user: None, location: None };
                let mut framer = kiosk_sip2::Framer::new();
                let mut buffer = [0u8; 1024];
                loop {
                    let n = match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    framer.push(&buffer[..n]);
                    while let Some(kiosk_sip2::FrameEvent::Frame(frame)) = framer.next_frame() {
                        let decoded = match codec.decode(&frame) {
                            Ok(decoded) => decoded,
                            Err(_) => continue,
                        };
                        if let Message::RequestAcsResend(_) = decoded.message {
                            recorded.lock().unwrap().push(frame.clone());
                            stream.write_all(&last_honest).await.unwrap();
                            continue;
                        }
                        let honest = kiosk_sip2::server::dispatch(&backend, &info, &decoded.message)
                            .map(|reply| codec.encode(&reply, decoded.sequence).unwrap());
                        let step = match decoded.message {
                            Message::Login(_) | Message::ScStatus(_) => Step::Reply,
                            _ => {
                                recorded.lock().unwrap().push(frame.clone());
                                script(requests.fetch_add(1, Ordering::SeqCst), &frame)
                            }
                        };
                        let honest = honest.unwrap_or_else(|| b"96AZFEF6\r".to_vec());
                        last_honest = honest.clone();
                        match step {
                            Step::Reply => stream.write_all(&honest).await.unwrap(),
                            Step::Raw(bytes) => stream.write_all(&bytes).await.unwrap(),
                            Step::Silent => {}
                            Step::HalfThenClose => {
                                stream.write_all(&honest[..honest.len() / 2]).await.unwrap();
                                return;
                            }
                            Step::Corrupt => {
                                let mut bad = honest.clone();
                                bad[3] ^= 1;
                                stream.write_all(&bad).await.unwrap();
                            }
                        }
                    }
                }
            });
        }
    });
    (address, frames)
}

enum Step {
    Reply,
    Raw(Vec<u8>),
    Silent,
    HalfThenClose,
    Corrupt,
}

#[tokio::test]
async fn server_closing_mid_reply_leaves_the_outcome_unknown_and_reconnects() {
    let (address, _) = scripted_server(|n, _| if n == 0 { Step::HalfThenClose } else { Step::Reply }).await;
    let mut client = Client::connect(client_config(address)).await.unwrap();
    let error = client.request(&checkout("31234000000004")).await.unwrap_err();
    assert!(matches!(error, ClientError::Network { .. }), "{error}");
    assert!(error.outcome_unknown(), "the request was sent: its outcome is unknown");
    assert!(!client.is_connected());
    let reply = client.request(&Message::from(ItemInformation::default())).await.unwrap();
    assert!(matches!(reply, Message::ItemInformationResponse(_)), "reconnected and logged in again");
}

#[tokio::test]
async fn bad_checksum_reply_is_fixed_by_a_97() {
    let (address, frames) = scripted_server(|n, _| if n == 0 { Step::Corrupt } else { Step::Reply }).await;
    let mut client = Client::connect(client_config(address)).await.unwrap();
    let reply = client
        .request(&Message::from(ItemInformation { item_identifier: "X1".into(), ..Default::default() }))
        .await;
    assert!(
        matches!(reply, Ok(Message::ItemInformationResponse(ref r)) if r.title_identifier == "活着"),
        "{reply:?}"
    );
    let frames = frames.lock().unwrap().clone();
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[1], b"97AZFEF5", "the client asked for a resend");
}

#[tokio::test]
async fn late_reply_is_waited_for_with_the_same_message_resent() {
    let (address, frames) = scripted_server(|n, _| if n == 0 { Step::Silent } else { Step::Reply }).await;
    let mut client = Client::connect(client_config(address)).await.unwrap();
    let reply = client.request(&checkout("31234000000005")).await.unwrap();
    assert!(matches!(reply, Message::CheckoutResponse(r) if r.ok));
    let frames = frames.lock().unwrap().clone();
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[0], frames[1], "the re-sent message is byte for byte the same (same AY, same AZ)");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let (address, _) = scripted_server(|_, _| Step::Silent).await;
    let mut client = Client::connect(client_config(address)).await.unwrap();
    let error = client.request(&checkout("31234000000006")).await.unwrap_err();
    assert!(matches!(error, ClientError::Protocol(ExchangeError::Timeout { attempts: 3 })), "{error}");
    assert!(error.outcome_unknown());
}

#[tokio::test]
async fn stale_reply_with_old_sequence_is_discarded() {
    // The first request is answered twice (late duplicate); the second request must get
    // its own reply, not the stale one.
    let (address, _) = scripted_server(|n, frame| {
        if n == 0 {
            let codec = Codec::default();
            let decoded = codec.decode(frame).unwrap();
            let reply = Message::from(ItemInformationResponse {
                title_identifier: "first".into(),
                ..Default::default()
            });
            let bytes = codec.encode(&reply, decoded.sequence).unwrap();
            Step::Raw([bytes.clone(), bytes].concat())
        } else {
            Step::Reply
        }
    })
    .await;
    let mut client = Client::connect(client_config(address)).await.unwrap();
    let first = client.request(&Message::from(ItemInformation::default())).await.unwrap();
    assert!(matches!(first, Message::ItemInformationResponse(ref r) if r.title_identifier == "first"));
    let second = client.request(&Message::from(ItemInformation::default())).await.unwrap();
    assert!(
        matches!(second, Message::ItemInformationResponse(ref r) if r.title_identifier == "活着"),
        "{second:?}"
    );
}

#[tokio::test]
async fn error_detection_auto_accepts_a_server_without_checksums() {
    let (address, _) = scripted_server(|_, _| {
        let reply =
            Message::from(ItemInformationResponse { title_identifier: "plain".into(), ..Default::default() });
        Step::Raw(Codec { error_detection: false, ..Codec::default() }.encode(&reply, None).unwrap())
    })
    .await;
    let mut config = client_config(address);
    config.session.error_detection = ErrorDetection::Auto;
    let mut client = Client::connect(config.clone()).await.unwrap();
    assert!(client.request(&Message::from(ItemInformation::default())).await.is_ok());
    config.session.error_detection = ErrorDetection::On;
    let mut strict = Client::connect(config).await.unwrap();
    let error = strict.request(&Message::from(ItemInformation::default())).await.unwrap_err();
    assert!(matches!(error, ClientError::Protocol(ExchangeError::MissingChecksum)), "{error}");
}
