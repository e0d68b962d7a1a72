//! Every word the app shows, in the person's language.
//!
//! The words live in `locales/<lang>/app.ftl` (Project Fluent), edited by translators. The build
//! checks every language against English and generates [`Msg`], one variant per English message,
//! so code can only name messages that exist; the `locales` tool compiles each language to a
//! small catalog the app downloads on its own (the page's boot script starts fetching the likely
//! one before the app itself has loaded; the service worker keeps them all for offline use).
//! Plurals follow the browser's `Intl.PluralRules`, so Arabic's six forms come out right.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::Reflect;
use locales::{Arg, Catalog, Language};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::platform;

include!(concat!(env!("OUT_DIR"), "/msg.rs"));

/// A language the app ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lang(Language);

impl Lang {
    pub fn all() -> impl Iterator<Item = Lang> {
        locales::LANGUAGES.into_iter().map(Lang)
    }

    pub fn code(self) -> &'static str {
        self.0.code
    }

    /// The language named in itself, as the picker shows it.
    pub fn autonym(self) -> &'static str {
        self.0.autonym
    }

    pub fn is_rtl(self) -> bool {
        self.0.rtl
    }

    /// The shipped language a browser code asks for (`es-MX` → Español).
    pub fn from_code(code: &str) -> Option<Lang> {
        locales::negotiate(code).map(Lang)
    }

    pub fn english() -> Lang {
        Lang::from_code(locales::SOURCE).unwrap_or(Lang(locales::LANGUAGES[0]))
    }
}

thread_local! {
    static CATALOGS: RefCell<HashMap<&'static str, Rc<Catalog>>> = RefCell::new(HashMap::new());
    static PLURALS: RefCell<HashMap<&'static str, js_sys::Intl::PluralRules>> = RefCell::new(HashMap::new());
}

/// Why a language's words could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    #[error("the words for {0} could not be fetched")]
    Fetch(&'static str),
    #[error("the words for {0} could not be read: {1}")]
    Corrupt(&'static str, String),
}

pub fn is_loaded(lang: Lang) -> bool {
    CATALOGS.with(|c| c.borrow().contains_key(lang.code()))
}

/// Where the page's boot script put a language's catalog (or the promise of it), and the URL of
/// each language's catalog file (both written into `index.html` at build time).
fn boot_value(name: &str) -> Option<JsValue> {
    let window = web_sys::window()?;
    Reflect::get(&window, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn catalog_url(lang: Lang) -> String {
    boot_value("__resguardoLocales")
        .and_then(|urls| Reflect::get(&urls, &JsValue::from_str(lang.code())).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| format!("/locales/app.{}.json", lang.code()))
}

async fn fetch_text(lang: Lang) -> Result<String, LoadError> {
    // The boot script may already be fetching it.
    if let Some(promise) = boot_value("__resguardoCatalog")
        .filter(|_| {
            boot_value("__resguardoCatalogLang")
                .and_then(|v| v.as_string())
                .as_deref()
                == Some(lang.code())
        })
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok())
    {
        if let Ok(text) = JsFuture::from(promise).await {
            if let Some(text) = text.as_string() {
                return Ok(text);
            }
        }
    }
    let failed = |_| LoadError::Fetch(lang.code());
    let response: web_sys::Response =
        JsFuture::from(platform::window().fetch_with_str(&catalog_url(lang)))
            .await
            .map_err(failed)?
            .dyn_into()
            .map_err(failed)?;
    if !response.ok() {
        return Err(LoadError::Fetch(lang.code()));
    }
    JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?
        .as_string()
        .ok_or(LoadError::Fetch(lang.code()))
}

/// Makes `lang`'s words available (downloading them once; the service worker keeps them).
pub async fn load(lang: Lang) -> Result<(), LoadError> {
    if is_loaded(lang) {
        return Ok(());
    }
    let text = fetch_text(lang).await?;
    // The browser's JSON parser, then serde over the parsed value: no JSON parser in the wasm.
    let corrupt = |e: String| LoadError::Corrupt(lang.code(), e);
    let value = js_sys::JSON::parse(&text).map_err(|_| corrupt("not JSON".into()))?;
    let catalog: Catalog =
        serde_wasm_bindgen::from_value(value).map_err(|e| corrupt(e.to_string()))?;
    CATALOGS.with(|c| c.borrow_mut().insert(lang.code(), Rc::new(catalog)));
    Ok(())
}

/// The CLDR plural category of `n` in `lang`, from the browser.
fn plural_category(lang: Lang, n: f64) -> &'static str {
    PLURALS.with(|p| {
        let mut rules = p.borrow_mut();
        let rule = rules.entry(lang.code()).or_insert_with(|| {
            js_sys::Intl::PluralRules::new(
                &js_sys::Array::of1(&JsValue::from_str(lang.code())),
                &js_sys::Object::new(),
            )
        });
        match rule.select(n).as_string().as_deref() {
            Some("zero") => "zero",
            Some("one") => "one",
            Some("two") => "two",
            Some("few") => "few",
            Some("many") => "many",
            _ => "other",
        }
    })
}

/// `msg` in `lang`, with `args` filled in.
pub fn tr_with(lang: Lang, msg: Msg, args: &[(&str, Arg<'_>)]) -> String {
    let catalog = CATALOGS.with(|c| c.borrow().get(lang.code()).cloned());
    match catalog {
        Some(catalog) => catalog.format_with(msg.id(), args, &|n| plural_category(lang, n), &|n| {
            platform::format_number(lang.code(), n, None)
        }),
        None => msg.id().to_owned(),
    }
}

/// `msg` in `lang`.
pub fn tr(lang: Lang, msg: Msg) -> String {
    tr_with(lang, msg, &[])
}

/// The translated message for a validation code.
pub fn field_code(code: protocol::FieldCode) -> Msg {
    use protocol::FieldCode as C;
    match code {
        C::Required => Msg::ErrRequired,
        C::TooLong => Msg::ErrTooLong,
        C::InvalidDate => Msg::ErrInvalidDate,
        C::DateInFuture => Msg::ErrDateInFuture,
        C::DateTooOld => Msg::ErrDateTooOld,
        C::InvalidPhone => Msg::ErrInvalidPhone,
        C::InvalidChoice => Msg::ErrInvalidChoice,
        C::Duplicate => Msg::ErrDuplicate,
        C::TooMany => Msg::ErrTooMany,
        C::UnsupportedForm => Msg::ErrUnsupportedForm,
        C::TooShort => Msg::ErrTooShort,
        C::TooFew => Msg::ErrTooFew,
        C::InvalidFormat => Msg::ErrInvalidFormat,
        C::InvalidNumber => Msg::ErrInvalidNumber,
        C::OutOfRange => Msg::ErrOutOfRange,
        C::DateTooLate => Msg::ErrDateTooLate,
        C::InvalidValue => Msg::ErrInvalidValue,
        C::UnknownField => Msg::ErrUnknownField,
        C::Constraint => Msg::ErrConstraint,
    }
}

pub fn need(code: &str) -> Msg {
    match code {
        "medical" => Msg::NeedMedical,
        "disability" => Msg::NeedDisability,
        "pregnancy" => Msg::NeedPregnancy,
        "unaccompanied_child" => Msg::NeedUnaccompaniedChild,
        "shelter" => Msg::NeedShelter,
        "legal_aid" => Msg::NeedLegalAid,
        "interpreter" => Msg::NeedInterpreter,
        _ => Msg::NeedSafety,
    }
}

pub fn photo_kind(code: &str) -> Msg {
    match code {
        "id_document" => Msg::KindIdDocument,
        "birth_certificate" => Msg::KindBirthCertificate,
        _ => Msg::KindOther,
    }
}

pub fn relationship(code: &str) -> Msg {
    match code {
        "spouse" => Msg::RelSpouse,
        "child" => Msg::RelChild,
        "parent" => Msg::RelParent,
        "sibling" => Msg::RelSibling,
        "grandparent" => Msg::RelGrandparent,
        "grandchild" => Msg::RelGrandchild,
        "other_relative" => Msg::RelOtherRelative,
        _ => Msg::RelOther,
    }
}

/// Our own name, in `lang`, for a spoken language browsers often cannot name.
pub fn spoken_language_name(lang: Lang, code: &str) -> Option<String> {
    let msg = match code {
        "qu" => Msg::LangQu,
        "ay" => Msg::LangAy,
        "gn" => Msg::LangGn,
        "nah" => Msg::LangNah,
        "mam" => Msg::LangMam,
        "quc" => Msg::LangQuc,
        "kek" => Msg::LangKek,
        "ti" => Msg::LangTi,
        "wo" => Msg::LangWo,
        "ln" => Msg::LangLn,
        "ff" => Msg::LangFf,
        "tw" => Msg::LangTw,
        _ => return None,
    };
    Some(tr(lang, msg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn every_choice_code_has_its_own_words() {
        let needs: std::collections::HashSet<_> =
            protocol::form::NEEDS.iter().map(|c| need(c)).collect();
        assert_eq!(needs.len(), protocol::form::NEEDS.len());
        let rels: std::collections::HashSet<_> = protocol::form::RELATIONSHIPS
            .iter()
            .map(|c| relationship(c))
            .collect();
        assert_eq!(rels.len(), protocol::form::RELATIONSHIPS.len());
    }

    #[test]
    fn language_codes_from_the_browser() {
        assert_eq!(Lang::from_code("es-MX").map(Lang::code), Some("es"));
        assert_eq!(Lang::from_code("EN_us").map(Lang::code), Some("en"));
        assert_eq!(
            Lang::from_code("ht").map(Lang::autonym),
            Some("Kreyòl ayisyen")
        );
        assert!(Lang::from_code("ar").is_some_and(Lang::is_rtl));
        assert_eq!(Lang::from_code("de"), None);
    }

    #[test]
    fn the_browser_gives_arabic_its_six_plural_forms() {
        let ar = Lang::from_code("ar").unwrap();
        let got: Vec<&str> = [0.0, 1.0, 2.0, 3.0, 11.0, 100.0]
            .iter()
            .map(|n| plural_category(ar, *n))
            .collect();
        assert_eq!(got, ["zero", "one", "two", "few", "many", "other"]);
    }
}
