//! What an asynchronous read gave, read again whenever the signals it reads change.
//!
//! Leptos's `LocalResource` does this and much more (suspense, transitions, serialisation for
//! server rendering); none of it is used here and its machinery costs several kilobytes of the
//! download per use, so pages use this instead.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

/// The latest answer of `read` (`None` until the first one). `read` runs at once and again when
/// a signal it reads before its first `.await` changes; an answer overtaken by a newer read is
/// dropped, so a slow old read never replaces a newer one.
pub fn loaded<T, Fut>(read: impl Fn() -> Fut + 'static) -> ReadSignal<Option<T>, LocalStorage>
where
    T: 'static,
    Fut: Future<Output = T> + 'static,
{
    let value = RwSignal::new_local(None);
    follow(Box::new(move || {
        let answer = read();
        Box::pin(async move {
            let answer = answer.await;
            Box::new(move || {
                value.try_set(Some(answer));
            }) as Box<dyn FnOnce()>
        })
    }));
    value.read_only()
}

/// A read: its future, whose answer is how to show it.
type Read = Box<dyn Fn() -> Pin<Box<dyn Future<Output = Box<dyn FnOnce()>>>>>;

/// The machinery, typed once for every use (what is generic stays in [`loaded`]).
fn follow(read: Read) {
    let latest = Rc::new(Cell::new(0u64));
    Effect::new(move |_| {
        let answer = read();
        let this = latest.get() + 1;
        latest.set(this);
        let latest = latest.clone();
        let task: Pin<Box<dyn Future<Output = ()>>> = Box::pin(async move {
            let show = answer.await;
            if latest.get() == this {
                show();
            }
        });
        spawn_local(task);
    });
}
