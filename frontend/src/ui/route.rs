//! Where the person is in the app, kept in the address bar: `/` (my cases) or `/case/<id>`.
//! Links inside the app change the page through the History API without a reload; Back and
//! Forward work; anything else (the staff pages, other sites, a new tab) is left to the browser.
//!
//! Two routes do not need a router library, and leaving one out keeps the download smaller.

use leptos::prelude::*;
use protocol::CaseId;
use wasm_bindgen::JsCast;

use crate::platform;

/// A page of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Home,
    Case(CaseId),
    /// The volunteer screen of a shared tablet.
    Tablet,
    NotFound,
}

impl Page {
    /// The page of a path (`/case/<id>`); a path that names no page is [`Page::NotFound`].
    pub fn of_path(path: &str) -> Page {
        let path = path
            .strip_suffix('/')
            .filter(|p| !p.is_empty())
            .unwrap_or(path);
        match path.strip_prefix("/case/") {
            _ if path == "/" || path == "/index.html" => Page::Home,
            _ if path == "/tablet" => Page::Tablet,
            Some(id) => id.parse().map_or(Page::NotFound, Page::Case),
            None => Page::NotFound,
        }
    }

    pub fn path(self) -> String {
        match self {
            Page::Home | Page::NotFound => "/".to_owned(),
            Page::Case(id) => format!("/case/{id}"),
            Page::Tablet => "/tablet".to_owned(),
        }
    }
}

thread_local! {
    // One app, one address bar: reachable from a task that outlives the component that started it.
    static CURRENT: std::cell::Cell<Option<RwSignal<Page>>> = const { std::cell::Cell::new(None) };
}

fn current_path() -> String {
    platform::window().location().pathname().unwrap_or_default()
}

/// Starts following the address bar; the page shown is [`use_page`].
pub fn provide_router() {
    let page = RwSignal::new(Page::of_path(&current_path()));
    CURRENT.with(|c| c.set(Some(page)));
    platform::on_window("popstate", move |_| {
        page.set(Page::of_path(&current_path()))
    });
    platform::on_document("click", move |event| {
        if let Some(path) = in_app_link(&event) {
            event.prevent_default();
            go(page, &path, false);
        }
    });
}

/// The page shown now.
pub fn use_page() -> Signal<Page> {
    current().into()
}

fn current() -> RwSignal<Page> {
    CURRENT
        .with(|c| c.get())
        .expect("the router is started before any page renders")
}

/// Shows `page`, adding it to the history (or, with `replace`, standing in for the current
/// entry, as for a redirect).
pub fn navigate(page: Page, replace: bool) {
    go(current(), &page.path(), replace);
}

fn go(signal: RwSignal<Page>, path: &str, replace: bool) {
    if let Ok(history) = platform::window().history() {
        let _ = if replace {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path))
        } else {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path))
        };
    }
    let page = Page::of_path(path);
    // The same page again keeps what it shows (and what is being typed into it).
    if signal.get_untracked() != page {
        signal.set(page);
    }
    platform::window().scroll_to_with_x_and_y(0.0, 0.0);
}

/// The path of a plain click on a link to one of the app's own pages; `None` for everything the
/// browser should handle itself (a modified or middle click, another target, a download, another
/// origin, the server's own pages, a link within the page).
fn in_app_link(event: &web_sys::Event) -> Option<String> {
    let click = event.dyn_ref::<web_sys::MouseEvent>()?;
    if event.default_prevented()
        || click.button() != 0
        || click.meta_key()
        || click.ctrl_key()
        || click.shift_key()
        || click.alt_key()
    {
        return None;
    }
    let target = event.target()?.dyn_into::<web_sys::Element>().ok()?;
    let link = target.closest("a[href]").ok()??;
    if link
        .get_attribute("target")
        .is_some_and(|t| !t.is_empty() && t != "_self")
        || link.has_attribute("download")
    {
        return None;
    }
    let location = platform::window().location();
    let base = location.href().ok()?;
    let url = web_sys::Url::new_with_base(&link.get_attribute("href")?, &base).ok()?;
    if url.origin() != location.origin().ok()? {
        return None;
    }
    let path = url.pathname();
    let same_page = path == location.pathname().ok()? && url.search() == location.search().ok()?;
    if same_page && !url.hash().is_empty() {
        return None; // "#main": the skip link
    }
    (Page::of_path(&path) != Page::NotFound).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn paths_name_pages() {
        let id = CaseId::new_random();
        assert_eq!(Page::of_path("/"), Page::Home);
        assert_eq!(Page::of_path("/index.html"), Page::Home);
        assert_eq!(Page::of_path(&format!("/case/{id}")), Page::Case(id));
        assert_eq!(Page::of_path(&format!("/case/{id}/")), Page::Case(id));
        assert_eq!(Page::of_path(&Page::Case(id).path()), Page::Case(id));
        assert_eq!(Page::of_path("/tablet"), Page::Tablet);
        assert_eq!(Page::of_path(&Page::Tablet.path()), Page::Tablet);
        assert_eq!(Page::of_path("/case/not-an-id"), Page::NotFound);
        assert_eq!(Page::of_path("/case/"), Page::NotFound);
        assert_eq!(Page::of_path("/staff/cases"), Page::NotFound);
    }
}
