//! The sync worker: a dedicated web worker each page starts (see `frontend::sync`), running the
//! delivery engine off the page.

fn main() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(frontend::sync::run_worker(frontend::boot::STORE_CHANNEL));
}
