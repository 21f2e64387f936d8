//! Renders an ESC/POS byte stream to a picture of the receipt: text in the printer's
//! 12×24 / 24×24 cell grid (Chinese via GB18030, Latin via code page 1252), bold, double
//! size, underline, alignment, raster images (`GS v 0`), QR codes (`GS ( k`), 1-D barcodes
//! (as a labelled band), feeds and cuts. Used by the simulated printer and the diagnostics
//! preview; unknown commands are skipped and reported, never fatal.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::{GrayImage, Luma};

use super::PaperWidth;
use crate::CJK_FONT_BYTES;

/// Height of a text line in dots (24-dot font plus spacing).
const LINE_HEIGHT: u32 = 30;
/// Width of a Latin character cell.
const CELL: u32 = 12;

/// A rendered receipt.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The picture: white paper, black print, one pixel per printer dot.
    pub image: GrayImage,
    /// Cuts seen.
    pub cuts: usize,
    /// The text printed, line by line (for tests and previews).
    pub text: Vec<String>,
    /// Commands skipped or malformed.
    pub warnings: Vec<String>,
}

impl Rendered {
    /// The picture as PNG bytes.
    pub fn png(&self) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        if let Err(error) = self.image.write_to(&mut out, image::ImageFormat::Png) {
            tracing::error!(%error, "cannot encode the receipt preview");
        }
        out.into_inner()
    }
}

#[derive(Clone, Copy)]
struct Style {
    bold: bool,
    underline: bool,
    width: u32,
    height: u32,
}

impl Default for Style {
    fn default() -> Self {
        Style { bold: false, underline: false, width: 1, height: 1 }
    }
}

struct Cell {
    ch: char,
    wide: bool,
    style: Style,
}

struct Canvas<'f> {
    font: Option<FontRef<'f>>,
    width: u32,
    rows: Vec<Vec<u8>>,
    line: Vec<Cell>,
    align: u8,
    style: Style,
    text: Vec<String>,
}

impl Canvas<'_> {
    fn blank_rows(&mut self, count: u32) {
        for _ in 0..count {
            self.rows.push(vec![255; self.width as usize]);
        }
    }

    fn offset(&self, content_width: u32) -> u32 {
        match self.align {
            1 => self.width.saturating_sub(content_width) / 2,
            2 => self.width.saturating_sub(content_width),
            _ => 0,
        }
    }

    fn set(&mut self, x: u32, y: usize, dark: bool) {
        if dark && x < self.width && y < self.rows.len() {
            self.rows[y][x as usize] = 0;
        }
    }

    /// Prints the pending line (LF).
    fn flush_line(&mut self) {
        let line = std::mem::take(&mut self.line);
        let height = line.iter().map(|c| c.style.height).max().unwrap_or(self.style.height).max(1);
        let top = self.rows.len();
        self.blank_rows(LINE_HEIGHT * height);
        let widths: Vec<u32> =
            line.iter().map(|c| CELL * if c.wide { 2 } else { 1 } * c.style.width).collect();
        let mut x = self.offset(widths.iter().sum());
        self.text.push(line.iter().map(|c| c.ch).collect());
        for (cell, width) in line.iter().zip(widths) {
            let baseline_top = top + (LINE_HEIGHT * (height - cell.style.height)) as usize;
            self.draw_glyph(cell, x, baseline_top);
            if cell.style.underline {
                let y = baseline_top + (LINE_HEIGHT * cell.style.height) as usize - 3;
                for dx in 0..width {
                    self.set(x + dx, y, true);
                }
            }
            x += width;
        }
    }

    fn draw_glyph(&mut self, cell: &Cell, x: u32, top: usize) {
        let Some(font) = self.font.clone() else { return };
        // The printer's Latin font is condensed (12 × 24 dots): draw Latin a little narrower.
        let condense = if cell.wide { 1.0 } else { 0.85 };
        let scale =
            PxScale { x: 24.0 * condense * cell.style.width as f32, y: 24.0 * cell.style.height as f32 };
        let id = font.glyph_id(cell.ch);
        // Proportional glyphs sit centred in the printer's fixed cells.
        let cell_width = (CELL * if cell.wide { 2 } else { 1 } * cell.style.width) as f32;
        let advance = font.as_scaled(scale).h_advance(id);
        let x = x + ((cell_width - advance) / 2.0).max(0.0) as u32;
        let glyph = id.with_scale_and_position(scale, point(0.0, 0.0));
        let Some(outline) = font.outline_glyph(glyph) else { return };
        let bounds = outline.px_bounds();
        let ascent = 20.0 * cell.style.height as f32;
        let mut pixels = Vec::new();
        outline.draw(|gx, gy, coverage| {
            if coverage > 0.45 {
                pixels.push((gx as i64 + bounds.min.x as i64, gy as i64 + (bounds.min.y + ascent) as i64));
            }
        });
        for (px, py) in pixels {
            if px < 0 || py < 0 {
                continue;
            }
            let (px, py) = (x as i64 + px, top as i64 + 2 + py);
            self.set(px as u32, py as usize, true);
            if cell.style.bold {
                self.set(px as u32 + 1, py as usize, true);
            }
        }
    }

    fn blit(&mut self, bitmap: &GrayImage) {
        let top = self.rows.len();
        self.blank_rows(bitmap.height());
        let left = self.offset(bitmap.width());
        for (x, y, pixel) in bitmap.enumerate_pixels() {
            self.set(left + x, top + y as usize, pixel.0[0] < 128);
        }
    }
}

/// Draws a QR code of `data` with `module` dots per module.
/// A QR code (model 2) as a picture: `module` pixels per module and a 4-module quiet
/// zone; `level` is the `GS ( k` error-correction byte (`0x30` L, `0x31` M, `0x32` Q,
/// `0x33` H). `None` when the data does not fit a QR code.
pub fn qr_bitmap(data: &[u8], module: u32, level: u8) -> Option<GrayImage> {
    let level = match level {
        0x30 => qrcode::EcLevel::L,
        0x32 => qrcode::EcLevel::Q,
        0x33 => qrcode::EcLevel::H,
        _ => qrcode::EcLevel::M,
    };
    let code = qrcode::QrCode::with_error_correction_level(data, level).ok()?;
    let width = code.width() as u32;
    let quiet = 4;
    let size = (width + 2 * quiet) * module;
    let colors = code.to_colors();
    Some(GrayImage::from_fn(size, size, |x, y| {
        let (mx, my) = ((x / module) as i64 - i64::from(quiet), (y / module) as i64 - i64::from(quiet));
        let dark = mx >= 0
            && my >= 0
            && (mx as u32) < width
            && (my as u32) < width
            && colors[(my as u32 * width + mx as u32) as usize] == qrcode::Color::Dark;
        Luma([if dark { 0 } else { 255 }])
    }))
}

/// Renders a byte stream for paper of the given width.
pub fn render(bytes: &[u8], paper: PaperWidth) -> Rendered {
    let font = FontRef::try_from_slice_and_index(CJK_FONT_BYTES, 0).ok();
    let mut canvas = Canvas {
        font,
        width: paper.dots(),
        rows: Vec::new(),
        line: Vec::new(),
        align: 0,
        style: Style::default(),
        text: Vec::new(),
    };
    let mut warnings = Vec::new();
    let mut cuts = 0;
    let mut chinese = false;
    let mut qr = (Vec::new(), 3u32, 0x31u8);
    let mut i = 0;
    let arg = |offset: usize| bytes.get(offset).copied();
    while i < bytes.len() {
        let byte = bytes[i];
        match byte {
            b'\n' => {
                canvas.flush_line();
                i += 1;
            }
            b'\r' | b'\t' => i += 1,
            0x10 if arg(i + 1) == Some(0x04) => i += 3,
            0x1B => {
                let command = arg(i + 1);
                let n = arg(i + 2).unwrap_or(0);
                match command {
                    Some(b'@') => {
                        canvas.style = Style::default();
                        canvas.align = 0;
                        chinese = false;
                        i += 2;
                        continue;
                    }
                    Some(b'a') => canvas.align = if n >= b'0' { n - b'0' } else { n }.min(2),
                    Some(b'E') | Some(b'G') => canvas.style.bold = n & 1 == 1,
                    Some(b'-') => canvas.style.underline = n % 48 != 0,
                    Some(b'!') => {
                        canvas.style.bold = n & 0x08 != 0;
                        canvas.style.height = if n & 0x10 != 0 { 2 } else { 1 };
                        canvas.style.width = if n & 0x20 != 0 { 2 } else { 1 };
                        canvas.style.underline = n & 0x80 != 0;
                    }
                    Some(b'd') => {
                        if !canvas.line.is_empty() {
                            canvas.flush_line();
                        }
                        canvas.blank_rows(LINE_HEIGHT * u32::from(n));
                    }
                    Some(b'J') => canvas.blank_rows(u32::from(n)),
                    Some(b't') | Some(b'2') | Some(b'3') | Some(b'=') | Some(b'M') | Some(b'R')
                    | Some(b'{') => {}
                    other => {
                        warnings.push(format!("unknown command ESC {other:02X?} at byte {i}"));
                        i += 2;
                        continue;
                    }
                }
                i += if command == Some(b'2') { 2 } else { 3 };
            }
            0x1C => {
                match arg(i + 1) {
                    Some(b'&') => chinese = true,
                    Some(b'.') => chinese = false,
                    Some(b'!') | Some(b'W') => {
                        i += 3;
                        continue;
                    }
                    other => warnings.push(format!("unknown command FS {other:02X?} at byte {i}")),
                }
                i += 2;
            }
            0x1D => {
                let command = arg(i + 1);
                match command {
                    Some(b'!') => {
                        let n = arg(i + 2).unwrap_or(0);
                        canvas.style.width = u32::from(n >> 4) + 1;
                        canvas.style.height = u32::from(n & 0x0F) + 1;
                        i += 3;
                    }
                    Some(b'V') => {
                        if !canvas.line.is_empty() {
                            canvas.flush_line();
                        }
                        let m = arg(i + 2).unwrap_or(0);
                        i += if m >= 65 { 4 } else { 3 };
                        canvas.blank_rows(8);
                        let y = canvas.rows.len() - 4;
                        for x in (0..canvas.width).filter(|x| x % 12 < 7) {
                            canvas.set(x, y, true);
                        }
                        canvas.blank_rows(8);
                        cuts += 1;
                    }
                    Some(b'v') if arg(i + 2) == Some(b'0') => {
                        let (Some(xl), Some(xh), Some(yl), Some(yh)) =
                            (arg(i + 4), arg(i + 5), arg(i + 6), arg(i + 7))
                        else {
                            warnings.push("truncated raster header".into());
                            break;
                        };
                        let row_bytes = usize::from(xl) | usize::from(xh) << 8;
                        let rows = usize::from(yl) | usize::from(yh) << 8;
                        let start = i + 8;
                        let Some(data) = bytes.get(start..start + row_bytes * rows) else {
                            warnings.push("truncated raster data".into());
                            break;
                        };
                        let bitmap = GrayImage::from_fn((row_bytes * 8) as u32, rows as u32, |x, y| {
                            let byte = data[y as usize * row_bytes + x as usize / 8];
                            Luma([if byte & (0x80 >> (x % 8)) != 0 { 0 } else { 255 }])
                        });
                        canvas.blit(&bitmap);
                        i = start + row_bytes * rows;
                    }
                    Some(b'(') if arg(i + 2) == Some(b'k') => {
                        let length =
                            usize::from(arg(i + 3).unwrap_or(0)) | usize::from(arg(i + 4).unwrap_or(0)) << 8;
                        let start = i + 5;
                        let Some(body) = bytes.get(start..start + length) else {
                            warnings.push("truncated QR command".into());
                            break;
                        };
                        match body {
                            [0x31, 0x43, size, ..] => qr.1 = u32::from(*size).clamp(1, 16),
                            [0x31, 0x45, level, ..] => qr.2 = *level,
                            [0x31, 0x50, 0x30, data @ ..] => qr.0 = data.to_vec(),
                            [0x31, 0x51, ..] => match qr_bitmap(&qr.0, qr.1, qr.2) {
                                Some(bitmap) => canvas.blit(&bitmap),
                                None => warnings.push("QR data does not fit a QR code".into()),
                            },
                            _ => {}
                        }
                        i = start + length;
                    }
                    Some(b'k') => {
                        let m = arg(i + 2).unwrap_or(0);
                        let (data, next) = if m >= 65 {
                            let n = usize::from(arg(i + 3).unwrap_or(0));
                            (bytes.get(i + 4..i + 4 + n).unwrap_or(&[]), i + 4 + n)
                        } else {
                            let end = bytes[i + 3..]
                                .iter()
                                .position(|&b| b == 0)
                                .map_or(bytes.len(), |p| i + 3 + p);
                            (&bytes[(i + 3).min(end)..end], end + 1)
                        };
                        let label: String = data.iter().map(|&b| char::from(b)).collect();
                        let label = label.trim_start_matches("{B").to_string();
                        let band = GrayImage::from_fn(label.len() as u32 * 22 + 40, 60, |x, _| {
                            let dark = (x / 3 + label.len() as u32).is_multiple_of(3) || x.is_multiple_of(7);
                            Luma([if dark { 0 } else { 255 }])
                        });
                        canvas.blit(&band);
                        for ch in label.chars() {
                            canvas.line.push(Cell { ch, wide: false, style: Style::default() });
                        }
                        canvas.flush_line();
                        i = next;
                    }
                    Some(b'h') | Some(b'w') | Some(b'H') | Some(b'f') | Some(b'B') | Some(b'r')
                    | Some(b'a') => i += 3,
                    other => {
                        warnings.push(format!("unknown command GS {other:02X?} at byte {i}"));
                        i += 2;
                    }
                }
            }
            _ if byte < 0x20 => i += 1,
            _ if byte < 0x80 => {
                canvas.line.push(Cell { ch: char::from(byte), wide: false, style: canvas.style });
                i += 1;
            }
            _ if chinese => {
                let length = if arg(i + 1).is_some_and(|b| (0x30..=0x39).contains(&b)) { 4 } else { 2 };
                let sequence = bytes.get(i..(i + length).min(bytes.len())).unwrap_or(&[]);
                let (decoded, _) = encoding_rs::GB18030.decode_without_bom_handling(sequence);
                for ch in decoded.chars() {
                    canvas.line.push(Cell { ch, wide: true, style: canvas.style });
                }
                i += length;
            }
            _ => {
                let (decoded, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes[i..i + 1]);
                for ch in decoded.chars() {
                    canvas.line.push(Cell { ch, wide: false, style: canvas.style });
                }
                i += 1;
            }
        }
    }
    if !canvas.line.is_empty() {
        canvas.flush_line();
    }
    let height = canvas.rows.len().max(1) as u32;
    let width = canvas.width;
    let rows = canvas.rows;
    let image = GrayImage::from_fn(width, height, |x, y| {
        Luma([rows.get(y as usize).map_or(255, |row| row[x as usize])])
    });
    Rendered { image, cuts, text: canvas.text, warnings }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escpos::{Align, QrErrorCorrection, ReceiptBuilder};

    #[test]
    fn text_lines_styles_and_cuts() {
        let mut receipt = ReceiptBuilder::new(PaperWidth::Mm80);
        receipt.align(Align::Center).size(2, 2).line("借书凭条").size(1, 1).align(Align::Left);
        receipt.line("活着 — Due 2026-08-14").bold(true).line("Müller").bold(false).cut(false);
        let rendered = render(&receipt.finish(), PaperWidth::Mm80);
        assert_eq!(rendered.text, ["借书凭条", "活着 — Due 2026-08-14", "Müller"]);
        assert_eq!(rendered.cuts, 1);
        assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
        assert_eq!(rendered.image.width(), 576);
        let dark = rendered.image.pixels().filter(|p| p.0[0] == 0).count();
        assert!(dark > 500, "glyphs were drawn ({dark} dark dots)");
    }

    #[test]
    fn qr_code_decodes_back_to_the_same_payload() {
        let payload = "https://lib.example.cn/r?t=20260715103000&items=30234000000017,30234000000025";
        let mut receipt = ReceiptBuilder::new(PaperWidth::Mm80);
        receipt.align(Align::Center).qr(payload.as_bytes(), 6, QrErrorCorrection::Medium).unwrap();
        let rendered = render(&receipt.finish(), PaperWidth::Mm80);
        let png = rendered.png();
        let picture = image::load_from_memory(&png).unwrap().to_luma8();
        let mut prepared = rqrr::PreparedImage::prepare(picture);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, payload);
    }

    #[test]
    fn raster_images_come_out_where_they_were_put() {
        let mut logo = GrayImage::from_pixel(64, 32, Luma([255]));
        for x in 0..64 {
            logo.put_pixel(x, 10, Luma([0]));
        }
        let mut receipt = ReceiptBuilder::new(PaperWidth::Mm58);
        receipt.raster(&logo).unwrap();
        let rendered = render(&receipt.finish(), PaperWidth::Mm58);
        assert_eq!(rendered.image.height(), 32);
        assert_eq!(rendered.image.get_pixel(5, 10).0[0], 0);
        assert_eq!(rendered.image.get_pixel(5, 11).0[0], 255);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 200, ..Default::default() })]
        #[test]
        fn arbitrary_streams_render(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let rendered = render(&bytes, PaperWidth::Mm58);
            proptest::prop_assert_eq!(rendered.image.width(), 384);
        }
    }

    #[test]
    fn garbage_renders_with_warnings_and_never_panics() {
        let rendered = render(b"\x1b\x99\x1d\x99abc\x1d\x76\x30\x00\xff\xff\xff\xff", PaperWidth::Mm58);
        assert!(!rendered.warnings.is_empty());
        assert_eq!(rendered.text, ["abc"]);
    }
}
