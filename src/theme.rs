//! Colours, text sizes and widget styles.
//!
//! Touch-first: every target is at least [`TOUCH_MIN`] logical pixels tall, and the hover
//! style equals the normal style (on a touch screen the cursor stays where the last finger
//! was, so a hover cue would stick to the last tapped button).

use iced::widget::{button, container};
use iced::{Background, Border, Color, Shadow, Theme, color};

/// The smallest height of anything a visitor can tap, in logical pixels.
pub const TOUCH_MIN: f32 = 64.0;

/// The colours of one theme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Look {
    /// The page behind everything.
    pub background: Color,
    /// Cards and panels.
    pub surface: Color,
    /// Body text.
    pub text: Color,
    /// Secondary text.
    pub muted: Color,
    /// The main action colour.
    pub primary: Color,
    /// Text on the main action colour.
    pub on_primary: Color,
    /// Things that went well.
    pub success: Color,
    /// Things to notice.
    pub warning: Color,
    /// Things that went wrong.
    pub danger: Color,
    /// Lines around cards and buttons.
    pub border: Color,
    /// The status bar.
    pub bar: Color,
    /// Text on the status bar.
    pub on_bar: Color,
}

impl Look {
    /// The normal theme: warm and calm, readable in daylight.
    pub const STANDARD: Look = Look {
        background: color!(0xF4F1EA),
        surface: color!(0xFFFFFF),
        text: color!(0x1F2328),
        muted: color!(0x5B616B),
        primary: color!(0x0B5CAD),
        on_primary: color!(0xFFFFFF),
        success: color!(0x1E7F3C),
        warning: color!(0xA15C00),
        danger: color!(0xB42318),
        border: color!(0xC9C3B6),
        bar: color!(0x16324F),
        on_bar: color!(0xFFFFFF),
    };

    /// The high-contrast theme: white on black, yellow actions.
    pub const HIGH_CONTRAST: Look = Look {
        background: color!(0x000000),
        surface: color!(0x000000),
        text: color!(0xFFFFFF),
        muted: color!(0xE6E6E6),
        primary: color!(0xFFD400),
        on_primary: color!(0x000000),
        success: color!(0x5CFF7A),
        warning: color!(0xFFB000),
        danger: color!(0xFF6B6B),
        border: color!(0xFFFFFF),
        bar: color!(0x000000),
        on_bar: color!(0xFFFFFF),
    };

    /// The look for the given accessibility setting.
    pub fn select(high_contrast: bool) -> Look {
        if high_contrast { Look::HIGH_CONTRAST } else { Look::STANDARD }
    }

    /// The iced theme matching this look (for default text colours and the window background).
    pub fn theme(&self) -> Theme {
        Theme::custom(
            "Kiosk",
            iced::theme::Palette {
                background: self.background,
                text: self.text,
                primary: self.primary,
                success: self.success,
                warning: self.warning,
                danger: self.danger,
            },
        )
    }

    /// A card on the page.
    pub fn card(self) -> impl Fn(&Theme) -> container::Style {
        move |_| container::Style {
            text_color: Some(self.text),
            background: Some(Background::Color(self.surface)),
            border: Border { color: self.border, width: 2.0, radius: 16.0.into() },
            shadow: Shadow::default(),
            snap: true,
        }
    }

    /// The status bar across the top.
    pub fn status_bar(self) -> impl Fn(&Theme) -> container::Style {
        move |_| container::Style {
            text_color: Some(self.on_bar),
            background: Some(Background::Color(self.bar)),
            border: Border {
                color: self.border,
                width: if self == Look::HIGH_CONTRAST { 2.0 } else { 0.0 },
                radius: 0.0.into(),
            },
            shadow: Shadow::default(),
            snap: true,
        }
    }

    /// A banner in the given colour (offline notice, demo notice).
    pub fn banner(self, tone: Color) -> impl Fn(&Theme) -> container::Style {
        move |_| container::Style {
            text_color: Some(if self == Look::HIGH_CONTRAST { self.text } else { Color::WHITE }),
            background: Some(Background::Color(if self == Look::HIGH_CONTRAST {
                self.background
            } else {
                tone
            })),
            border: Border { color: tone, width: 3.0, radius: 12.0.into() },
            shadow: Shadow::default(),
            snap: true,
        }
    }

    /// A main action button: filled. Hover looks the same as rest.
    pub fn primary_button(self) -> impl Fn(&Theme, button::Status) -> button::Style {
        move |_, status| {
            let pressed = matches!(status, button::Status::Pressed);
            let style = button::Style {
                background: Some(Background::Color(if pressed {
                    darker(self.primary)
                } else {
                    self.primary
                })),
                text_color: self.on_primary,
                border: Border {
                    color: self.border,
                    width: if self == Look::HIGH_CONTRAST { 3.0 } else { 0.0 },
                    radius: 18.0.into(),
                },
                shadow: Shadow::default(),
                snap: true,
            };
            faded_when_disabled(style, status)
        }
    }

    /// A secondary button: outlined on the surface colour.
    pub fn secondary_button(self) -> impl Fn(&Theme, button::Status) -> button::Style {
        move |_, status| {
            let pressed = matches!(status, button::Status::Pressed);
            let style = button::Style {
                background: Some(Background::Color(if pressed {
                    darker(self.surface)
                } else {
                    self.surface
                })),
                text_color: self.text,
                border: Border { color: self.primary, width: 3.0, radius: 18.0.into() },
                shadow: Shadow::default(),
                snap: true,
            };
            faded_when_disabled(style, status)
        }
    }

    /// A button on the status bar.
    pub fn bar_button(self) -> impl Fn(&Theme, button::Status) -> button::Style {
        move |_, status| {
            let pressed = matches!(status, button::Status::Pressed);
            button::Style {
                background: Some(Background::Color(if pressed {
                    darker(self.bar)
                } else {
                    lighter(self.bar)
                })),
                text_color: self.on_bar,
                border: Border { color: self.on_bar, width: 2.0, radius: 12.0.into() },
                shadow: Shadow::default(),
                snap: true,
            }
        }
    }
}

/// A button that cannot be pressed now looks faded, so nobody taps it and waits.
fn faded_when_disabled(mut style: button::Style, status: button::Status) -> button::Style {
    if status == button::Status::Disabled {
        let fade = |color: Color| Color { a: color.a * 0.4, ..color };
        style.text_color = fade(style.text_color);
        style.border.color = fade(style.border.color);
        if let Some(Background::Color(color)) = style.background {
            style.background = Some(Background::Color(fade(color)));
        }
    }
    style
}

fn darker(color: Color) -> Color {
    Color { r: color.r * 0.8, g: color.g * 0.8, b: color.b * 0.8, a: color.a }
}

fn lighter(color: Color) -> Color {
    Color {
        r: color.r + (1.0 - color.r) * 0.12,
        g: color.g + (1.0 - color.g) * 0.12,
        b: color.b + (1.0 - color.b) * 0.12,
        a: color.a,
    }
}

/// Text sizes, in logical pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sizes {
    /// Running text.
    pub body: f32,
    /// Secondary lines.
    pub small: f32,
    /// Button labels.
    pub button: f32,
    /// Screen titles.
    pub title: f32,
    /// The attract screen's headline.
    pub headline: f32,
}

impl Sizes {
    /// The sizes for the given accessibility setting.
    pub fn select(large_text: bool) -> Sizes {
        let scale = if large_text { 1.35 } else { 1.0 };
        Sizes {
            body: 22.0 * scale,
            small: 18.0 * scale,
            button: 30.0 * scale,
            title: 36.0 * scale,
            headline: 48.0 * scale,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG relative luminance.
    fn luminance(c: Color) -> f32 {
        let channel = |v: f32| if v <= 0.03928 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) };
        0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
    }

    fn contrast(a: Color, b: Color) -> f32 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn text_meets_wcag_contrast() {
        for look in [Look::STANDARD, Look::HIGH_CONTRAST] {
            assert!(contrast(look.text, look.background) >= 7.0);
            assert!(contrast(look.text, look.surface) >= 7.0);
            assert!(contrast(look.muted, look.surface) >= 4.5);
            assert!(contrast(look.on_primary, look.primary) >= 4.5);
            assert!(contrast(look.on_bar, look.bar) >= 7.0);
        }
        assert!(contrast(Look::HIGH_CONTRAST.on_primary, Look::HIGH_CONTRAST.primary) >= 7.0);
    }

    #[test]
    fn large_text_is_larger() {
        let (normal, large) = (Sizes::select(false), Sizes::select(true));
        assert!(large.body > normal.body && large.button > normal.button);
    }
}
