//! The built-in ILS emulator: a SIP2 [`Backend`] over the demo catalog
//! ([`CatalogStore`]), with loan rules, holds that trap returned items (CV 01/02),
//! transit to other branches (CV 04), renewals, fines and no-block replay.

use chrono::NaiveDateTime;
use kiosk_sip2::messages::*;
use kiosk_sip2::server::{Backend, ConnectionInfo};
use kiosk_sip2::types::*;

use super::{from_sip_date, sip_date};
use crate::store::catalog::{CatalogStore, ItemStatus, Patron, PatronState, Refusal, ReturnRouting};

/// A clock for the emulator (tests pass a fixed one).
pub type Clock = Box<dyn Fn() -> NaiveDateTime + Send + Sync>;

/// The emulator.
pub struct Emulator {
    store: CatalogStore,
    clock: Clock,
    login: (String, String),
    institution: String,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator").field("institution", &self.institution).finish_non_exhaustive()
    }
}

fn chinese(language: LanguageCode) -> bool {
    language != LanguageCode::ENGLISH
}

fn text(zh: bool, chinese: &str, english: &str) -> Text {
    Text::from(if zh { chinese } else { english })
}

fn yuan(cents: i64) -> Text {
    Text::from(format!("{}.{:02}", cents / 100, cents % 100))
}

/// The free-format due date the emulator sends in `AH` (the common `YYYYMMDD    HHMMSS`).
fn due_text(due: NaiveDateTime) -> Text {
    Text::from(sip_date(due).as_str())
}

impl Refusal {
    /// The screen message for this refusal.
    fn message(&self, zh: bool) -> Text {
        match self {
            Refusal::UnknownPatron => text(zh, "读者证号无效，请到服务台咨询", "Unknown library card"),
            Refusal::UnknownItem => {
                text(zh, "条码无法识别，请到服务台办理", "Item not found in the catalogue")
            }
            Refusal::PatronBlocked => {
                text(zh, "借阅权限已暂停，请到服务台咨询", "Borrowing is blocked on this card")
            }
            Refusal::CardLost => text(zh, "此读者证已挂失", "This card has been reported lost"),
            Refusal::CardExpired => text(zh, "读者证已过期，请到服务台续期", "Your library card has expired"),
            Refusal::ExcessiveFines(cents) => Text::from(if zh {
                format!("欠款 {} 元，超过限额，请先缴费", yuan(*cents))
            } else {
                format!("Outstanding fines of {} CNY: please pay first", yuan(*cents))
            }),
            Refusal::LoanLimit(limit) => Text::from(if zh {
                format!("已达借阅上限（{limit} 册）")
            } else {
                format!("You have reached your loan limit ({limit} items)")
            }),
            Refusal::OnLoanToOther => {
                text(zh, "此书已被他人借出，请交给工作人员", "This item is on loan to someone else")
            }
            Refusal::HeldForOther => text(zh, "此书已被他人预约", "This item is reserved for another reader"),
            Refusal::NotAvailable => {
                text(zh, "此书暂不可借，请交给工作人员", "This item cannot be borrowed now")
            }
            Refusal::NotOnLoanToPatron => {
                text(zh, "此书不在您的借阅记录中", "This item is not on loan to you")
            }
            Refusal::RenewalLimit => text(zh, "已达续借次数上限", "No renewals left for this item"),
            Refusal::OnHoldForOther => {
                text(zh, "此书已被他人预约，不能续借", "Reserved by another reader: cannot renew")
            }
        }
    }
}

impl Emulator {
    /// An emulator over `store`, accepting the given login and institution id.
    pub fn new(store: CatalogStore, clock: Clock, login: (String, String), institution: String) -> Emulator {
        Emulator { store, clock, login, institution }
    }

    /// The catalog.
    pub fn store(&self) -> &CatalogStore {
        &self.store
    }

    fn now(&self) -> NaiveDateTime {
        (self.clock)()
    }

    fn status_flags(&self, patron: &Patron) -> PatronStatus {
        let now = self.now();
        let mut status = PatronStatus::default();
        match patron.state {
            PatronState::Blocked => {
                for flag in
                    [PatronStatus::CHARGE_DENIED, PatronStatus::RENEWAL_DENIED, PatronStatus::HOLD_DENIED]
                {
                    status = status.with(flag, true);
                }
            }
            PatronState::CardLost => status = status.with(PatronStatus::CARD_LOST, true),
            PatronState::Ok => {}
        }
        if patron.card_expires < now.date() {
            status = status.with(PatronStatus::CHARGE_DENIED, true);
        }
        if patron.fines_cents > crate::store::catalog::FEE_LIMIT_CENTS {
            status = status.with(PatronStatus::EXCESSIVE_FINES, true);
        }
        if patron.loans.len() as u32 >= patron.max_loans {
            status = status.with(PatronStatus::TOO_MANY_CHARGED, true);
        }
        status
    }

    fn patron_messages(&self, patron: &Patron, zh: bool) -> Vec<Text> {
        let now = self.now();
        let mut messages = Vec::new();
        if let Some(refusal) = self.store.borrowing_block(patron, now) {
            messages.push(refusal.message(zh));
        } else if patron.loans.len() as u32 >= patron.max_loans {
            messages.push(Refusal::LoanLimit(patron.max_loans).message(zh));
        }
        let overdue = patron.overdue(now).count();
        if overdue > 0 {
            messages.push(Text::from(if zh {
                format!("您有 {overdue} 册图书已逾期，请尽快归还")
            } else {
                format!("{overdue} item(s) overdue: please return them soon")
            }));
        }
        if !patron.holds_ready.is_empty() {
            messages.push(Text::from(if zh {
                format!("您有 {} 册预约图书可以领取", patron.holds_ready.len())
            } else {
                format!("{} hold(s) ready for you to collect", patron.holds_ready.len())
            }));
        }
        messages
    }

    fn lookup(&self, barcode: &str) -> Option<Patron> {
        self.store.patron(barcode).unwrap_or_else(|error| {
            tracing::error!(%error, "emulator database error");
            None
        })
    }

    fn pin_result(&self, patron: &Patron, password: Option<&str>) -> Option<bool> {
        let pin = password.filter(|p| !p.is_empty())?;
        Some(self.store.check_pin(&patron.barcode, pin).unwrap_or(false))
    }
}

fn refused(error: &crate::store::StoreError) -> Text {
    tracing::error!(%error, "emulator database error");
    Text::from("系统错误，请到服务台办理 / System error, please ask staff")
}

impl Backend for Emulator {
    fn login(&self, _: &ConnectionInfo, request: &Login) -> LoginResponse {
        let ok =
            request.login_user_id == self.login.0.as_str() && request.login_password == self.login.1.as_str();
        LoginResponse { ok, extra: Vec::new() }
    }

    fn status(&self, _: &ConnectionInfo, _: &ScStatus) -> AcsStatus {
        AcsStatus {
            online_status: true,
            checkin_ok: true,
            checkout_ok: true,
            acs_renewal_policy: true,
            status_update_ok: true,
            offline_ok: true,
            timeout_period: 100,
            retries_allowed: 3,
            date_time_sync: sip_date(self.now()),
            protocol_version: "2.00".into(),
            institution_id: self.institution.as_str().into(),
            library_name: Some("市工人文化宫图书馆（模拟）".into()),
            supported_messages: SupportedMessages::ALL,
            terminal_location: Some("WCP".into()),
            screen_message: Vec::new(),
            print_line: Vec::new(),
            extra: Vec::new(),
        }
    }

    fn patron_status(&self, _: &ConnectionInfo, request: &PatronStatusRequest) -> PatronStatusResponse {
        let zh = chinese(request.language);
        let mut response = PatronStatusResponse {
            language: request.language,
            transaction_date: sip_date(self.now()),
            institution_id: self.institution.as_str().into(),
            patron_identifier: request.patron_identifier.clone(),
            ..Default::default()
        };
        match self.lookup(&request.patron_identifier) {
            None => {
                response.patron_status = PatronStatus([true; 14]);
                response.valid_patron = Some(false);
                response.screen_message.push(Refusal::UnknownPatron.message(zh));
            }
            Some(patron) => {
                response.patron_status = self.status_flags(&patron);
                response.personal_name = patron.name.as_str().into();
                response.valid_patron = Some(true);
                response.valid_patron_password = self.pin_result(&patron, Some(&request.patron_password));
                response.currency_type = Some("CNY".into());
                response.fee_amount = Some(yuan(patron.fines_cents));
                response.screen_message = self.patron_messages(&patron, zh);
            }
        }
        response
    }

    fn patron_information(
        &self,
        _: &ConnectionInfo,
        request: &PatronInformation,
    ) -> PatronInformationResponse {
        let zh = chinese(request.language);
        let now = self.now();
        let mut response = PatronInformationResponse {
            language: request.language,
            transaction_date: sip_date(now),
            institution_id: self.institution.as_str().into(),
            patron_identifier: request.patron_identifier.clone(),
            ..Default::default()
        };
        let Some(patron) = self.lookup(&request.patron_identifier) else {
            response.patron_status = PatronStatus([true; 14]);
            response.valid_patron = Some(false);
            response.screen_message.push(Refusal::UnknownPatron.message(zh));
            return response;
        };
        let overdue: Vec<&str> = patron.overdue(now).collect();
        response.patron_status = self.status_flags(&patron);
        response.personal_name = patron.name.as_str().into();
        response.valid_patron = Some(true);
        response.valid_patron_password = self.pin_result(&patron, request.patron_password.as_deref());
        response.hold_items_count = Some(patron.holds_ready.len() as u16);
        response.overdue_items_count = Some(overdue.len() as u16);
        response.charged_items_count = Some(patron.loans.len() as u16);
        response.fine_items_count = Some(u16::from(patron.fines_cents > 0));
        response.recall_items_count = Some(0);
        response.unavailable_holds_count = Some(patron.holds_waiting.len() as u16);
        response.charged_items_limit = Some(Number::padded(patron.max_loans, 4));
        response.currency_type = Some("CNY".into());
        response.fee_amount = Some(yuan(patron.fines_cents));
        response.fee_limit = Some(yuan(crate::store::catalog::FEE_LIMIT_CENTS));
        let window = |items: Vec<String>| -> Vec<Text> {
            let start = request
                .start_item
                .as_deref()
                .and_then(|s| s.trim().parse::<usize>().ok())
                .unwrap_or(1)
                .max(1);
            let end = request
                .end_item
                .as_deref()
                .and_then(|s| s.trim().parse::<usize>().ok())
                .unwrap_or(usize::MAX);
            items.into_iter().skip(start - 1).take(end.saturating_sub(start - 1)).map(Text::from).collect()
        };
        match request.summary.category() {
            Some(SummaryCategory::HoldItems) => response.hold_items = window(patron.holds_ready.clone()),
            Some(SummaryCategory::OverdueItems) => {
                response.overdue_items = window(overdue.iter().map(|s| s.to_string()).collect())
            }
            Some(SummaryCategory::ChargedItems) => {
                response.charged_items = window(patron.loans.iter().map(|(item, _)| item.clone()).collect())
            }
            Some(SummaryCategory::FineItems) if patron.fines_cents > 0 => {
                response.fine_items = vec![Text::from(format!("{} CNY", yuan(patron.fines_cents)))]
            }
            Some(SummaryCategory::UnavailableHolds) => {
                response.unavailable_hold_items = window(patron.holds_waiting.clone())
            }
            _ => {}
        }
        response.screen_message = self.patron_messages(&patron, zh);
        response
    }

    fn checkout(&self, _: &ConnectionInfo, request: &Checkout) -> CheckoutResponse {
        let now = self.now();
        let when =
            if request.no_block { from_sip_date(&request.transaction_date).unwrap_or(now) } else { now };
        let mut response = CheckoutResponse {
            transaction_date: sip_date(now),
            institution_id: self.institution.as_str().into(),
            patron_identifier: request.patron_identifier.clone(),
            item_identifier: request.item_identifier.clone(),
            magnetic_media: Tristate::No,
            desensitize: Tristate::No,
            ..Default::default()
        };
        let promised = from_sip_date(&request.nb_due_date);
        match self.store.checkout(
            &request.patron_identifier,
            &request.item_identifier,
            when,
            request.no_block,
            promised,
        ) {
            Ok(Ok(granted)) => {
                let zh = granted.language != "en";
                response.ok = true;
                response.renewal_ok = granted.renewed;
                response.desensitize = Tristate::Yes;
                response.title_identifier = granted.item.title.as_str().into();
                response.due_date = due_text(granted.due_at);
                response.media_type = Some(MediaType::Book);
                response.screen_message.push(if granted.renewed {
                    text(zh, "您已借阅此书，已为您续借", "Already on loan to you: renewed")
                } else {
                    text(zh, "借阅成功", "Checked out")
                });
            }
            Ok(Err(refusal)) => {
                let zh = self.lookup(&request.patron_identifier).is_none_or(|p| p.language != "en");
                if let Ok(Some(item)) = self.store.item(&request.item_identifier) {
                    response.title_identifier = item.title.as_str().into();
                }
                response.screen_message.push(refusal.message(zh));
            }
            Err(error) => response.screen_message.push(refused(&error)),
        }
        response
    }

    fn checkin(&self, _: &ConnectionInfo, request: &Checkin) -> CheckinResponse {
        let now = self.now();
        let returned = if request.no_block {
            from_sip_date(&request.return_date).or_else(|| from_sip_date(&request.transaction_date))
        } else {
            None
        };
        let mut response = CheckinResponse {
            transaction_date: sip_date(now),
            institution_id: self.institution.as_str().into(),
            item_identifier: request.item_identifier.clone(),
            magnetic_media: Tristate::No,
            ..Default::default()
        };
        match self.store.checkin(&request.item_identifier, now, returned, request.no_block) {
            Ok(Ok(done)) => {
                response.ok = true;
                response.resensitize = true;
                response.title_identifier = Some(done.item.title.as_str().into());
                response.permanent_location = done.item.home_branch.as_str().into();
                response.call_number = Some(done.item.call_number.as_str().into());
                response.media_type = Some(MediaType::Book);
                response.patron_identifier = done.patron.as_deref().map(Text::from);
                response.sort_bin = done.item.call_number.get(..1).map(Text::from);
                if done.fine_cents > 0 {
                    response
                        .screen_message
                        .push(Text::from(format!("逾期罚款 {} 元", yuan(done.fine_cents))));
                }
                match done.routing {
                    ReturnRouting::Shelve => response.screen_message.push(if done.was_not_on_loan {
                        "此书未被借出".into()
                    } else {
                        "归还成功".into()
                    }),
                    ReturnRouting::HoldShelf { patron, name } => {
                        response.alert = true;
                        response.alert_type = Some(AlertType::HoldHere);
                        response.hold_patron_id = Some(patron.as_str().into());
                        response.hold_patron_name = Some(name.as_str().into());
                        response.destination_location = Some("WCP".into());
                        response.screen_message.push("预约图书：请放到预约架".into());
                    }
                    ReturnRouting::HoldElsewhere { branch, patron } => {
                        response.alert = true;
                        response.alert_type = Some(AlertType::HoldElsewhere);
                        response.hold_patron_id = Some(patron.as_str().into());
                        response.destination_location = Some(branch.as_str().into());
                        response.screen_message.push(Text::from(format!("预约图书：请送往 {branch}")));
                    }
                    ReturnRouting::Transfer { branch } => {
                        response.alert = true;
                        response.alert_type = Some(AlertType::Transfer);
                        response.destination_location = Some(branch.as_str().into());
                        response.screen_message.push(Text::from(format!("请送回所属馆 {branch}")));
                    }
                }
            }
            Ok(Err(refusal)) => {
                response.alert = true;
                response.alert_type = Some(AlertType::Other);
                response.screen_message.push(refusal.message(true));
            }
            Err(error) => response.screen_message.push(refused(&error)),
        }
        response
    }

    fn renew(&self, _: &ConnectionInfo, request: &Renew) -> RenewResponse {
        let now = self.now();
        let zh = self.lookup(&request.patron_identifier).is_none_or(|p| p.language != "en");
        let mut response = RenewResponse {
            transaction_date: sip_date(now),
            institution_id: self.institution.as_str().into(),
            patron_identifier: request.patron_identifier.clone(),
            item_identifier: request.item_identifier.clone().unwrap_or_default(),
            magnetic_media: Tristate::No,
            desensitize: Tristate::Unknown,
            ..Default::default()
        };
        let item = request.item_identifier.clone().unwrap_or_default();
        match self.store.renew(&request.patron_identifier, &item, now, request.no_block) {
            Ok(Ok(granted)) => {
                response.ok = true;
                response.renewal_ok = true;
                response.title_identifier = granted.item.title.as_str().into();
                response.due_date = due_text(granted.due_at);
                response.screen_message.push(text(zh, "续借成功", "Renewed"));
            }
            Ok(Err(refusal)) => {
                if let Ok(Some(found)) = self.store.item(&item) {
                    response.title_identifier = found.title.as_str().into();
                    if let Some(loan) = found.loan {
                        response.due_date = due_text(loan.due_at);
                    }
                }
                response.screen_message.push(refusal.message(zh));
            }
            Err(error) => response.screen_message.push(refused(&error)),
        }
        response
    }

    fn renew_all(&self, _: &ConnectionInfo, request: &RenewAll) -> RenewAllResponse {
        let now = self.now();
        let mut response = RenewAllResponse {
            ok: true,
            transaction_date: sip_date(now),
            institution_id: self.institution.as_str().into(),
            ..Default::default()
        };
        let Some(patron) = self.lookup(&request.patron_identifier) else {
            response.ok = false;
            response.screen_message.push(Refusal::UnknownPatron.message(true));
            return response;
        };
        for (item, _) in &patron.loans {
            match self.store.renew(&patron.barcode, item, now, false) {
                Ok(Ok(_)) => response.renewed_items.push(item.as_str().into()),
                _ => response.unrenewed_items.push(item.as_str().into()),
            }
        }
        response.renewed_count = response.renewed_items.len() as u16;
        response.unrenewed_count = response.unrenewed_items.len() as u16;
        response
    }

    fn item_information(&self, _: &ConnectionInfo, request: &ItemInformation) -> ItemInformationResponse {
        let mut response = ItemInformationResponse {
            transaction_date: sip_date(self.now()),
            item_identifier: request.item_identifier.clone(),
            security_marker: SecurityMarker::Other,
            fee_type: FeeType::OtherUnknown,
            ..Default::default()
        };
        match self.store.item(&request.item_identifier) {
            Ok(Some(item)) => {
                response.circulation_status = match item.status {
                    ItemStatus::Available => CirculationStatus::Available,
                    ItemStatus::OnLoan => CirculationStatus::Charged,
                    ItemStatus::OnHoldShelf => CirculationStatus::WaitingOnHoldShelf,
                    ItemStatus::InTransit => CirculationStatus::InTransit,
                    ItemStatus::Lost => CirculationStatus::Lost,
                    ItemStatus::Missing => CirculationStatus::Missing,
                };
                response.title_identifier = item.title.as_str().into();
                response.hold_queue_length = Some(Number::new(item.hold_queue));
                response.due_date = item.loan.as_ref().map(|l| due_text(l.due_at));
                response.owner = Some(item.home_branch.as_str().into());
                response.media_type = Some(MediaType::Book);
                response.permanent_location = Some(item.home_branch.as_str().into());
                response.current_location = Some(item.transit_to.as_deref().unwrap_or("WCP").into());
                response.call_number = Some(item.call_number.as_str().into());
                response.screen_message.push(Text::from(format!("{} / {}", item.author, item.isbn)));
                // Not in the standard 18, but handy for staff tools: who has it.
                if let Some(field) =
                    item.loan.as_ref().and_then(|loan| Field::new("AA", loan.patron.as_str()))
                {
                    response.extra.push(field);
                }
            }
            Ok(None) => {
                response.circulation_status = CirculationStatus::Other;
                response.screen_message.push(Refusal::UnknownItem.message(true));
            }
            Err(error) => response.screen_message.push(refused(&error)),
        }
        response
    }

    fn end_session(&self, _: &ConnectionInfo, request: &EndPatronSession) -> EndSessionResponse {
        EndSessionResponse {
            end_session: true,
            transaction_date: sip_date(self.now()),
            institution_id: self.institution.as_str().into(),
            patron_identifier: request.patron_identifier.clone(),
            ..Default::default()
        }
    }

    fn fee_paid(&self, _: &ConnectionInfo, request: &FeePaid) -> FeePaidResponse {
        let cents =
            request.fee_amount.trim().parse::<f64>().map(|y| (y * 100.0).round() as i64).unwrap_or(-1);
        let accepted = cents > 0 && self.store.pay_fine(&request.patron_identifier, cents).unwrap_or(false);
        FeePaidResponse {
            payment_accepted: accepted,
            transaction_date: sip_date(self.now()),
            institution_id: self.institution.as_str().into(),
            patron_identifier: request.patron_identifier.clone(),
            transaction_id: request.transaction_id.clone(),
            screen_message: vec![if accepted { "缴费成功".into() } else { "缴费失败".into() }],
            ..Default::default()
        }
    }

    fn hold(&self, _: &ConnectionInfo, request: &Hold) -> HoldResponse {
        let now = self.now();
        let item = request.item_identifier.clone().unwrap_or_default();
        let mut response = HoldResponse {
            transaction_date: sip_date(now),
            institution_id: self.institution.as_str().into(),
            patron_identifier: request.patron_identifier.clone(),
            item_identifier: request.item_identifier.clone(),
            ..Default::default()
        };
        match request.hold_mode {
            HoldMode::Add | HoldMode::Change => {
                match self.store.place_hold(&request.patron_identifier, &item, now) {
                    Ok(Some(position)) => {
                        response.ok = true;
                        response.queue_position = Some(Text::from(position.to_string()));
                        response.pickup_location = Some("WCP".into());
                        response.available = self
                            .store
                            .item(&item)
                            .ok()
                            .flatten()
                            .is_some_and(|i| i.status == ItemStatus::Available);
                    }
                    Ok(None) => response.screen_message.push(Refusal::UnknownItem.message(true)),
                    Err(error) => response.screen_message.push(refused(&error)),
                }
            }
            HoldMode::Delete => {
                response.ok = self.store.cancel_hold(&request.patron_identifier, &item).unwrap_or(0) > 0;
            }
        }
        response
    }

    fn item_status_update(&self, _: &ConnectionInfo, request: &ItemStatusUpdate) -> ItemStatusUpdateResponse {
        let ok = self
            .store
            .set_item_properties(&request.item_identifier, &request.item_properties)
            .unwrap_or(false);
        ItemStatusUpdateResponse {
            item_properties_ok: ok,
            transaction_date: sip_date(self.now()),
            item_identifier: request.item_identifier.clone(),
            item_properties: Some(request.item_properties.clone()),
            ..Default::default()
        }
    }

    fn patron_enable(&self, connection: &ConnectionInfo, request: &PatronEnable) -> PatronEnableResponse {
        let _ = self.store.set_patron_state(&request.patron_identifier, PatronState::Ok);
        let status = Backend::patron_status(
            self,
            connection,
            &PatronStatusRequest {
                patron_identifier: request.patron_identifier.clone(),
                ..Default::default()
            },
        );
        PatronEnableResponse {
            patron_status: status.patron_status,
            language: status.language,
            transaction_date: status.transaction_date,
            institution_id: status.institution_id,
            patron_identifier: status.patron_identifier,
            personal_name: status.personal_name,
            valid_patron: status.valid_patron,
            ..Default::default()
        }
    }

    fn block_patron(&self, connection: &ConnectionInfo, request: &BlockPatron) -> PatronStatusResponse {
        let _ = self.store.set_patron_state(&request.patron_identifier, PatronState::Blocked);
        Backend::patron_status(
            self,
            connection,
            &PatronStatusRequest {
                patron_identifier: request.patron_identifier.clone(),
                ..Default::default()
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 7, 15).unwrap().and_hms_opt(10, 0, 0).unwrap()
    }

    fn emulator() -> Emulator {
        let store = CatalogStore::in_memory(now()).unwrap();
        Emulator::new(store, Box::new(now), ("kiosk".into(), "kiosk".into()), "WCP".into())
    }

    fn info() -> ConnectionInfo {
        ConnectionInfo { peer: "127.0.0.1:1".parse().unwrap(), user: None, location: None }
    }

    /// The demo patron at 1-based position `n` in patrons.tsv.
    fn patron(e: &Emulator, n: usize) -> String {
        e.store().patron_list().unwrap()[n - 1].0.clone()
    }

    fn item(e: &Emulator, n: usize) -> String {
        e.store().item_barcodes().unwrap()[n].clone()
    }

    fn checkout(e: &Emulator, patron: &str, item: &str) -> CheckoutResponse {
        e.checkout(
            &info(),
            &Checkout {
                patron_identifier: patron.into(),
                item_identifier: item.into(),
                transaction_date: sip_date(now()),
                ..Default::default()
            },
        )
    }

    fn checkin(e: &Emulator, item: &str) -> CheckinResponse {
        e.checkin(
            &info(),
            &Checkin {
                item_identifier: item.into(),
                transaction_date: sip_date(now()),
                ..Default::default()
            },
        )
    }

    #[test]
    fn seeds_the_demo_catalog() {
        let e = emulator();
        assert!(e.store().item_barcodes().unwrap().len() >= 200);
        assert_eq!(e.store().patron_list().unwrap().len(), 20);
        let first = e.store().item(&item(&e, 0)).unwrap().unwrap();
        assert_eq!((first.title.as_str(), first.author.as_str()), ("活着", "余华"));
    }

    #[test]
    fn happy_loan_and_return() {
        let e = emulator();
        let (p, i) = (patron(&e, 1), item(&e, 10));
        let loan = checkout(&e, &p, &i);
        assert!(loan.ok && !loan.renewal_ok, "{loan:?}");
        assert_eq!(loan.desensitize, Tristate::Yes);
        assert_eq!(loan.due_date, "20260814    235900");
        assert!(!loan.title_identifier.is_empty());
        let back = checkin(&e, &i);
        assert!(back.ok && back.resensitize && !back.alert, "{back:?}");
        assert_eq!(back.patron_identifier.as_deref(), Some(p.as_str()));
    }

    #[test]
    fn blocked_expired_fined_and_limited_patrons_are_refused() {
        let e = emulator();
        let free = item(&e, 20);
        for (n, flag, words) in [
            (6, PatronStatus::CHARGE_DENIED, "暂停"),
            (7, PatronStatus::EXCESSIVE_FINES, "欠款"),
            (8, PatronStatus::CHARGE_DENIED, "过期"),
            (10, PatronStatus::TOO_MANY_CHARGED, "上限"),
            (11, PatronStatus::CARD_LOST, "挂失"),
        ] {
            let p = patron(&e, n);
            let loan = checkout(&e, &p, &free);
            assert!(!loan.ok, "patron {n} must be refused");
            assert!(loan.screen_text().contains(words), "patron {n}: {}", loan.screen_text());
            let info = e.patron_information(
                &info(),
                &PatronInformation { patron_identifier: p.as_str().into(), ..Default::default() },
            );
            assert!(info.patron_status.get(flag), "patron {n}: {:?}", info.patron_status);
            assert!(info.patron_status.blocks_borrowing());
        }
    }

    #[test]
    fn patron_information_counts_and_pin() {
        let e = emulator();
        let holder = patron(&e, 9);
        let response = e.patron_information(
            &info(),
            &PatronInformation {
                patron_identifier: holder.as_str().into(),
                patron_password: Some("1234".into()),
                summary: Summary::only(SummaryCategory::HoldItems),
                ..Default::default()
            },
        );
        assert_eq!(response.valid_patron, Some(true));
        assert_eq!(response.valid_patron_password, Some(true));
        assert_eq!(response.hold_items_count, Some(1));
        assert_eq!(response.hold_items.len(), 1);
        assert!(!response.patron_status.blocks_borrowing());
        let wrong = e.patron_information(
            &info(),
            &PatronInformation {
                patron_identifier: holder.as_str().into(),
                patron_password: Some("9999".into()),
                ..Default::default()
            },
        );
        assert_eq!(wrong.valid_patron_password, Some(false));
        let unknown = e.patron_information(
            &info(),
            &PatronInformation { patron_identifier: "29999".into(), ..Default::default() },
        );
        assert_eq!(unknown.valid_patron, Some(false));
    }

    #[test]
    fn returned_item_with_a_hold_here_goes_to_the_hold_shelf() {
        let e = emulator();
        let back = checkin(&e, &item(&e, 1));
        assert!(back.ok && back.alert);
        assert_eq!(back.alert_type, Some(AlertType::HoldHere));
        assert_eq!(back.hold_patron_id.as_deref(), Some(patron(&e, 9).as_str()));
        let status = e.item_information(
            &info(),
            &ItemInformation { item_identifier: item(&e, 1).as_str().into(), ..Default::default() },
        );
        assert_eq!(status.circulation_status, CirculationStatus::WaitingOnHoldShelf);
        // Someone else cannot borrow it; the holder can.
        assert!(!checkout(&e, &patron(&e, 1), &item(&e, 1)).ok);
        assert!(checkout(&e, &patron(&e, 9), &item(&e, 1)).ok);
    }

    #[test]
    fn returned_item_for_another_branch_goes_in_transit() {
        let e = emulator();
        let back = checkin(&e, &item(&e, 2));
        assert_eq!(back.alert_type, Some(AlertType::HoldElsewhere));
        assert_eq!(back.destination_location.as_deref(), Some("CENTRAL"));
        // An item owned by another branch goes home.
        let foreign = item(&e, 8);
        assert_eq!(e.store().item(&foreign).unwrap().unwrap().home_branch, "CENTRAL");
        assert!(checkout(&e, &patron(&e, 1), &foreign).ok);
        let back = checkin(&e, &foreign);
        assert_eq!(back.alert_type, Some(AlertType::Transfer));
        assert_eq!(back.destination_location.as_deref(), Some("CENTRAL"));
    }

    #[test]
    fn renewals_and_their_limit() {
        let e = emulator();
        let mine = item(&e, 105);
        let again = checkout(&e, &patron(&e, 1), &mine);
        assert!(again.ok && again.renewal_ok, "already yours → renewed: {again:?}");
        let limited = e.renew(
            &info(),
            &Renew {
                patron_identifier: patron(&e, 13).as_str().into(),
                item_identifier: Some(item(&e, 104).as_str().into()),
                ..Default::default()
            },
        );
        assert!(!limited.ok);
        assert!(limited.screen_message[0].contains("上限"));
        let all = e.renew_all(
            &info(),
            &RenewAll { patron_identifier: patron(&e, 10).as_str().into(), ..Default::default() },
        );
        assert_eq!((all.renewed_count, all.unrenewed_count), (3, 0), "{all:?}");
        let none = e.renew_all(
            &info(),
            &RenewAll { patron_identifier: patron(&e, 13).as_str().into(), ..Default::default() },
        );
        assert_eq!((none.renewed_count, none.unrenewed_count), (0, 1), "{none:?}");
        assert_eq!(none.unrenewed_items, [item(&e, 104).as_str()]);
    }

    #[test]
    fn no_block_replay_is_accepted_once_with_its_dates() {
        let e = emulator();
        let blocked = patron(&e, 6);
        let book = item(&e, 30);
        let promised = NaiveDate::from_ymd_opt(2026, 8, 1).unwrap().and_hms_opt(23, 59, 0).unwrap();
        let request = Checkout {
            no_block: true,
            patron_identifier: blocked.as_str().into(),
            item_identifier: book.as_str().into(),
            transaction_date: sip_date(now() - chrono::Duration::hours(5)),
            nb_due_date: sip_date(promised),
            ..Default::default()
        };
        let first = e.checkout(&info(), &request);
        assert!(first.ok, "{first:?}");
        assert_eq!(first.due_date, "20260801    235900");
        let second = e.checkout(&info(), &request);
        assert!(second.ok && !second.renewal_ok, "a duplicate no-block loan is a no-op");
        let events = e.store().event_counts().unwrap();
        assert_eq!(
            events.iter().filter(|(k, i, _)| k == "checkout" && *i == book).map(|e| e.2).sum::<u32>(),
            1
        );
    }

    #[test]
    fn unknown_item_and_item_on_loan_to_someone_else() {
        let e = emulator();
        let unknown = checkout(&e, &patron(&e, 1), "39999999999999");
        assert!(!unknown.ok);
        assert!(unknown.screen_text().contains("条码"));
        let taken = checkout(&e, &patron(&e, 2), &item(&e, 105));
        assert!(!taken.ok);
        let back = checkin(&e, "39999999999999");
        assert!(!back.ok && back.alert);
    }

    #[test]
    fn overdue_return_charges_a_fine() {
        let e = emulator();
        let late = item(&e, 103);
        let back = checkin(&e, &late);
        assert!(back.ok);
        assert!(back.screen_message.iter().any(|m| m.contains("罚款")), "{back:?}");
        let patron = e.store().patron(&patron(&e, 12)).unwrap().unwrap();
        assert_eq!(patron.fines_cents, 150 + 5 * crate::store::catalog::FINE_PER_DAY_CENTS);
    }

    #[test]
    fn login_and_status() {
        let e = emulator();
        let ok = e.login(
            &info(),
            &Login { login_user_id: "kiosk".into(), login_password: "kiosk".into(), ..Default::default() },
        );
        let bad = e.login(
            &info(),
            &Login { login_user_id: "kiosk".into(), login_password: "x".into(), ..Default::default() },
        );
        assert!(ok.ok && !bad.ok);
        let status = e.status(&info(), &ScStatus::default());
        assert!(status.online_status && status.offline_ok);
        assert_eq!(status.supported_messages, SupportedMessages::ALL);
    }
}
