//! Resguardo's words, in the languages of the people it serves.
//!
//! Translators edit one Project Fluent file per language and audience, beside this crate:
//! `locales/<lang>/app.ftl` (the app) and `locales/<lang>/staff.ftl` (the staff pages), with a
//! glossary of the key terms per language. English is the source of truth for which messages
//! exist and which variables each may use.
//!
//! - [`catalog`]: a language's messages compiled to a compact form ([`Catalog`]) and the one
//!   formatter both the app (wasm) and the server use: named variables, selectors on numbers by
//!   CLDR plural category (the caller says which category a number falls in: the browser's
//!   `Intl.PluralRules`, or [`plural`] natively), values isolated for right-to-left text.
//! - [`compile`] (feature `compile`): parses the `.ftl` files with the Fluent project's own
//!   parser, checks every language against English (missing, extra or misspelt messages,
//!   variables English does not have, plurals without a default), and compiles them.
//!
//! The app's build script fails on any problem and generates the `Msg` enum from English; the
//! `locales` tool writes the per-language catalogs the app downloads, one at a time.

pub mod catalog;
#[cfg(feature = "compile")]
pub mod compile;
#[cfg(feature = "compile")]
pub mod plural;

pub use catalog::{Arg, Catalog, Part};

/// A language Resguardo ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Language {
    /// BCP 47 code, as in `<html lang>` and the folder name.
    pub code: &'static str,
    /// Its name in itself, as the language picker shows it.
    pub autonym: &'static str,
    pub rtl: bool,
}

/// Every language, in the order the picker lists them.
pub const LANGUAGES: [Language; 6] = [
    Language {
        code: "es",
        autonym: "Español",
        rtl: false,
    },
    Language {
        code: "ht",
        autonym: "Kreyòl ayisyen",
        rtl: false,
    },
    Language {
        code: "fr",
        autonym: "Français",
        rtl: false,
    },
    Language {
        code: "pt",
        autonym: "Português",
        rtl: false,
    },
    Language {
        code: "en",
        autonym: "English",
        rtl: false,
    },
    Language {
        code: "ar",
        autonym: "العربية",
        rtl: true,
    },
];

/// The source language: every other file has exactly its messages.
pub const SOURCE: &str = "en";

pub fn language(code: &str) -> Option<Language> {
    LANGUAGES.iter().copied().find(|l| l.code == code)
}

/// The shipped language a browser or request code asks for (`es-MX` → `es`), if any.
pub fn negotiate(code: &str) -> Option<Language> {
    let primary = code
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    language(&primary)
}

/// Which file of a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// `app.ftl`: the app people use.
    App,
    /// `staff.ftl`: the staff pages.
    Staff,
}

impl Audience {
    pub fn file_name(self) -> &'static str {
        match self {
            Audience::App => "app.ftl",
            Audience::Staff => "staff.ftl",
        }
    }
}

#[cfg(feature = "compile")]
macro_rules! sources {
    ($($lang:literal),*) => {
        /// The `.ftl` text of `lang`'s file for `audience`, built into whoever links this crate
        /// (the server renders staff pages from it; build scripts check and compile it).
        pub fn source(lang: &str, audience: Audience) -> Option<&'static str> {
            match (lang, audience) {
                $(
                    ($lang, Audience::App) => Some(include_str!(concat!("../", $lang, "/app.ftl"))),
                    ($lang, Audience::Staff) => Some(include_str!(concat!("../", $lang, "/staff.ftl"))),
                )*
                _ => None,
            }
        }
    };
}

#[cfg(feature = "compile")]
sources!("es", "ht", "fr", "pt", "en", "ar");
