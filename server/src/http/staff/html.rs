//! The staff pages' layout, written with `maud` (HTML that escapes every value by itself), in
//! the staff member's language and direction.

use maud::{html, Markup, DOCTYPE};

use super::text::Text;
use super::Staff;
use crate::storage::staff::Role;

/// A hidden CSRF field for a form.
pub fn csrf_field(staff: &Staff) -> Markup {
    html! { input type="hidden" name="csrf" value=(staff.csrf_token); }
}

/// A data table that scrolls within its own box on a narrow screen, so the page itself never
/// scrolls sideways; the box can take the keyboard focus, so it scrolls without a pointer too.
pub fn scrolling_table(label: &str, table: Markup) -> Markup {
    html! {
        div.table-scroll role="region" aria-label=(label) tabindex="0" { (table) }
    }
}

fn role_name(text: &Text, role: Role) -> String {
    match role {
        Role::Admin => text.t("role-admin"),
        Role::Reviewer => text.t("role-reviewer"),
    }
}

/// The language picker every page carries: each language named in itself.
fn language_picker(text: &Text, path: &str) -> Markup {
    html! {
        form.language method="get" action="/staff/language" {
            label {
                span { (text.t("language")) }
                select name="lang" {
                    @for l in locales::LANGUAGES {
                        option value=(l.code) lang=(l.code) selected[l.code == text.lang().code] { (l.autonym) }
                    }
                }
            }
            input type="hidden" name="back" value=(path);
            button type="submit" { (text.t("change-language")) }
        }
    }
}

/// A whole page: `title` as its heading, `path` to come back to after changing the language.
pub fn page(text: &Text, title: &str, staff: Option<&Staff>, path: &str, body: Markup) -> Markup {
    let lang = text.lang();
    html! {
        (DOCTYPE)
        html lang=(lang.code) dir=(if lang.rtl { "rtl" } else { "ltr" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (text.t_with("staff-title", &[("page", title.into())])) }
                link rel="stylesheet" href="/staff/staff.css";
            }
            body {
                header {
                    strong { (text.t("staff-brand")) }
                    @if let Some(s) = staff {
                        nav aria-label=(text.t("staff-brand")) {
                            a href="/staff/cases" { (text.t("nav-cases")) }
                            a href="/staff/slots" { (text.t("nav-slots")) }
                            @if s.role == Role::Admin {
                                a href="/staff/enrolment" { (text.t("nav-enrolment")) }
                                a href="/staff/devices" { (text.t("nav-devices")) }
                                a href="/staff/forms" { (text.t("nav-forms")) }
                                a href="/staff/audit" { (text.t("nav-audit")) }
                            }
                            span.who { (text.t_with("signed-in-as", &[("user", s.username.as_str().into()), ("role", role_name(text, s.role).as_str().into())])) }
                            form method="post" action="/staff/logout" {
                                (csrf_field(s))
                                button type="submit" { (text.t("log-out")) }
                            }
                        }
                    }
                    (language_picker(text, path))
                }
                main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}
