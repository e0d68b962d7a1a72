//! Cases sealed for the organisation: HPKE (RFC 9180, base mode) with DHKEM(X25519, HKDF-SHA256),
//! HKDF-SHA256 and ChaCha20-Poly1305. A device seals a case's JSON to the organisation's current
//! public key; only the server, which holds the private keys, can open it. The case ID is the
//! associated data, so a sealed body cannot be replayed under another case's ID.
//!
//! The caller brings 32 random bytes for each seal (the browser's `crypto.getRandomValues`, the
//! simulator's seeded generator), so this crate reads no randomness of its own.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20::rand_core::SeedableRng;
use chacha20::ChaCha20Rng;
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};
use serde::{Deserialize, Serialize};

use crate::{CaseId, PhotoId};

type Kem = X25519HkdfSha256;
type Aead = ChaCha20Poly1305;
type Kdf = HkdfSha256;

/// The suite's name, as the keys endpoint and stored keys carry it.
pub const SUITE: &str = "DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305";

/// Binds a seal to its purpose, so a sealed case is never mistaken for anything else.
const INFO: &[u8] = b"resguardo case v1";
/// The same for a document photo: its bytes travel sealed over tus.
const PHOTO_INFO: &[u8] = b"resguardo photo v1";
/// The same for a locked case's key, kept on a shared tablet for when its family forgets the
/// PIN: opened only for a signed-in staff member, and never mistaken for a case (or a case for
/// it, so the recovery endpoint cannot be made to open a sealed case).
const CASE_KEY_INFO: &[u8] = b"resguardo case key v1";

/// What binds a sealed photo to its place: its case and its own ID.
fn photo_aad(case_id: CaseId, photo_id: PhotoId) -> Vec<u8> {
    format!("{case_id}/{photo_id}").into_bytes()
}

/// A document photo sealed for the organisation. The bytes that travel (and that the whole-file
/// SHA-256 and the tus offsets count) are `ciphertext`; the key ID and the encapsulated key go in
/// the upload's metadata (`sealed_key`, `sealed_enc`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedPhoto {
    pub key_id: String,
    /// The encapsulated key (base64url, no padding).
    pub enc: String,
    pub ciphertext: Vec<u8>,
}

/// A case body as it travels sealed: `PUT /api/v1/cases/{case_id}` with `{"sealed": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Sealed {
    /// Which of the organisation's keys it is sealed to.
    pub key_id: String,
    /// The encapsulated key (base64url, no padding).
    pub enc: String,
    /// The sealed case JSON with its tag (base64url, no padding).
    pub ciphertext: String,
}

/// The body of a sealed `PUT`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SealedBody {
    pub sealed: Sealed,
}

/// One of the organisation's public keys, as devices receive it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicKey {
    pub key_id: String,
    /// The X25519 public key (base64url, no padding).
    pub public_key: String,
    pub suite: String,
}

/// `GET /api/v1/keys`: the key to seal to now, and every key the server still opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SealingKeys {
    pub current: String,
    pub keys: Vec<PublicKey>,
}

impl SealingKeys {
    /// The key to seal to.
    pub fn current(&self) -> Option<&PublicKey> {
        self.keys.iter().find(|k| k.key_id == self.current)
    }
}

/// A private key: kept by the server only.
pub struct PrivateKey {
    pub key_id: String,
    key: <Kem as hpke::Kem>::PrivateKey,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("not base64url: {0}")]
    Encoding(&'static str),
    #[error("not an X25519 key or encapsulation")]
    Key,
    #[error("sealed to another case, altered, or not for this key")]
    Open,
    #[error("could not seal")]
    Seal,
}

fn decode(field: &'static str, text: &str) -> Result<Vec<u8>, SealError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| SealError::Encoding(field))
}

/// A key pair from 32 random bytes (the server's, from the OS).
pub fn key_pair(key_id: &str, ikm: &[u8; 32]) -> (PrivateKey, PublicKey) {
    let (private, public) = Kem::derive_keypair(ikm);
    (
        PrivateKey {
            key_id: key_id.to_owned(),
            key: private,
        },
        PublicKey {
            key_id: key_id.to_owned(),
            public_key: URL_SAFE_NO_PAD.encode(public.to_bytes()),
            suite: SUITE.to_owned(),
        },
    )
}

impl PrivateKey {
    /// A private key as stored (base64url of its 32 bytes).
    pub fn from_stored(key_id: &str, stored: &str) -> Result<PrivateKey, SealError> {
        let bytes = decode("private_key", stored)?;
        let key = <Kem as hpke::Kem>::PrivateKey::from_bytes(&bytes).map_err(|_| SealError::Key)?;
        Ok(PrivateKey {
            key_id: key_id.to_owned(),
            key,
        })
    }

    pub fn to_stored(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.to_bytes())
    }

    pub fn public(&self) -> PublicKey {
        let public = Kem::sk_to_pk(&self.key);
        PublicKey {
            key_id: self.key_id.clone(),
            public_key: URL_SAFE_NO_PAD.encode(public.to_bytes()),
            suite: SUITE.to_owned(),
        }
    }

    /// Opens a case sealed to this key for `case_id`.
    pub fn open(&self, case_id: CaseId, sealed: &Sealed) -> Result<Vec<u8>, SealError> {
        self.open_with_info(INFO, case_id, sealed)
    }

    /// Opens a locked case's key sealed with [`seal_case_key`] for `case_id`.
    pub fn open_case_key(&self, case_id: CaseId, sealed: &Sealed) -> Result<Vec<u8>, SealError> {
        self.open_with_info(CASE_KEY_INFO, case_id, sealed)
    }

    fn open_with_info(
        &self,
        info: &[u8],
        case_id: CaseId,
        sealed: &Sealed,
    ) -> Result<Vec<u8>, SealError> {
        let enc = decode("enc", &sealed.enc)?;
        let ciphertext = decode("ciphertext", &sealed.ciphertext)?;
        let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&enc).map_err(|_| SealError::Key)?;
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &OpModeR::Base,
            &self.key,
            &enc,
            info,
            &ciphertext,
            case_id.to_string().as_bytes(),
        )
        .map_err(|_| SealError::Open)
    }

    /// Opens a photo sealed to this key for `case_id`/`photo_id`; `enc` as the metadata
    /// carried it.
    pub fn open_photo(
        &self,
        case_id: CaseId,
        photo_id: PhotoId,
        enc: &str,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, SealError> {
        let enc = decode("enc", enc)?;
        let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&enc).map_err(|_| SealError::Key)?;
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &OpModeR::Base,
            &self.key,
            &enc,
            PHOTO_INFO,
            ciphertext,
            &photo_aad(case_id, photo_id),
        )
        .map_err(|_| SealError::Open)
    }
}

/// Seals a locked case's key for the organisation, for a staff member to open if the family
/// forgets the PIN; `seed` is 32 fresh random bytes.
pub fn seal_case_key(
    key: &PublicKey,
    case_id: CaseId,
    case_key: &[u8],
    seed: [u8; 32],
) -> Result<Sealed, SealError> {
    seal_with_info(key, CASE_KEY_INFO, case_id, case_key, seed)
}

fn seal_with_info(
    key: &PublicKey,
    info: &[u8],
    case_id: CaseId,
    plaintext: &[u8],
    seed: [u8; 32],
) -> Result<Sealed, SealError> {
    let public = decode("public_key", &key.public_key)?;
    let public = <Kem as hpke::Kem>::PublicKey::from_bytes(&public).map_err(|_| SealError::Key)?;
    let mut rng = ChaCha20Rng::from_seed(seed);
    let (enc, ciphertext) = hpke::single_shot_seal_with_rng::<Aead, Kdf, Kem>(
        &OpModeS::Base,
        &public,
        info,
        plaintext,
        case_id.to_string().as_bytes(),
        &mut rng,
    )
    .map_err(|_| SealError::Seal)?;
    Ok(Sealed {
        key_id: key.key_id.clone(),
        enc: URL_SAFE_NO_PAD.encode(enc.to_bytes()),
        ciphertext: URL_SAFE_NO_PAD.encode(ciphertext),
    })
}

/// Seals a document photo's bytes for `case_id`/`photo_id` to `key`; `seed` is 32 fresh random
/// bytes.
pub fn seal_photo(
    key: &PublicKey,
    case_id: CaseId,
    photo_id: PhotoId,
    bytes: &[u8],
    seed: [u8; 32],
) -> Result<SealedPhoto, SealError> {
    let public = decode("public_key", &key.public_key)?;
    let public = <Kem as hpke::Kem>::PublicKey::from_bytes(&public).map_err(|_| SealError::Key)?;
    let mut rng = ChaCha20Rng::from_seed(seed);
    let (enc, ciphertext) = hpke::single_shot_seal_with_rng::<Aead, Kdf, Kem>(
        &OpModeS::Base,
        &public,
        PHOTO_INFO,
        bytes,
        &photo_aad(case_id, photo_id),
        &mut rng,
    )
    .map_err(|_| SealError::Seal)?;
    Ok(SealedPhoto {
        key_id: key.key_id.clone(),
        enc: URL_SAFE_NO_PAD.encode(enc.to_bytes()),
        ciphertext,
    })
}

/// Seals `plaintext` (a case's JSON) for `case_id` to `key`; `seed` is 32 fresh random bytes.
pub fn seal(
    key: &PublicKey,
    case_id: CaseId,
    plaintext: &[u8],
    seed: [u8; 32],
) -> Result<Sealed, SealError> {
    seal_with_info(key, INFO, case_id, plaintext, seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> CaseId {
        "0b7c3f0e-9a55-4c7e-8d1f-2f7a1d9e4b10".parse().unwrap()
    }

    #[test]
    fn a_sealed_case_opens_with_its_key_only_for_its_case() {
        let (private, public) = key_pair("k1", &[7; 32]);
        let sealed = seal(&public, case(), b"{\"answers\":{}}", [1; 32]).unwrap();
        assert_eq!(sealed.key_id, "k1");
        assert_eq!(private.open(case(), &sealed).unwrap(), b"{\"answers\":{}}");
        // Another case's ID, another key, an altered byte: all refused.
        let other: CaseId = "5d1e0c8a-2b7f-4a61-9c3e-8f0d2a6b1c47".parse().unwrap();
        assert_eq!(private.open(other, &sealed), Err(SealError::Open));
        let (stranger, _) = key_pair("k2", &[8; 32]);
        assert_eq!(stranger.open(case(), &sealed), Err(SealError::Open));
        let mut bytes = URL_SAFE_NO_PAD.decode(&sealed.ciphertext).unwrap();
        bytes[3] ^= 1;
        let altered = Sealed {
            ciphertext: URL_SAFE_NO_PAD.encode(bytes),
            ..sealed.clone()
        };
        assert_eq!(private.open(case(), &altered), Err(SealError::Open));
        let garbled = Sealed {
            enc: "not base64!".into(),
            ..sealed
        };
        assert_eq!(
            private.open(case(), &garbled),
            Err(SealError::Encoding("enc"))
        );
    }

    #[test]
    fn a_sealed_photo_opens_only_as_that_photo_of_that_case() {
        let (private, public) = key_pair("k1", &[7; 32]);
        let photo: PhotoId = "9f0e8d7c-6b5a-4938-8271-605f4e3d2c1b".parse().unwrap();
        let other: PhotoId = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d".parse().unwrap();
        let bytes = vec![0xff, 0xd8, 0xff, 0xe0, 1, 2, 3];
        let sealed = seal_photo(&public, case(), photo, &bytes, [4; 32]).unwrap();
        assert_eq!(sealed.ciphertext.len(), bytes.len() + 16, "the tag only");
        assert_ne!(&sealed.ciphertext[..bytes.len()], &bytes[..]);
        let open = |c, p, ct: &[u8]| private.open_photo(c, p, &sealed.enc, ct);
        assert_eq!(open(case(), photo, &sealed.ciphertext).unwrap(), bytes);
        assert_eq!(
            open(case(), other, &sealed.ciphertext),
            Err(SealError::Open)
        );
        let other_case: CaseId = "5d1e0c8a-2b7f-4a61-9c3e-8f0d2a6b1c47".parse().unwrap();
        assert_eq!(
            open(other_case, photo, &sealed.ciphertext),
            Err(SealError::Open)
        );
        let mut altered = sealed.ciphertext.clone();
        altered[0] ^= 1;
        assert_eq!(open(case(), photo, &altered), Err(SealError::Open));
        // A case seal is not a photo seal, and back.
        let as_case = Sealed {
            key_id: "k1".into(),
            enc: sealed.enc.clone(),
            ciphertext: URL_SAFE_NO_PAD.encode(&sealed.ciphertext),
        };
        assert_eq!(private.open(case(), &as_case), Err(SealError::Open));
    }

    #[test]
    fn a_sealed_case_key_is_not_a_sealed_case() {
        let (private, public) = key_pair("k1", &[7; 32]);
        let key = seal_case_key(&public, case(), &[5; 32], [6; 32]).unwrap();
        assert_eq!(private.open_case_key(case(), &key).unwrap(), vec![5; 32]);
        assert_eq!(private.open(case(), &key), Err(SealError::Open));
        let sealed_case = seal(&public, case(), b"{}", [6; 32]).unwrap();
        assert_eq!(
            private.open_case_key(case(), &sealed_case),
            Err(SealError::Open),
            "a sealed case cannot be opened as a case key"
        );
    }

    #[test]
    fn keys_survive_being_stored_and_seeds_make_seals_replay() {
        let (private, public) = key_pair("k1", &[9; 32]);
        let again = PrivateKey::from_stored("k1", &private.to_stored()).unwrap();
        assert_eq!(again.public(), public);
        let a = seal(&public, case(), b"x", [2; 32]).unwrap();
        let b = seal(&public, case(), b"x", [2; 32]).unwrap();
        let c = seal(&public, case(), b"x", [3; 32]).unwrap();
        assert_eq!(
            a, b,
            "the same seed seals the same way (the simulator replays)"
        );
        assert_ne!(a.enc, c.enc, "a fresh seed, a fresh encapsulation");
        assert_eq!(again.open(case(), &c).unwrap(), b"x");
    }
}
