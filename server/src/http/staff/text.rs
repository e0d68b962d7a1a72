//! The staff pages' words, in the staff member's language: chosen with the picker on every page
//! (kept in a cookie), else the browser's `Accept-Language`, else English. The words come from
//! `locales/<lang>/staff.ftl` (the `locales` crate checks every language against English in the
//! tests and compiles them once, here, at the first request).

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use locales::{Arg, Audience, Catalog, Language};
use serde::Deserialize;

pub const LANG_COOKIE: &str = "resguardo_staff_lang";

fn catalogs() -> &'static HashMap<&'static str, Catalog> {
    static CATALOGS: OnceLock<HashMap<&'static str, Catalog>> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        let compiled = locales::compile::compile_all(Audience::Staff).unwrap_or_else(|problems| {
            for p in &problems {
                tracing::error!(problem = %p, "staff locale file");
            }
            Vec::new()
        });
        locales::LANGUAGES
            .iter()
            .filter_map(|l| {
                compiled
                    .iter()
                    .find(|c| c.lang == l.code)
                    .map(|c| (l.code, c.clone()))
            })
            .collect()
    })
}

/// The words of one staff page, in one language.
pub struct Text {
    lang: Language,
    catalog: Option<&'static Catalog>,
    plural: Box<dyn Fn(f64) -> &'static str + Send + Sync>,
}

impl Text {
    pub fn new(lang: Language) -> Text {
        Text {
            lang,
            catalog: catalogs().get(lang.code),
            plural: Box::new(locales::plural::rules(lang.code)),
        }
    }

    pub fn english() -> Text {
        Text::new(locales::language(locales::SOURCE).unwrap_or(locales::LANGUAGES[0]))
    }

    pub fn lang(&self) -> Language {
        self.lang
    }

    pub fn t(&self, id: &str) -> String {
        self.t_with(id, &[])
    }

    pub fn t_with(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        match self.catalog {
            Some(c) => c.format(id, args, &self.plural),
            None => id.to_owned(),
        }
    }

    /// The language a request asks for: the staff member's choice, else their browser's.
    pub fn for_request(headers: &HeaderMap) -> Text {
        let chosen = super::cookie(headers, LANG_COOKIE).and_then(|c| locales::language(&c));
        let browser = || {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| {
                    // Tags in the order given (quality values are nearly always descending).
                    v.split(',')
                        .filter_map(|tag| locales::negotiate(tag.split(';').next()?.trim()))
                        .next()
                })
        };
        match chosen.or_else(browser) {
            Some(lang) => Text::new(lang),
            None => Text::english(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Text {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Text::for_request(&parts.headers))
    }
}

#[derive(Deserialize)]
pub struct Choose {
    lang: String,
    #[serde(default)]
    back: String,
}

/// `GET /staff/language?lang=ar&back=/staff/cases`: remembers the choice and goes back.
pub async fn choose(Query(q): Query<Choose>) -> Response {
    // Only back to a staff page of this site, never elsewhere.
    let back =
        if q.back.starts_with("/staff") && !q.back.starts_with("//") && !q.back.contains('\\') {
            q.back
        } else {
            "/staff/cases".into()
        };
    let mut response = Redirect::to(&back).into_response();
    if let Some(lang) = locales::language(&q.lang) {
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/staff; SameSite=Lax; Max-Age=31536000",
            lang.code
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}
