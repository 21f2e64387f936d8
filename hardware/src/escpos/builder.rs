//! A typed ESC/POS builder.
//!
//! Text is split into runs: ASCII is sent as is; Chinese (and anything else GBK prints in
//! two bytes, pinyin letters included) in Chinese mode as GB18030; other Latin letters in
//! code page 1252; characters a two-byte printer cannot print are replaced by `?` and
//! counted. Chinese mode is switched explicitly (`FS &` / `FS .`) — power-on defaults
//! differ between printers.

use image::GrayImage;

use super::{CHINESE_OFF, CHINESE_ON, CODE_PAGE_1252, INIT};

/// Paper width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaperWidth {
    /// 58 mm: 384 dots, 32 columns.
    Mm58,
    /// 80 mm: 576 dots, 48 columns.
    Mm80,
}

impl PaperWidth {
    /// Printable dots per line.
    pub fn dots(self) -> u32 {
        match self {
            PaperWidth::Mm58 => 384,
            PaperWidth::Mm80 => 576,
        }
    }

    /// Columns of the 12-dot Latin font.
    pub fn columns(self) -> usize {
        match self {
            PaperWidth::Mm58 => 32,
            PaperWidth::Mm80 => 48,
        }
    }

    /// From millimetres (58 or 80).
    pub fn from_mm(mm: u32) -> Option<PaperWidth> {
        match mm {
            58 => Some(PaperWidth::Mm58),
            80 => Some(PaperWidth::Mm80),
            _ => None,
        }
    }
}

/// Horizontal alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left.
    Left = 0,
    /// Centre.
    Center = 1,
    /// Right.
    Right = 2,
}

/// QR error correction level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrErrorCorrection {
    /// L (7 %).
    Low = 0x30,
    /// M (15 %).
    Medium = 0x31,
    /// Q (25 %).
    Quartile = 0x32,
    /// H (30 %).
    High = 0x33,
}

/// A 1-D barcode symbology (`GS k`, function B).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Barcode {
    /// EAN-13 (12 or 13 digits).
    Ean13,
    /// Code 39.
    Code39,
    /// Codabar (start/stop characters A–D included in the data).
    Codabar,
    /// Code 128 (code set B).
    Code128,
}

/// A value the printer cannot take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EscPosError {
    /// QR data longer than the store command allows.
    #[error("QR data of {0} bytes is too long (at most 7089)")]
    QrTooLong(usize),
    /// Barcode data invalid for the symbology.
    #[error("{symbology:?} cannot encode {data:?}")]
    Barcode {
        /// The symbology.
        symbology: Barcode,
        /// The data.
        data: String,
    },
    /// An image wider than the paper.
    #[error("image is {width} dots wide; the paper takes {max}")]
    ImageTooWide {
        /// Its width.
        width: u32,
        /// The paper's.
        max: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Unknown,
    Chinese,
    Latin,
}

/// Builds one receipt's bytes.
#[derive(Debug)]
pub struct ReceiptBuilder {
    bytes: Vec<u8>,
    paper: PaperWidth,
    mode: Mode,
    substituted: usize,
}

/// Rows of raster data per `GS v 0` band: small enough for cheap printers' buffers.
pub const RASTER_BAND_ROWS: u32 = 128;

impl ReceiptBuilder {
    /// Starts a receipt with `ESC @`.
    pub fn new(paper: PaperWidth) -> ReceiptBuilder {
        ReceiptBuilder { bytes: INIT.to_vec(), paper, mode: Mode::Unknown, substituted: 0 }
    }

    /// The paper width.
    pub fn paper(&self) -> PaperWidth {
        self.paper
    }

    /// Characters replaced by `?` because the printer cannot print them.
    pub fn substituted(&self) -> usize {
        self.substituted
    }

    /// Alignment.
    pub fn align(&mut self, align: Align) -> &mut Self {
        self.bytes.extend([0x1B, 0x61, align as u8]);
        self
    }

    /// Bold on or off.
    pub fn bold(&mut self, on: bool) -> &mut Self {
        self.bytes.extend([0x1B, 0x45, u8::from(on)]);
        self
    }

    /// Underline: 0 off, 1 thin, 2 thick.
    pub fn underline(&mut self, weight: u8) -> &mut Self {
        self.bytes.extend([0x1B, 0x2D, weight.min(2)]);
        self
    }

    /// Character size multipliers, 1–8 each.
    pub fn size(&mut self, width: u8, height: u8) -> &mut Self {
        let w = width.clamp(1, 8) - 1;
        let h = height.clamp(1, 8) - 1;
        self.bytes.extend([0x1D, 0x21, w << 4 | h]);
        self
    }

    fn set_mode(&mut self, mode: Mode) {
        if self.mode == mode {
            return;
        }
        match mode {
            Mode::Chinese => self.bytes.extend(CHINESE_ON),
            Mode::Latin => {
                self.bytes.extend(CHINESE_OFF);
                self.bytes.extend(CODE_PAGE_1252);
            }
            Mode::Unknown => {}
        }
        self.mode = mode;
    }

    /// Text without a line feed.
    pub fn text(&mut self, text: &str) -> &mut Self {
        for ch in text.chars() {
            if ch == '\n' || ch == '\r' || (ch.is_ascii() && !ch.is_ascii_control()) {
                if ch != '\r' {
                    self.bytes.push(ch as u8);
                }
                continue;
            }
            let mut utf8 = [0u8; 4];
            let encoded: &str = ch.encode_utf8(&mut utf8);
            let (chinese, _, unmappable) = encoding_rs::GB18030.encode(encoded);
            if !unmappable && chinese.len() == 2 {
                self.set_mode(Mode::Chinese);
                self.bytes.extend_from_slice(&chinese);
                continue;
            }
            let (latin, _, unmappable) = encoding_rs::WINDOWS_1252.encode(encoded);
            if !unmappable && latin.len() == 1 {
                self.set_mode(Mode::Latin);
                self.bytes.push(latin[0]);
                continue;
            }
            self.substituted += 1;
            self.bytes.push(b'?');
        }
        self
    }

    /// Text and a line feed.
    pub fn line(&mut self, text: &str) -> &mut Self {
        self.text(text);
        self.bytes.push(b'\n');
        self
    }

    /// Feeds `lines` lines.
    pub fn feed(&mut self, lines: u8) -> &mut Self {
        self.bytes.extend([0x1B, 0x64, lines]);
        self
    }

    /// Feeds 3 lines and cuts (function B: `GS V 65 n` full, `GS V 66 n` partial).
    pub fn cut(&mut self, partial: bool) -> &mut Self {
        self.bytes.extend([0x1D, 0x56, if partial { 0x42 } else { 0x41 }, 3]);
        self
    }

    /// A QR code (model 2) of `data`, module size 1–16.
    pub fn qr(
        &mut self,
        data: &[u8],
        module: u8,
        correction: QrErrorCorrection,
    ) -> Result<&mut Self, EscPosError> {
        if data.len() > 7089 {
            return Err(EscPosError::QrTooLong(data.len()));
        }
        self.bytes.extend([0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]);
        self.bytes.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, module.clamp(1, 16)]);
        self.bytes.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, correction as u8]);
        let length = data.len() + 3;
        self.bytes.extend([0x1D, 0x28, 0x6B, (length & 0xFF) as u8, (length >> 8) as u8, 0x31, 0x50, 0x30]);
        self.bytes.extend_from_slice(data);
        self.bytes.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]);
        Ok(self)
    }

    /// A 1-D barcode with its text printed below, 80 dots high.
    pub fn barcode(&mut self, symbology: Barcode, data: &str) -> Result<&mut Self, EscPosError> {
        let invalid = || EscPosError::Barcode { symbology, data: data.to_string() };
        let (m, payload): (u8, Vec<u8>) = match symbology {
            Barcode::Ean13 if (12..=13).contains(&data.len()) && data.bytes().all(|b| b.is_ascii_digit()) => {
                (67, data.as_bytes().to_vec())
            }
            Barcode::Code39
                if !data.is_empty()
                    && data
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b" -.$/+%".contains(&b)) =>
            {
                (69, data.as_bytes().to_vec())
            }
            Barcode::Codabar if data.len() >= 3 && data.is_ascii() => (71, data.as_bytes().to_vec()),
            Barcode::Code128 if !data.is_empty() && data.bytes().all(|b| (0x20..0x7F).contains(&b)) => {
                (73, [b"{B".as_slice(), data.as_bytes()].concat())
            }
            _ => return Err(invalid()),
        };
        if payload.len() > 255 {
            return Err(invalid());
        }
        self.bytes.extend([0x1D, 0x68, 80, 0x1D, 0x77, 2, 0x1D, 0x48, 2, 0x1D, 0x6B, m, payload.len() as u8]);
        self.bytes.extend(payload);
        Ok(self)
    }

    /// A black-and-white raster image (`GS v 0`), in bands of [`RASTER_BAND_ROWS`] rows.
    /// Pixels darker than mid-grey print.
    pub fn raster(&mut self, image: &GrayImage) -> Result<&mut Self, EscPosError> {
        let (width, height) = image.dimensions();
        if width > self.paper.dots() {
            return Err(EscPosError::ImageTooWide { width, max: self.paper.dots() });
        }
        let bytes_per_row = width.div_ceil(8);
        let mut top = 0;
        while top < height {
            let rows = RASTER_BAND_ROWS.min(height - top);
            self.bytes.extend([0x1D, 0x76, 0x30, 0x00]);
            self.bytes.extend([
                (bytes_per_row & 0xFF) as u8,
                (bytes_per_row >> 8) as u8,
                (rows & 0xFF) as u8,
                (rows >> 8) as u8,
            ]);
            for y in top..top + rows {
                for column in 0..bytes_per_row {
                    let mut byte = 0u8;
                    for bit in 0..8 {
                        let x = column * 8 + bit;
                        if x < width && image.get_pixel(x, y).0[0] < 128 {
                            byte |= 0x80 >> bit;
                        }
                    }
                    self.bytes.push(byte);
                }
            }
            top += rows;
        }
        Ok(self)
    }

    /// Scales a picture to at most `max_width` dots and dithers it (Floyd–Steinberg).
    pub fn dither(image: &image::DynamicImage, max_width: u32) -> GrayImage {
        let image = if image.width() > max_width {
            image.resize(max_width, u32::MAX, image::imageops::FilterType::Triangle)
        } else {
            image.clone()
        };
        let gray = image.to_luma8();
        let (width, height) = gray.dimensions();
        let mut levels: Vec<f32> = gray.pixels().map(|p| f32::from(p.0[0])).collect();
        let mut out = GrayImage::new(width, height);
        for y in 0..height {
            for x in 0..width {
                let index = (y * width + x) as usize;
                let old = levels[index];
                let new = if old < 128.0 { 0.0 } else { 255.0 };
                out.put_pixel(x, y, image::Luma([new as u8]));
                let error = old - new;
                let mut spread = |dx: i64, dy: i64, weight: f32| {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx >= 0 && nx < width as i64 && ny < height as i64 {
                        levels[(ny as u32 * width + nx as u32) as usize] += error * weight;
                    }
                };
                spread(1, 0, 7.0 / 16.0);
                spread(-1, 1, 3.0 / 16.0);
                spread(0, 1, 5.0 / 16.0);
                spread(1, 1, 1.0 / 16.0);
            }
        }
        out
    }

    /// Raw bytes, for commands this builder does not wrap.
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(bytes);
        self
    }

    /// The bytes so far.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The finished byte stream.
    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tv_g1_chinese_text_in_chinese_mode() {
        let mut receipt = ReceiptBuilder::new(PaperWidth::Mm80);
        receipt.line("借书");
        assert_eq!(receipt.finish(), [0x1B, 0x40, 0x1C, 0x26, 0xBD, 0xE8, 0xCA, 0xE9, b'\n']);
    }

    #[test]
    fn ascii_needs_no_mode_and_latin_switches_code_page() {
        let mut receipt = ReceiptBuilder::new(PaperWidth::Mm58);
        receipt.text("Due 2026-08-14").text("Öffnungszeiten");
        let bytes = receipt.finish();
        assert!(bytes.starts_with(&[0x1B, 0x40, b'D', b'u', b'e']));
        let switch = [0x1C, 0x2E, 0x1B, 0x74, 16, 0xD6];
        assert!(bytes.windows(switch.len()).any(|w| w == switch), "{bytes:02X?}");
    }

    #[test]
    fn characters_a_two_byte_printer_cannot_print_are_replaced() {
        let mut receipt = ReceiptBuilder::new(PaperWidth::Mm80);
        receipt.text("𠀀");
        assert_eq!(receipt.substituted(), 1);
        assert!(receipt.finish().ends_with(b"?"));
    }

    #[test]
    fn pinyin_letters_print_in_chinese_mode() {
        let mut receipt = ReceiptBuilder::new(PaperWidth::Mm80);
        receipt.text("é");
        assert_eq!(receipt.finish()[2..], [0x1C, 0x26, 0xA8, 0xA6]);
    }

    #[test]
    fn styles_feed_and_cut_bytes() {
        let mut receipt = ReceiptBuilder::new(PaperWidth::Mm80);
        receipt.align(Align::Center).bold(true).size(2, 2).underline(1).feed(2).cut(true);
        assert_eq!(
            receipt.finish()[2..],
            [
                0x1B, 0x61, 1, 0x1B, 0x45, 1, 0x1D, 0x21, 0x11, 0x1B, 0x2D, 1, 0x1B, 0x64, 2, 0x1D, 0x56,
                0x42, 3
            ]
        );
    }

    #[test]
    fn qr_command_sequence() {
        let mut receipt = ReceiptBuilder::new(PaperWidth::Mm80);
        receipt.qr(b"ABC", 6, QrErrorCorrection::Medium).unwrap();
        let bytes = receipt.finish();
        let store = [0x1D, 0x28, 0x6B, 6, 0, 0x31, 0x50, 0x30, b'A', b'B', b'C'];
        assert!(bytes.windows(store.len()).any(|w| w == store));
        assert!(bytes.ends_with(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]));
        assert!(ReceiptBuilder::new(PaperWidth::Mm80).qr(&vec![0; 8000], 6, QrErrorCorrection::Low).is_err());
    }

    #[test]
    fn raster_bands_and_bits() {
        let mut image = GrayImage::from_pixel(10, 300, image::Luma([255]));
        image.put_pixel(0, 0, image::Luma([0]));
        image.put_pixel(9, 0, image::Luma([0]));
        let mut receipt = ReceiptBuilder::new(PaperWidth::Mm58);
        receipt.raster(&image).unwrap();
        let bytes = receipt.finish();
        assert_eq!(&bytes[2..10], &[0x1D, 0x76, 0x30, 0x00, 2, 0, 128, 0]);
        assert_eq!(&bytes[10..12], &[0x80, 0x40]);
        let bands = bytes.windows(4).filter(|w| *w == [0x1D, 0x76, 0x30, 0x00]).count();
        assert_eq!(bands, 3);
        let wide = GrayImage::new(600, 1);
        assert!(ReceiptBuilder::new(PaperWidth::Mm58).raster(&wide).is_err());
    }

    #[test]
    fn barcodes() {
        let mut receipt = ReceiptBuilder::new(PaperWidth::Mm80);
        receipt.barcode(Barcode::Code128, "30234000000017").unwrap();
        assert!(receipt.finish().ends_with(b"\x1D\x6B\x49\x10{B30234000000017"));
        assert!(ReceiptBuilder::new(PaperWidth::Mm80).barcode(Barcode::Ean13, "12ab").is_err());
    }

    #[test]
    fn dithering_keeps_black_and_white() {
        let gradient = image::DynamicImage::ImageLuma8(GrayImage::from_fn(800, 4, |x, _| {
            image::Luma([(x % 256) as u8])
        }));
        let dithered = ReceiptBuilder::dither(&gradient, 576);
        assert_eq!(dithered.width(), 576);
        assert!(dithered.pixels().all(|p| p.0[0] == 0 || p.0[0] == 255));
        let dark = dithered.pixels().filter(|p| p.0[0] == 0).count();
        assert!(dark > 0 && dark < dithered.pixels().count());
    }
}
