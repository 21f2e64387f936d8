//! Whole circulation sessions against the ILS emulator over loopback, with RFID security
//! written through the real 3M driver to a simulated pad.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use kiosk::runtime::circulation::{Circulation, Outcome};
use kiosk::runtime::session::{SecurityWriter, SessionRunner};
use kiosk_core::Config;
use kiosk_core::circulation::Routing;
use kiosk_core::circulation::session::*;
use kiosk_core::ils::emulator::Emulator;
use kiosk_core::store::catalog::CatalogStore;
use kiosk_core::store::{JournalState, Store};
use kiosk_hardware::device::PadTransport;
use kiosk_hardware::reader::fake::{FakePad, library_book};
use kiosk_hardware::reader::{M3Reader, SecurityState, apply_security};
use kiosk_hardware::tag::iso15693::Uid;
use kiosk_sip2::client::Client;
use kiosk_sip2::server::{ServerConfig, serve};
use tokio::net::TcpListener;

const ZHANG_WEI: &str = "20234000000019";
const BLOCKED: &str = "20234000000068";
const FINES: &str = "20234000000076";
const RENEWALS: &str = "20234000000134";
const AT_RENEWAL_LIMIT: &str = "30234000001056";

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 7, 15).unwrap().and_hms_opt(10, 0, 0).unwrap()
}

/// The ILS emulator over the demo catalog, its clock fixed at [`now`].
fn emulator() -> Arc<Emulator> {
    Arc::new(Emulator::new(
        CatalogStore::in_memory(now()).unwrap(),
        Box::new(now),
        ("kiosk".into(), "kiosk".into()),
        "WCP".into(),
    ))
}

/// Security through the 3M driver to a simulated pad, with the ISO values.
struct Pad {
    reader: M3Reader<PadTransport>,
    pad: Arc<Mutex<FakePad>>,
}

impl Pad {
    fn new() -> Pad {
        let pad = Arc::new(Mutex::new(FakePad::default()));
        Pad { reader: M3Reader::new(PadTransport::new(pad.clone()), Duration::from_millis(200)), pad }
    }

    /// Puts a book on the pad; returns its tag.
    fn place(&self, serial: u32, barcode: &str) -> [u8; 8] {
        let tag = library_book(serial, barcode, "", None);
        let uid = tag.uid.0;
        self.pad.lock().unwrap().tags.push(tag);
        uid
    }

    fn afi(&self, uid: [u8; 8]) -> u8 {
        self.pad.lock().unwrap().tags.iter().find(|t| t.uid.0 == uid).unwrap().afi
    }
}

impl SecurityWriter for Pad {
    fn secure(&mut self, tags: &[[u8; 8]], on_loan: bool) -> bool {
        let uids: Vec<Uid> = tags.iter().map(|t| Uid(*t)).collect();
        let state = SecurityState { afi: if on_loan { 0xC2 } else { 0x07 }, eas: Some(!on_loan) };
        apply_security(&mut self.reader, &uids, state, 3).is_empty()
    }
}

struct Kiosk {
    circulation: Circulation,
    pad: Pad,
    emulator: Arc<Emulator>,
    _dir: tempfile::TempDir,
}

impl Kiosk {
    async fn start() -> Kiosk {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let emulator = emulator();
        tokio::spawn(serve(
            listener,
            emulator.clone(),
            ServerConfig::default(),
            None,
            std::future::pending(),
        ));
        Kiosk::with_port(port, emulator)
    }

    fn with_port(port: u16, emulator: Arc<Emulator>) -> Kiosk {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::default();
        let mut client = kiosk_core::ils::client_config(&config.ils, "127.0.0.1", port, 48);
        client.connect_timeout = Duration::from_millis(500);
        Kiosk {
            circulation: Circulation::new(&config, Store::open_in(dir.path()).unwrap(), Client::new(client)),
            pad: Pad::new(),
            emulator,
            _dir: dir,
        }
    }

    async fn feed(&mut self, session: &mut Session, input: Input) -> Vec<Effect> {
        SessionRunner::new(&mut self.circulation, &mut self.pad, true)
            .feed(session, input, now())
            .await
            .unwrap()
    }

    async fn sign_in(&mut self, mode: Mode, card: &str, pin: &str) -> Session {
        let mut session = Session::new(mode, settings(), now());
        self.feed(&mut session, Input::Card(card.into())).await;
        self.feed(&mut session, Input::Pin(pin.into())).await;
        session
    }

    fn on_loan_to(&self, item: &str) -> Option<String> {
        self.emulator.store().loans().unwrap().into_iter().find(|(i, _)| i == item).map(|(_, p)| p)
    }
}

fn settings() -> Settings {
    Settings {
        require_pin: true,
        pin_attempts: 3,
        idle_timeout: chrono::Duration::seconds(90),
        warning: chrono::Duration::seconds(20),
        receipt: kiosk_core::config::ReceiptPrompt::Ask,
    }
}

fn book(barcode: &str, tag: [u8; 8]) -> Input {
    Input::Item(Presented { barcode: barcode.into(), title: None, tags: vec![tag], incomplete: None })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn happy_path_three_books_secured_then_finish() {
    let mut kiosk = Kiosk::start().await;
    let mut session = kiosk.sign_in(Mode::Borrow, ZHANG_WEI, "1234").await;
    assert_eq!(session.phase(), Phase::Ready);
    let patron = session.patron().unwrap().clone();
    assert_eq!(patron.name, "张伟");
    assert!(patron.blocks.is_empty());
    let books = ["30234000000041", "30234000000058", "30234000000074"];
    let tags: Vec<[u8; 8]> = books.iter().enumerate().map(|(i, b)| kiosk.pad.place(i as u32, b)).collect();
    for (barcode, tag) in books.iter().zip(&tags) {
        kiosk.feed(&mut session, book(barcode, *tag)).await;
    }
    for (line, tag) in session.lines().iter().zip(&tags) {
        assert!(
            matches!(line.state, LineState::Loaned { due: Some(_), renewed: false, queued: false }),
            "{line:?}"
        );
        assert!(line.title.is_some());
        assert_eq!(kiosk.pad.afi(*tag), 0xC2, "security switched to on loan");
    }
    assert_eq!(session.patron().unwrap().loans, patron.loans + 3);
    assert!(kiosk.feed(&mut session, Input::Finish).await.is_empty());
    assert_eq!(session.phase(), Phase::ReceiptChoice);
    let effects = kiosk.feed(&mut session, Input::Receipt(true)).await;
    let [Effect::PrintReceipt(receipt), Effect::Over(EndReason::Finished)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(receipt.items.len(), 3);
    assert_eq!(receipt.patron.as_ref().map(|p| p.loans), Some(patron.loans + 3));

    // The receipt as the printer would print it.
    let config = Config::default();
    let bytes = kiosk::runtime::receipt::print_job(
        receipt,
        &config,
        &kiosk_core::i18n::Localizer::new(),
        kiosk_core::config::Language::ZhCn,
    );
    let printed = kiosk_hardware::escpos::render::render(&bytes, kiosk_hardware::escpos::PaperWidth::Mm80);
    std::fs::write(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("loan-receipt.png"), printed.png())
        .unwrap();
    let text = printed.text.join("\n");
    for line in session.lines() {
        assert!(text.contains(line.title.as_deref().unwrap()), "{text}");
        assert!(text.contains(&line.barcode), "{text}");
    }
    assert!(text.contains("借书凭条") && text.contains("本次借出 3 册"), "{text}");
    assert!(!text.contains(ZHANG_WEI), "the card number is masked");
    for barcode in books {
        assert_eq!(kiosk.on_loan_to(barcode).as_deref(), Some(ZHANG_WEI));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocked_patron_and_fines_cannot_borrow() {
    let mut kiosk = Kiosk::start().await;
    for (card, reason) in [(BLOCKED, BlockReason::ChargeDenied), (FINES, BlockReason::ExcessiveFines)] {
        let mut session = kiosk.sign_in(Mode::Borrow, card, "1234").await;
        let patron = session.patron().unwrap();
        assert!(patron.blocks.contains(&reason), "{card}: {:?}", patron.blocks);
        assert!(!patron.messages.is_empty(), "the ILS says why");
        if reason == BlockReason::ExcessiveFines {
            assert_eq!(patron.fines.as_deref(), Some("56.00"));
        }
        let tag = kiosk.pad.place(90, "30234000000041");
        kiosk.feed(&mut session, book("30234000000041", tag)).await;
        assert_eq!(session.lines()[0].state, LineState::Blocked);
        assert_eq!(kiosk.on_loan_to("30234000000041"), None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_pin_three_times_ends_the_session() {
    let mut kiosk = Kiosk::start().await;
    let mut session = Session::new(Mode::Borrow, settings(), now());
    kiosk.feed(&mut session, Input::Card(ZHANG_WEI.into())).await;
    kiosk.feed(&mut session, Input::Pin("9999".into())).await;
    assert_eq!(session.phase(), Phase::Pin { attempts_left: 2, wrong: true });
    kiosk.feed(&mut session, Input::Pin("1111".into())).await;
    let effects = kiosk.feed(&mut session, Input::Pin("0000".into())).await;
    assert_eq!(effects, [Effect::Over(EndReason::TooManyPins)]);
    assert!(session.patron().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returns_trap_holds_and_send_books_in_transit() {
    let mut kiosk = Kiosk::start().await;
    let mut session = Session::new(Mode::Return, settings(), now());
    let held = kiosk.pad.place(1, "30234000000025");
    let transit = kiosk.pad.place(2, "30234000000033");
    kiosk.feed(&mut session, book("30234000000025", held)).await;
    kiosk.feed(&mut session, book("30234000000033", transit)).await;
    assert!(matches!(
        &session.lines()[0].state,
        LineState::Returned { routing: Routing::HoldShelf { patron_name: Some(name) }, queued: false } if name == "周杰"
    ));
    assert!(matches!(
        &session.lines()[1].state,
        LineState::Returned { routing: Routing::Transit { destination: Some(d) }, .. } if d == "CENTRAL"
    ));
    assert_eq!(kiosk.pad.afi(held), 0x07, "security re-enabled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewal_limit_and_unknown_item() {
    let mut kiosk = Kiosk::start().await;
    let mut session = kiosk.sign_in(Mode::Account, RENEWALS, "1234").await;
    assert!(session.patron().unwrap().charged_items.contains(&AT_RENEWAL_LIMIT.to_string()));
    kiosk.feed(&mut session, Input::Renew(vec![AT_RENEWAL_LIMIT.into()])).await;
    assert!(
        matches!(&session.lines()[0].state, LineState::Refused(why) if why.contains("续借")),
        "{:?}",
        session.lines()
    );

    let mut session = kiosk.sign_in(Mode::Account, ZHANG_WEI, "1234").await;
    kiosk.feed(&mut session, Input::Renew(vec!["30234000001064".into()])).await;
    assert!(matches!(session.lines()[0].state, LineState::Renewed { due: Some(_) }), "{:?}", session.lines());

    let mut session = kiosk.sign_in(Mode::Borrow, ZHANG_WEI, "1234").await;
    kiosk
        .feed(
            &mut session,
            Input::Item(Presented {
                barcode: "39999999999999".into(),
                title: None,
                tags: vec![],
                incomplete: None,
            }),
        )
        .await;
    assert!(
        matches!(&session.lines()[0].state, LineState::Refused(why) if why.contains("条码")),
        "{:?}",
        session.lines()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incomplete_set_and_security_failure_with_rollback() {
    let mut kiosk = Kiosk::start().await;
    let mut session = kiosk.sign_in(Mode::Borrow, ZHANG_WEI, "1234").await;
    kiosk
        .feed(
            &mut session,
            Input::Item(Presented {
                barcode: "30234000000900".into(),
                title: None,
                tags: vec![[0xE0, 4, 1, 0, 0, 0, 0, 9]],
                incomplete: Some((2, 1)),
            }),
        )
        .await;
    assert_eq!(session.lines()[0].state, LineState::SetIncomplete { parts: 2, found: 1 });

    let tag = kiosk.pad.place(5, "30234000000041");
    kiosk.pad.pad.lock().unwrap().tags.last_mut().unwrap().flaky_writes = 100;
    kiosk.feed(&mut session, book("30234000000041", tag)).await;
    assert_eq!(session.lines()[1].state, LineState::SecurityFailed);
    assert_eq!(kiosk.on_loan_to("30234000000041"), None, "the loan was cancelled at the ILS");
    let journal = kiosk.circulation.store().journal_all().unwrap();
    assert_eq!(journal.len(), 2, "the loan and its cancel, both journaled");
    assert!(journal[1].cancel && journal[1].state == JournalState::Done);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_borrow_then_online() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let emulator = emulator();
    let mut kiosk = Kiosk::with_port(port, emulator.clone());

    // Off line the card cannot be checked; the offline policy lets it borrow up to its
    // limit (5 by default), each loan recorded with the promised due date (30 days).
    let mut session = kiosk.sign_in(Mode::Borrow, ZHANG_WEI, "1234").await;
    assert_eq!(session.phase(), Phase::Ready);
    assert!(session.patron().unwrap().offline);
    let books = ["30234000000017", "30234000000041", "30234000000074", "30234000000082", "30234000000108"];
    for (serial, barcode) in books.iter().enumerate() {
        let tag = kiosk.pad.place(100 + serial as u32, barcode);
        kiosk.feed(&mut session, book(barcode, tag)).await;
        assert_eq!(kiosk.pad.afi(tag), 0xC2, "security switched for an offline loan too");
    }
    let promised = now() + chrono::Duration::days(30);
    for line in session.lines() {
        let LineState::Loaned { due: Some(due), queued: true, .. } = line.state else { panic!("{line:?}") };
        assert_eq!(due.date(), promised.date());
    }
    let tag = kiosk.pad.place(110, "30234000000116");
    kiosk.feed(&mut session, book("30234000000116", tag)).await;
    assert!(matches!(session.lines()[5].state, LineState::Refused(_)), "the sixth is over the offline limit");
    assert_eq!(kiosk.pad.afi(tag), 0x07, "a refused book stays secured");

    // Returns work off line and are queued.
    let mut returns = Session::new(Mode::Return, settings(), now());
    let tag = kiosk.pad.place(1, "30234000001064");
    kiosk.feed(&mut returns, book("30234000001064", tag)).await;
    assert!(matches!(returns.lines()[0].state, LineState::Returned { queued: true, .. }));

    // The ILS comes back; the queue is forwarded and the return applied.
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    tokio::spawn(serve(listener, emulator.clone(), ServerConfig::default(), None, std::future::pending()));
    let report = kiosk.circulation.sync_once(now()).await.unwrap();
    assert_eq!((report.accepted, report.rejected, report.remaining), (6, 0, 0), "{report:?}");
    assert_eq!(kiosk.on_loan_to("30234000001064"), None);
    for barcode in books {
        assert_eq!(kiosk.on_loan_to(barcode).as_deref(), Some(ZHANG_WEI));
    }
    session = kiosk.sign_in(Mode::Borrow, ZHANG_WEI, "1234").await;
    assert_eq!(session.phase(), Phase::Ready);
}

/// The background worker notices the library system coming back and forwards the queue
/// without anyone asking.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_worker_forwards_the_queue_when_the_library_system_returns() {
    use iced::futures::StreamExt;
    use kiosk::runtime::sync::{SyncWorker, run};

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let emulator = emulator();
    let mut kiosk = Kiosk::with_port(port, emulator.clone());
    let mut returns = Session::new(Mode::Return, settings(), now());
    let tag = kiosk.pad.place(1, "30234000001064");
    kiosk.feed(&mut returns, book("30234000001064", tag)).await;
    assert!(matches!(returns.lines()[0].state, LineState::Returned { queued: true, .. }));

    let shared = Arc::new(tokio::sync::Mutex::new(kiosk.circulation));
    let mut probe = kiosk_core::ils::client_config(&Config::default().ils, "127.0.0.1", port, 48);
    probe.connect_timeout = Duration::from_millis(500);
    let worker =
        SyncWorker { circulation: shared.clone(), probe: Arc::new(probe), every: Duration::from_secs(1) };
    let mut statuses = Box::pin(run(&worker));
    let first = statuses.next().await.unwrap();
    assert!(!first.health.is_online());
    assert_eq!(first.counts.queued(), 1);
    assert!(first.next_in <= Duration::from_secs(1));

    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    tokio::spawn(serve(listener, emulator.clone(), ServerConfig::default(), None, std::future::pending()));
    let mut back = None;
    for _ in 0..30 {
        let status = statuses.next().await.unwrap();
        if status.health.is_online() {
            back = Some(status);
            break;
        }
    }
    let back = back.expect("the worker never saw the library system again");
    assert_eq!(back.counts.queued(), 0);
    assert_eq!(back.report.as_ref().map(|r| r.accepted), Some(1));
    assert_eq!(back.next_in, Duration::from_secs(1));
    let loans = emulator.store().loans().unwrap();
    assert!(!loans.iter().any(|(item, _)| item == "30234000001064"), "{loans:?}");

    // Nothing queued: the next round is a heartbeat only.
    let quiet = statuses.next().await.unwrap();
    assert!(quiet.health.is_online());
    assert_eq!(quiet.report, None);
}

/// On a dead network a visitor must not wait out a connect timeout for every book: after
/// one failed attempt, live transactions go straight to the journal until a heartbeat
/// reaches the library system again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_library_system_is_not_retried_for_every_book() {
    use std::sync::atomic::{AtomicUsize, Ordering};

    // Accepts connections and drops them at once: every login fails.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    let emulator = emulator();
    let mut kiosk = Kiosk::with_port(port, emulator);
    let queued = |outcome: Outcome| matches!(outcome, Outcome::Queued { .. });

    assert!(queued(kiosk.circulation.checkin("30234000000017", now()).await.unwrap()));
    let tried = accepted.load(Ordering::SeqCst);
    assert!(tried >= 1, "the first book tries the network");
    assert!(queued(kiosk.circulation.checkin("30234000000041", now()).await.unwrap()));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(accepted.load(Ordering::SeqCst), tried, "the second does not wait on it again");

    kiosk.circulation.set_reachable(true);
    assert!(queued(kiosk.circulation.checkin("30234000000074", now()).await.unwrap()));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(accepted.load(Ordering::SeqCst) > tried, "after a heartbeat got through it tries again");
    assert_eq!(kiosk.circulation.counts().unwrap().queued(), 3, "nothing lost");
}
