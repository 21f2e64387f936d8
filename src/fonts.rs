//! The bundled CJK font (WenQuanYi Micro Hei, Apache-2.0; licence in `assets/fonts/`).
//!
//! It covers GB2312 and all of GBK's Han characters plus Latin and punctuation, so
//! rendering never depends on the fonts a machine happens to have.

use iced::Font;

/// The font file, compiled into the binary once (shared with the receipt renderer).
pub const CJK_FONT_BYTES: &[u8] = kiosk_hardware::CJK_FONT_BYTES;

/// The default font for all text.
pub const DEFAULT: Font = Font::with_name("WenQuanYi Micro Hei");
