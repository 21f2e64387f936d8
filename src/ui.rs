//! What every screen's `view` needs: the text in the current language, the colours and
//! the text sizes.

use fluent_bundle::FluentValue;
use kiosk_core::config::Language;
use kiosk_core::i18n::Localizer;

use crate::theme::{Look, Sizes};

/// The view context handed to each screen.
#[derive(Clone, Copy)]
pub struct Ui<'a> {
    localizer: &'a Localizer,
    /// The visitor's language.
    pub language: Language,
    /// The colours.
    pub look: Look,
    /// The text sizes.
    pub sizes: Sizes,
}

impl<'a> Ui<'a> {
    /// Builds a context.
    pub fn new(localizer: &'a Localizer, language: Language, look: Look, sizes: Sizes) -> Self {
        Ui { localizer, language, look, sizes }
    }

    /// The text of a Fluent key.
    pub fn tr(&self, key: &str) -> String {
        self.localizer.text(self.language, key)
    }

    /// The text of a Fluent key with arguments.
    pub fn tr_args(&self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        self.localizer.format(self.language, key, args)
    }
}
