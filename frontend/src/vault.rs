//! Encryption at rest for shared tablets, with the browser's own WebCrypto: each case has a
//! random AES-GCM key ([`CaseKey`]) that encrypts its answers; the key is kept only wrapped by a
//! key derived from the family's PIN or passphrase (PBKDF2-SHA256, [`PinLock`]). Unwrapping with
//! a wrong PIN fails AES-GCM's check: there is nothing to compare against and nothing to guess
//! from but the derivation's cost.
//!
//! WebCrypto is reached through `Reflect` on `crypto.subtle`: its methods take plain objects,
//! and web-sys's generated names for them change between versions.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// PBKDF2-SHA256 rounds for a new lock, chosen with `bench/pin-bench.mjs` so that unlocking takes
/// about a second on a phone: 1.2 M rounds take 0.2–0.25 s on the 2-core build machine, and a
/// phone is taken to be 4× slower (DevTools' CPU throttle does not slow WebCrypto, measured there;
/// figures in the README). Twice OWASP's 600 000 for PBKDF2-SHA256.
pub const PIN_ITERATIONS: u32 = 1_200_000;
/// Fewest rounds a lock may claim: a stored lock asking for less is refused as tampered.
const MIN_ITERATIONS: u32 = 10_000;
const IV_BYTES: usize = 12;
const SALT_BYTES: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// The PIN or passphrase does not open this case.
    #[error("that PIN does not open this case")]
    WrongPin,
    /// Stored ciphertext that does not open with the right key (changed or cut short).
    #[error("the stored case does not open: {0}")]
    Damaged(String),
    /// The browser could not do it (no WebCrypto: an insecure origin or a very old browser).
    #[error("this browser cannot encrypt: {0}")]
    Unavailable(String),
}

/// A case's own key, in memory only while the case is open.
#[derive(Clone, Debug)]
pub struct CaseKey(JsValue);

/// How a case's key is kept on the device: wrapped by a key derived from the family's PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinLock {
    /// Random, per lock (base64).
    pub salt: String,
    pub iterations: u32,
    /// The AES-GCM IV of the wrapping (base64).
    pub iv: String,
    /// The case key, wrapped (base64).
    pub wrapped: String,
}

fn unavailable(e: JsValue) -> VaultError {
    VaultError::Unavailable(format!("{e:?}"))
}

fn subtle() -> Result<JsValue, VaultError> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).map_err(unavailable)?;
    let subtle = Reflect::get(&crypto, &"subtle".into()).map_err(unavailable)?;
    if subtle.is_undefined() {
        return Err(VaultError::Unavailable(
            "crypto.subtle is missing (not a secure origin?)".into(),
        ));
    }
    Ok(subtle)
}

/// `crypto.subtle[method](...args)`, awaited.
async fn call(method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let subtle = subtle().map_err(|e| JsValue::from_str(&e.to_string()))?;
    let f: js_sys::Function = Reflect::get(&subtle, &method.into())?.dyn_into()?;
    let promise: js_sys::Promise = f
        .apply(&subtle, &args.iter().collect::<Array>())?
        .dyn_into()?;
    JsFuture::from(promise).await
}

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &(*k).into(), v);
    }
    o.into()
}

fn bytes(b: &[u8]) -> JsValue {
    Uint8Array::from(b).into()
}

fn usages(list: &[&str]) -> JsValue {
    list.iter()
        .map(|u| JsValue::from_str(u))
        .collect::<Array>()
        .into()
}

fn aes_gcm() -> JsValue {
    object(&[("name", "AES-GCM".into()), ("length", 256.into())])
}

fn gcm_params(iv: &[u8], aad: &[u8]) -> JsValue {
    object(&[
        ("name", "AES-GCM".into()),
        ("iv", bytes(iv)),
        ("additionalData", bytes(aad)),
    ])
}

fn random<const N: usize>() -> Result<[u8; N], VaultError> {
    let mut out = [0u8; N];
    if delivery::env::Random::fill_secret(&crate::platform::BrowserRandom, &mut out) {
        Ok(out)
    } else {
        Err(VaultError::Unavailable(
            "crypto.getRandomValues failed".into(),
        ))
    }
}

fn unbase64(field: &str, s: &str) -> Result<Vec<u8>, VaultError> {
    B64.decode(s)
        .map_err(|_| VaultError::Damaged(format!("{field} is not base64")))
}

/// The key that wraps a case key, from the PIN (never kept).
async fn pin_key(pin: &str, salt: &[u8], iterations: u32) -> Result<JsValue, VaultError> {
    let base = call(
        "importKey",
        &[
            "raw".into(),
            bytes(pin.as_bytes()),
            "PBKDF2".into(),
            false.into(),
            usages(&["deriveKey"]),
        ],
    )
    .await
    .map_err(unavailable)?;
    let params = object(&[
        ("name", "PBKDF2".into()),
        ("salt", bytes(salt)),
        ("iterations", iterations.into()),
        ("hash", "SHA-256".into()),
    ]);
    call(
        "deriveKey",
        &[
            params,
            base,
            aes_gcm(),
            false.into(),
            usages(&["wrapKey", "unwrapKey"]),
        ],
    )
    .await
    .map_err(unavailable)
}

impl CaseKey {
    /// A fresh random key for a new case.
    pub async fn generate() -> Result<CaseKey, VaultError> {
        let key = call(
            "generateKey",
            &[aes_gcm(), true.into(), usages(&["encrypt", "decrypt"])],
        )
        .await
        .map_err(unavailable)?;
        Ok(CaseKey(key))
    }

    /// A key given back in the clear (by the organisation, when a family forgot its PIN).
    pub async fn from_raw(raw: &[u8]) -> Result<CaseKey, VaultError> {
        let key = call(
            "importKey",
            &[
                "raw".into(),
                bytes(raw),
                aes_gcm(),
                true.into(),
                usages(&["encrypt", "decrypt"]),
            ],
        )
        .await
        .map_err(|e| VaultError::Damaged(format!("{e:?}")))?;
        Ok(CaseKey(key))
    }

    /// The key's 32 bytes, to seal for the organisation (so a forgotten PIN loses nothing).
    pub async fn raw(&self) -> Result<Vec<u8>, VaultError> {
        let raw = call("exportKey", &["raw".into(), self.0.clone()])
            .await
            .map_err(unavailable)?;
        Ok(Uint8Array::new(&raw).to_vec())
    }

    /// Wraps this key under `pin`, with `iterations` rounds of PBKDF2.
    pub async fn lock(&self, pin: &str, iterations: u32) -> Result<PinLock, VaultError> {
        let salt = random::<SALT_BYTES>()?;
        let iv = random::<IV_BYTES>()?;
        let wrapping = pin_key(pin, &salt, iterations).await?;
        let wrapped = call(
            "wrapKey",
            &["raw".into(), self.0.clone(), wrapping, gcm_params(&iv, &[])],
        )
        .await
        .map_err(unavailable)?;
        Ok(PinLock {
            salt: B64.encode(salt),
            iterations,
            iv: B64.encode(iv),
            wrapped: B64.encode(Uint8Array::new(&wrapped).to_vec()),
        })
    }

    /// The case key, if `pin` is the one it was locked with.
    pub async fn unlock(lock: &PinLock, pin: &str) -> Result<CaseKey, VaultError> {
        if lock.iterations < MIN_ITERATIONS {
            return Err(VaultError::Damaged("too few PBKDF2 rounds".into()));
        }
        let salt = unbase64("salt", &lock.salt)?;
        let iv = unbase64("iv", &lock.iv)?;
        let wrapped = unbase64("wrapped", &lock.wrapped)?;
        let unwrapping = pin_key(pin, &salt, lock.iterations).await?;
        let key = call(
            "unwrapKey",
            &[
                "raw".into(),
                bytes(&wrapped),
                unwrapping,
                gcm_params(&iv, &[]),
                aes_gcm(),
                true.into(),
                usages(&["encrypt", "decrypt"]),
            ],
        )
        .await
        // AES-GCM's tag fails: the PIN is wrong (or the lock was changed, which looks the same).
        .map_err(|_| VaultError::WrongPin)?;
        Ok(CaseKey(key))
    }

    /// `iv ‖ ciphertext`, bound to `aad` (the case ID, so a record cannot be moved to another).
    pub async fn encrypt(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, VaultError> {
        let iv = random::<IV_BYTES>()?;
        let ct = call(
            "encrypt",
            &[gcm_params(&iv, aad), self.0.clone(), bytes(plaintext)],
        )
        .await
        .map_err(unavailable)?;
        let mut out = iv.to_vec();
        out.extend(Uint8Array::new(&ct).to_vec());
        Ok(out)
    }

    pub async fn decrypt(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        if sealed.len() < IV_BYTES + 16 {
            return Err(VaultError::Damaged("cut short".into()));
        }
        let (iv, ct) = sealed.split_at(IV_BYTES);
        let plain = call("decrypt", &[gcm_params(iv, aad), self.0.clone(), bytes(ct)])
            .await
            .map_err(|_| VaultError::Damaged("does not open with this case's key".into()))?;
        Ok(Uint8Array::new(&plain).to_vec())
    }
}

/// Whether a PIN or passphrase is acceptable: 6 digits, or a passphrase of at least 8
/// characters (a 4-digit PIN is guessed in minutes whatever the delays).
pub fn pin_problem(pin: &str) -> Option<PinProblem> {
    let digits = pin.chars().all(|c| c.is_ascii_digit());
    let n = pin.chars().count();
    match (digits, n) {
        (true, 6) => None,
        (true, _) => Some(PinProblem::SixDigits),
        (false, n) if n >= 8 => None,
        (false, _) => Some(PinProblem::PassphraseShort),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinProblem {
    /// Digits only, but not six of them.
    SixDigits,
    /// Not only digits, and under 8 characters.
    PassphraseShort,
}

/// Seconds to wait before the next try after `failures` wrong PINs in a row: the first three are
/// free, then 5 s, 15 s, 30 s, 1 min, doubling to at most 15 min. Nothing is ever erased.
pub fn wait_after(failures: u32) -> u32 {
    match failures {
        0..=2 => 0,
        3 => 5,
        4 => 15,
        5 => 30,
        n => 60u32.saturating_mul(1 << (n - 6).min(4)).min(900),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    async fn a_case_key_opens_only_with_its_pin_and_its_case_id() {
        let key = CaseKey::generate().await.unwrap();
        let lock = key.lock("482913", MIN_ITERATIONS).await.unwrap();
        let sealed = key.encrypt(b"case-1", b"Marta Diaz").await.unwrap();
        assert!(
            !sealed.windows(5).any(|w| w == b"Marta"),
            "nothing in the clear"
        );

        let again = CaseKey::unlock(&lock, "482913").await.unwrap();
        assert_eq!(
            again.decrypt(b"case-1", &sealed).await.unwrap(),
            b"Marta Diaz"
        );
        assert_eq!(again.raw().await.unwrap(), key.raw().await.unwrap());
        assert_eq!(
            CaseKey::unlock(&lock, "482914").await.unwrap_err(),
            VaultError::WrongPin
        );
        assert!(matches!(
            again.decrypt(b"case-2", &sealed).await,
            Err(VaultError::Damaged(_))
        ));
        let mut changed = sealed.clone();
        changed[20] ^= 1;
        assert!(matches!(
            again.decrypt(b"case-1", &changed).await,
            Err(VaultError::Damaged(_))
        ));

        // Two locks of one key share nothing: their salts and IVs are fresh.
        let other = key.lock("482913", MIN_ITERATIONS).await.unwrap();
        assert_ne!(
            (&lock.salt, &lock.iv, &lock.wrapped),
            (&other.salt, &other.iv, &other.wrapped)
        );
        let weak = PinLock {
            iterations: 1,
            ..lock.clone()
        };
        assert!(matches!(
            CaseKey::unlock(&weak, "482913").await,
            Err(VaultError::Damaged(_))
        ));

        // A key given back by the organisation works like the original.
        let back = CaseKey::from_raw(&key.raw().await.unwrap()).await.unwrap();
        assert_eq!(
            back.decrypt(b"case-1", &sealed).await.unwrap(),
            b"Marta Diaz"
        );
    }

    #[test]
    fn pins_are_six_digits_or_a_passphrase() {
        assert_eq!(pin_problem("123456"), None);
        assert_eq!(pin_problem("1234"), Some(PinProblem::SixDigits));
        assert_eq!(pin_problem("1234567"), Some(PinProblem::SixDigits));
        assert_eq!(pin_problem("casa azul"), None);
        assert_eq!(pin_problem("casa"), Some(PinProblem::PassphraseShort));
        assert_eq!(pin_problem("ñandú-ñu"), None, "characters, not bytes");
    }

    #[test]
    fn waits_grow_and_stop_growing() {
        let waits: Vec<u32> = (0..14).map(wait_after).collect();
        assert_eq!(
            waits,
            [0, 0, 0, 5, 15, 30, 60, 120, 240, 480, 900, 900, 900, 900]
        );
        assert_eq!(wait_after(u32::MAX), 900);
    }
}
