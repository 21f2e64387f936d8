//! User-facing text in Chinese and English, from the Fluent files in `assets/locales/`.
//!
//! Both files are compiled into the binary, so a kiosk never shows a missing string
//! because a file was not installed. A test proves every key exists in both languages.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::config::Language;

/// The Fluent source of each language, by language.
pub const SOURCES: [(Language, &str); 2] = [
    (Language::ZhCn, include_str!("../../assets/locales/zh-CN/kiosk.ftl")),
    (Language::En, include_str!("../../assets/locales/en/kiosk.ftl")),
];

/// Looks up and formats user-facing text.
pub struct Localizer {
    bundles: Vec<(Language, FluentBundle<FluentResource>)>,
}

impl std::fmt::Debug for Localizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Localizer").finish_non_exhaustive()
    }
}

impl Default for Localizer {
    fn default() -> Self {
        Localizer::new()
    }
}

impl Localizer {
    /// Builds the bundles from the compiled-in Fluent files.
    pub fn new() -> Localizer {
        let bundles = SOURCES
            .iter()
            .map(|(language, source)| {
                let resource =
                    FluentResource::try_new(source.to_string()).unwrap_or_else(|(resource, errors)| {
                        tracing::error!(%language, ?errors, "locale file has syntax errors");
                        resource
                    });
                let tag = language.tag().parse().unwrap_or_default();
                let mut bundle = FluentBundle::new_concurrent(vec![tag]);
                // Unicode isolation marks around placeables render as boxes in most fonts.
                bundle.set_use_isolating(false);
                if let Err(errors) = bundle.add_resource(resource) {
                    tracing::error!(%language, ?errors, "locale file defines a message twice");
                }
                (*language, bundle)
            })
            .collect();
        Localizer { bundles }
    }

    fn bundle(&self, language: Language) -> &FluentBundle<FluentResource> {
        self.bundles
            .iter()
            .find(|(l, _)| *l == language)
            .map(|(_, bundle)| bundle)
            .unwrap_or(&self.bundles[0].1)
    }

    /// The text of `key` in `language`; the key itself when it is missing.
    pub fn text(&self, language: Language, key: &str) -> String {
        self.format(language, key, &[])
    }

    /// The text of `key` with named arguments.
    pub fn format(&self, language: Language, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let bundle = self.bundle(language);
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(%language, key, "missing text");
            return key.to_string();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(%language, key, ?errors, "text formatted with errors");
        }
        text.into_owned()
    }

    /// Every message id defined for `language`, sorted.
    pub fn keys(language: Language) -> Vec<String> {
        let source = SOURCES.iter().find(|(l, _)| *l == language).map(|(_, s)| *s).unwrap_or("");
        let resource = match FluentResource::try_new(source.to_string()) {
            Ok(resource) | Err((resource, _)) => resource,
        };
        let mut keys: Vec<String> = resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_string()),
                _ => None,
            })
            .collect();
        keys.sort();
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_languages_parse_without_errors() {
        for (language, source) in SOURCES {
            if let Err((_, errors)) = FluentResource::try_new(source.to_string()) {
                panic!("{language}: {errors:?}");
            }
        }
    }

    #[test]
    fn every_key_exists_in_both_languages() {
        let zh: BTreeSet<String> = Localizer::keys(Language::ZhCn).into_iter().collect();
        let en: BTreeSet<String> = Localizer::keys(Language::En).into_iter().collect();
        assert!(zh.len() > 10, "the locale files are unexpectedly small");
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "only in zh-CN: {only_zh:?}; only in en: {only_en:?}"
        );
    }

    #[test]
    fn every_message_formats_cleanly_in_both_languages() {
        let localizer = Localizer::new();
        for language in Language::ALL {
            for key in Localizer::keys(language) {
                let text = localizer.text(language, &key);
                assert!(!text.trim().is_empty(), "{language} {key} is empty");
                assert!(!text.contains('\u{2068}'), "{language} {key} carries isolation marks");
            }
        }
    }

    #[test]
    fn arguments_are_filled_in() {
        let localizer = Localizer::new();
        let text = localizer.format(Language::En, "status-queued", &[("count", 3.into())]);
        assert!(text.contains('3'), "{text}");
        assert_eq!(localizer.text(Language::En, "no-such-key"), "no-such-key");
    }
}
