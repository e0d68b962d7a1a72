//! Page layout and HTML escaping for the staff pages.

use axum::response::Html;

use super::Staff;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A hidden CSRF field for a form.
pub fn csrf_field(staff: &Staff) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(&staff.csrf_token)
    )
}

pub fn page(title: &str, staff: Option<&Staff>, body: &str) -> Html<String> {
    let nav = match staff {
        None => String::new(),
        Some(s) => {
            let admin = if s.role == crate::storage::staff::Role::Admin {
                "<a href=\"/staff/enrolment\">Enrolment codes</a><a href=\"/staff/devices\">Devices</a><a href=\"/staff/audit\">Audit log</a>"
            } else {
                ""
            };
            format!(
                "<nav><a href=\"/staff/cases\">Cases</a>{admin}<span class=\"who\">{} ({})</span>\
                 <form method=\"post\" action=\"/staff/logout\">{}<button type=\"submit\">Log out</button></form></nav>",
                esc(&s.username),
                s.role.as_str(),
                csrf_field(s)
            )
        }
    };
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{} · Resguardo staff</title>\
         <link rel=\"stylesheet\" href=\"/staff/staff.css\"></head><body>\
         <header><strong>Resguardo</strong> staff{nav}</header><main><h1>{}</h1>{body}</main></body></html>",
        esc(title),
        esc(title)
    ))
}
