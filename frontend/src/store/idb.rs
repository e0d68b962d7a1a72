//! The little of IndexedDB the store uses, straight over web-sys (in place of a wrapper crate,
//! whose builders, channels and error types cost about 5 kB of the page's download).
//!
//! A request or a transaction is awaited as a promise whose `resolve`/`reject` are the
//! browser's own functions set as its handlers, so no Rust closure is made per request. Its
//! continuation runs in the same microtask checkpoint as the success event, while the
//! transaction is still active, so several requests may follow one another in a transaction.

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DomException, IdbDatabase, IdbFactory, IdbIndex, IdbObjectStore, IdbObjectStoreParameters,
    IdbOpenDbRequest, IdbRequest, IdbTransaction,
};

use super::StoreError;

pub use web_sys::IdbTransactionMode as Mode;

/// What failed, from the browser's DOMException.
fn failed(error: Option<DomException>, what: &str) -> StoreError {
    match error {
        Some(e) if e.name() == "QuotaExceededError" => StoreError::QuotaExceeded,
        Some(e) => StoreError::Failed(format!("{what}: {}: {}", e.name(), e.message())),
        None => StoreError::Failed(what.into()),
    }
}

fn thrown(e: JsValue, what: &str) -> StoreError {
    failed(e.dyn_into::<DomException>().ok(), what)
}

fn factory() -> Result<IdbFactory, StoreError> {
    // In a page or in the sync worker alike.
    Reflect::get(&js_sys::global(), &JsValue::from_str("indexedDB"))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
        .map(JsCast::unchecked_into)
        .ok_or(StoreError::Unavailable)
}

/// The request's result once it succeeds.
async fn wait(request: IdbRequest, what: &str) -> Result<JsValue, StoreError> {
    let done = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    match JsFuture::from(done).await {
        Ok(_) => request.result().map_err(|e| thrown(e, what)),
        Err(_) => Err(failed(request.error().ok().flatten(), what)),
    }
}

async fn run(request: Result<IdbRequest, JsValue>, what: &str) -> Result<JsValue, StoreError> {
    wait(request.map_err(|e| thrown(e, what))?, what).await
}

fn some(value: JsValue) -> Option<JsValue> {
    (!value.is_undefined()).then_some(value)
}

fn values(array: JsValue) -> Vec<JsValue> {
    array.unchecked_into::<Array>().to_vec()
}

/// Opens `name` at `version`; `upgrade` runs when the database is new or older, in its
/// `versionchange` transaction (an error from it aborts the upgrade and fails the open).
pub async fn open(
    name: &str,
    version: u32,
    upgrade: fn(&IdbDatabase, &IdbTransaction) -> Result<(), JsValue>,
) -> Result<IdbDatabase, StoreError> {
    let request: IdbOpenDbRequest = factory()?
        .open_with_u32(name, version)
        .map_err(|e| thrown(e, "open"))?;
    let on_upgrade = {
        let request = request.clone();
        move |_: web_sys::Event| {
            let (Ok(db), Some(tx)) = (request.result(), request.transaction()) else {
                return;
            };
            if upgrade(db.unchecked_ref(), &tx).is_err() {
                let _ = tx.abort();
            }
        }
    };
    // The same closure type as every event listener's (platform::on_event), so no new glue.
    let on_upgrade: Box<dyn FnMut(web_sys::Event)> = Box::new(on_upgrade);
    let on_upgrade = wasm_bindgen::closure::Closure::wrap(on_upgrade);
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let db = wait(request.clone().into(), "open").await;
    request.set_onupgradeneeded(None);
    drop(on_upgrade);
    let db: IdbDatabase = db?.unchecked_into();
    // Another tab (or the sync worker) upgrading the database: this connection steps aside.
    if let Ok(close) = Reflect::get(&db, &JsValue::from_str("close")) {
        db.set_onversionchange(Some(&close.unchecked_ref::<Function>().bind0(&db)));
    }
    Ok(db)
}

/// Deletes the database `name` (once every connection to it is closed).
pub async fn delete(name: &str) -> Result<(), StoreError> {
    let request = factory()?
        .delete_database(name)
        .map_err(|e| thrown(e, "delete"))?;
    wait(request.into(), "delete").await.map(drop)
}

/// Creates `name` keyed by `key_path` unless it exists; returns it either way.
pub fn ensure_store(
    db: &IdbDatabase,
    tx: &IdbTransaction,
    name: &str,
    key_path: &str,
) -> Result<IdbObjectStore, JsValue> {
    if db.object_store_names().contains(name) {
        return tx.object_store(name);
    }
    let params = IdbObjectStoreParameters::new();
    params.set_key_path(&JsValue::from_str(key_path));
    db.create_object_store_with_optional_parameters(name, &params)
}

/// Creates the index `name` on `key_path` unless it exists.
pub fn ensure_index(store: &IdbObjectStore, name: &str, key_path: &str) -> Result<(), JsValue> {
    if !store.index_names().contains(name) {
        store.create_index_with_str(name, key_path)?;
    }
    Ok(())
}

pub struct Tx(IdbTransaction);

impl Tx {
    pub fn new(db: &IdbDatabase, stores: &[&str], mode: Mode) -> Result<Tx, StoreError> {
        let names: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
        db.transaction_with_str_sequence_and_mode(&names, mode)
            .map(Tx)
            .map_err(|e| thrown(e, "transaction"))
    }

    pub fn store(&self, name: &str) -> Result<Store, StoreError> {
        self.0
            .object_store(name)
            .map(Store)
            .map_err(|e| thrown(e, name))
    }

    /// Waits until everything written in it is committed; a transaction the browser aborted
    /// (storage full at commit, say) is an error, not a silent success.
    pub async fn done(self) -> Result<(), StoreError> {
        let tx = &self.0;
        let done = Promise::new(&mut |resolve, reject| {
            tx.set_oncomplete(Some(&resolve));
            tx.set_onabort(Some(&reject));
        });
        JsFuture::from(done)
            .await
            .map(drop)
            .map_err(|_| failed(tx.error(), "transaction aborted"))
    }

    /// Drops everything written in it.
    pub fn abort(self) {
        let _ = self.0.abort();
    }
}

pub struct Store(IdbObjectStore);

impl Store {
    pub async fn get(&self, key: &JsValue) -> Result<Option<JsValue>, StoreError> {
        run(self.0.get(key), "get").await.map(some)
    }

    pub async fn has(&self, key: &JsValue) -> Result<bool, StoreError> {
        Ok(some(run(self.0.get_key(key), "getKey").await?).is_some())
    }

    pub async fn get_all(&self) -> Result<Vec<JsValue>, StoreError> {
        run(self.0.get_all(), "getAll").await.map(values)
    }

    pub async fn put(&self, value: &JsValue) -> Result<(), StoreError> {
        run(self.0.put(value), "put").await.map(drop)
    }

    pub async fn delete(&self, key: &JsValue) -> Result<(), StoreError> {
        run(self.0.delete(key), "delete").await.map(drop)
    }

    pub fn index(&self, name: &str) -> Result<Index, StoreError> {
        self.0.index(name).map(Index).map_err(|e| thrown(e, name))
    }
}

pub struct Index(IdbIndex);

impl Index {
    /// Every entry whose indexed value is `value`.
    pub async fn get_all(&self, value: &JsValue) -> Result<Vec<JsValue>, StoreError> {
        run(self.0.get_all_with_key(value), "getAll")
            .await
            .map(values)
    }

    /// The primary keys of every entry whose indexed value is `value`.
    pub async fn get_all_keys(&self, value: &JsValue) -> Result<Vec<JsValue>, StoreError> {
        run(self.0.get_all_keys_with_key(value), "getAllKeys")
            .await
            .map(values)
    }
}
