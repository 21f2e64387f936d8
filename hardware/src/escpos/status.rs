//! `DLE EOT n` real-time status replies. Every reply byte matches `0xx1xx10` (bits 1 and 4
//! set, bits 0 and 7 clear); a byte that does not is a framing error, never a status.

/// Which status `DLE EOT n` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusQuery {
    /// 1: printer status.
    Printer = 1,
    /// 2: offline cause.
    OfflineCause = 2,
    /// 3: error cause.
    ErrorCause = 3,
    /// 4: roll paper sensor.
    Paper = 4,
}

/// A reply byte that is not a status byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("byte {0:#04X} is not a DLE EOT status reply")]
pub struct StatusError(pub u8);

/// The paper roll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PaperStatus {
    /// Enough paper.
    #[default]
    Ok,
    /// The roll is nearly used up.
    NearEnd,
    /// Out of paper.
    Out,
}

/// What the printer reported, merged over the queries answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PrinterStatus {
    /// Off line (cover open, paper out, error, feed button).
    pub offline: bool,
    /// The cover is open.
    pub cover_open: bool,
    /// The paper roll.
    pub paper: PaperStatus,
    /// Printing stopped because the paper ran out.
    pub stopped_by_paper_end: bool,
    /// The auto-cutter failed.
    pub cutter_error: bool,
    /// An error that needs a power cycle or service.
    pub unrecoverable_error: bool,
    /// An error that clears by itself (head too hot…).
    pub recoverable_error: bool,
}

impl PrinterStatus {
    /// Whether a receipt can be printed now.
    pub fn can_print(&self) -> bool {
        !self.offline
            && !self.cover_open
            && self.paper != PaperStatus::Out
            && !self.unrecoverable_error
            && !self.cutter_error
    }

    /// Applies the reply to one query.
    pub fn apply(&mut self, query: StatusQuery, byte: u8) -> Result<(), StatusError> {
        if byte & 0x93 != 0x12 {
            return Err(StatusError(byte));
        }
        let bit = |n: u8| byte & (1 << n) != 0;
        match query {
            StatusQuery::Printer => self.offline = bit(3),
            StatusQuery::OfflineCause => {
                self.cover_open = bit(2);
                self.stopped_by_paper_end = bit(5);
                self.offline |= bit(2) || bit(5) || bit(6);
            }
            StatusQuery::ErrorCause => {
                self.recoverable_error = bit(2) || bit(6);
                self.cutter_error = bit(3);
                self.unrecoverable_error = bit(5);
            }
            StatusQuery::Paper => {
                self.paper = if byte & 0x60 != 0 {
                    PaperStatus::Out
                } else if byte & 0x0C != 0 {
                    PaperStatus::NearEnd
                } else {
                    PaperStatus::Ok
                };
            }
        }
        Ok(())
    }

    /// The problems in words, for technicians.
    pub fn describe(&self) -> Vec<&'static str> {
        let mut words = Vec::new();
        if self.offline {
            words.push("off line");
        }
        if self.cover_open {
            words.push("cover open");
        }
        match self.paper {
            PaperStatus::Ok => {}
            PaperStatus::NearEnd => words.push("paper near end"),
            PaperStatus::Out => words.push("out of paper"),
        }
        if self.stopped_by_paper_end {
            words.push("printing stopped by paper end");
        }
        if self.cutter_error {
            words.push("auto-cutter error");
        }
        if self.unrecoverable_error {
            words.push("unrecoverable error");
        }
        if self.recoverable_error {
            words.push("recoverable error");
        }
        words
    }
}

/// Parses one reply byte on its own.
pub fn parse_status(query: StatusQuery, byte: u8) -> Result<PrinterStatus, StatusError> {
    let mut status = PrinterStatus::default();
    status.apply(query, byte)?;
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tv_s1_paper_sensor() {
        let paper = |b| parse_status(StatusQuery::Paper, b).unwrap().paper;
        assert_eq!(paper(0x12), PaperStatus::Ok);
        assert_eq!(paper(0x1E), PaperStatus::NearEnd);
        assert_eq!(paper(0x72), PaperStatus::Out);
        assert_eq!(paper(0x7E), PaperStatus::Out);
        assert!(!parse_status(StatusQuery::Paper, 0x72).unwrap().can_print());
    }

    #[test]
    fn tv_s2_offline_and_paper_end() {
        assert!(parse_status(StatusQuery::Printer, 0x1A).unwrap().offline);
        let cause = parse_status(StatusQuery::OfflineCause, 0x32).unwrap();
        assert!(cause.stopped_by_paper_end && !cause.cover_open);
        let mut status = PrinterStatus::default();
        status.apply(StatusQuery::Printer, 0x1A).unwrap();
        status.apply(StatusQuery::OfflineCause, 0x32).unwrap();
        status.apply(StatusQuery::Paper, 0x7E).unwrap();
        assert_eq!(status.describe(), ["off line", "out of paper", "printing stopped by paper end"]);
    }

    #[test]
    fn bytes_breaking_the_fixed_bits_are_rejected() {
        for byte in [0x00, 0x13, 0x92, 0xFF, 0x10, 0x02] {
            assert_eq!(parse_status(StatusQuery::Paper, byte), Err(StatusError(byte)), "{byte:#04X}");
        }
    }

    proptest! {
        #[test]
        fn any_byte_parses_or_is_rejected(byte in any::<u8>()) {
            for query in [StatusQuery::Printer, StatusQuery::OfflineCause, StatusQuery::ErrorCause, StatusQuery::Paper] {
                prop_assert_eq!(parse_status(query, byte).is_ok(), byte & 0x93 == 0x12);
            }
        }
    }
}
