//! The receipt a person takes with them: the code large, a QR code of it drawn on the device (no
//! network, no image file), what to do with it, and a print view that carries no personal data
//! unless the person chooses to add their name; and the household's appointment
//! ([`super::appointment`]).

use leptos::prelude::*;
use qrcodegen::{QrCode, QrCodeEcc};

use super::{t, use_lang};
use crate::i18n::{tr, tr_with, Msg};
use crate::platform;
use crate::store::OutboxItem;

/// The dark modules of a QR code of `text` as one SVG path, and the side in modules (with the
/// 4-module quiet zone readers need). Medium error correction: a creased printout still reads.
pub fn qr_path(text: &str) -> Option<(i32, String)> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if !qr.get_module(x, y) {
                x += 1;
                continue;
            }
            // A run of dark modules on this row is one rectangle.
            let start = x;
            while x < size && qr.get_module(x, y) {
                x += 1;
            }
            path.push_str(&format!(
                "M{},{}h{}v1h-{}z",
                start + 4,
                y + 4,
                x - start,
                x - start
            ));
        }
    }
    Some((size + 8, path))
}

/// The QR code of a receipt code, named for screen readers.
#[component]
fn ReceiptQr(code: String) -> impl IntoView {
    let lang = use_lang();
    // A receipt code always fits (11 characters); nothing is drawn if one ever did not.
    let (side, path) = qr_path(&code)?;
    let view_box = format!("0 0 {side} {side}");
    let label = move || {
        tr_with(
            lang.get(),
            Msg::ReceiptQrLabel,
            &[("code", code.as_str().into())],
        )
    };
    Some(view! {
        <svg class="receipt-qr" data-testid="receipt-qr" role="img" aria-label=label viewBox=view_box
            xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges">
            <rect width="100%" height="100%" fill="#fff" />
            <path d=path fill="#000" />
        </svg>
    })
}

/// The code in two halves that stay whole, with the one place it may break: after the hyphen.
fn halves(code: &str) -> (String, String) {
    match code.split_once('-') {
        Some((a, b)) => (format!("{a}-"), b.to_owned()),
        None => (code.to_owned(), String::new()),
    }
}

/// The receipt on the status screen, and its print view. `item`: the delivered case as the
/// store holds it now (its appointment may change after delivery). `name`: the person's name as
/// the device holds it (none on a shared tablet, which has erased the case), offered for the
/// printout only if they choose.
#[component]
pub fn Receipt(
    code: String,
    received_at: String,
    item: Signal<Option<OutboxItem>>,
    name: Option<String>,
) -> impl IntoView {
    let lang = use_lang();
    let (first, second) = halves(&code);
    // Where anyone with the code sees the appointment as it stands (a family leaving a shared
    // tablet keeps only the code and this).
    let lookup = format!(
        "{}/r/{code}",
        platform::window().location().origin().unwrap_or_default()
    );
    let printing = RwSignal::new(false);
    let with_name = RwSignal::new(false);
    let printed_name = RwSignal::new(name.unwrap_or_default());
    let received = StoredValue::new(received_at);
    let received_words = move || {
        let at = received.with_value(|r| platform::local_datetime(r, lang.get().code()));
        tr_with(lang.get(), Msg::ReceivedAt, &[("at", at.as_str().into())])
    };
    let print_view = {
        let code = code.clone();
        let lookup = lookup.clone();
        let (first, second) = (first.clone(), second.clone());
        move || {
            printing.get().then(|| {
                let name_line = move || {
                    let name = printed_name.get();
                    (with_name.get() && !name.trim().is_empty()).then(|| {
                        view! {
                            <p class="print-name" data-testid="print-name">
                                {t(Msg::ReceiptPrintNameLabel)}": "<bdi>{name}</bdi>
                            </p>
                        }
                    })
                };
                view! {
                    <section class="receipt-print" data-testid="receipt-print" aria-labelledby="print-title">
                        <h2 id="print-title">{t(Msg::ReceiptPrintTitle)}</h2>
                        <div class="print-sheet" data-testid="print-sheet">
                            <p class="label">{t(Msg::ReceiptLabel)}</p>
                            <p class="receipt-code" dir="ltr">
                                <span class="half">{first.clone()}</span><wbr/><span class="half">{second.clone()}</span>
                            </p>
                            <ReceiptQr code=code.clone() />
                            <p class="received">{received_words}</p>
                            <p class="lookup">{t(Msg::ReceiptLookup)}" "<span dir="ltr">{lookup.clone()}</span></p>
                            {name_line}
                            <p class="what-to-do">{t(Msg::ReceiptWhatToDo)}</p>
                        </div>
                        <label class="choice no-print">
                    <input type="checkbox" data-testid="print-with-name"
                        prop:checked=move || with_name.get()
                        on:change=move |ev| with_name.set(event_target_checked(&ev)) />
                    <span>{t(Msg::ReceiptPrintNameOption)}</span>
                </label>
                        {move || with_name.get().then(|| view! {
                            <div class="field no-print">
                                <label for="print-name-input">{t(Msg::ReceiptPrintNameLabel)}</label>
                                <input id="print-name-input" data-testid="print-name-input" type="text" autocomplete="off"
                                    prop:value=move || printed_name.get()
                                    on:input=move |ev| printed_name.set(event_target_value(&ev)) />
                            </div>
                        })}
                        <button type="button" class="primary no-print" data-testid="print-now"
                            on:click=move |_| { let _ = platform::window().print(); }>
                            {t(Msg::ReceiptPrintNow)}
                        </button>
                    </section>
                }
            })
        }
    };
    view! {
        <div class="receipt-box">
            <p class="label">{t(Msg::ReceiptLabel)}</p>
            <p class="receipt-code" dir="ltr" data-testid="receipt-code">
                <span class="half">{first}</span><wbr/><span class="half">{second}</span>
            </p>
            <ReceiptQr code=code.clone() />
            <p class="hint">{t(Msg::ReceiptHint)}</p>
            <p class="what-to-do">{t(Msg::ReceiptWhatToDo)}</p>
            <p class="received">{received_words}</p>
            <super::appointment::AppointmentPanel item />
            <p class="lookup">
                {t(Msg::ReceiptLookup)}" "
                <a href=lookup.clone() dir="ltr" data-testid="receipt-lookup">{lookup.clone()}</a>
            </p>
            <button type="button" data-testid="print-view" aria-expanded=move || printing.get().to_string()
                on:click=move |_| printing.update(|p| *p = !*p)>
                {move || tr(lang.get(), Msg::ReceiptPrintView)}
            </button>
        </div>
        {print_view}
    }
}
