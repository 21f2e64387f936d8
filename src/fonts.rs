//! The bundled CJK font (WenQuanYi Micro Hei, Apache-2.0; licence in `assets/fonts/`).
//!
//! It covers GB2312 and all of GBK's Han characters plus Latin and punctuation, so
//! rendering never depends on the fonts a machine happens to have.

use iced::Font;

/// The font file, compiled into the binary.
pub const CJK_FONT_BYTES: &[u8] = include_bytes!("../assets/fonts/wqy-microhei.ttc");

/// The default font for all text.
pub const DEFAULT: Font = Font::with_name("WenQuanYi Micro Hei");
