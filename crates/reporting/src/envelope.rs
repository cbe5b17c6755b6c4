//! Encryption at rest for reports: envelope encryption with
//! XChaCha20-Poly1305.
//!
//! - Each report has its own [`ReportKey`]; the report's text, attachments
//!   and messages are [`Sealed`] under it.
//! - The report key is stored only [wrapped](Kek::wrap) under the tenant's
//!   key-encryption key, which is [derived](Kek::for_tenant) from the
//!   installation's [`Kek`]. The installation key comes from a secret file,
//!   never the database, so a copy of the database alone opens nothing.
//! - Rotating the installation key means [`rewrap`]ping every stored report
//!   key (77 bytes each); the sealed content is untouched.
//!
//! Nonces are 24 random bytes per encryption: XChaCha20's nonce is long
//! enough that random nonces never collide in practice, so no counter has to
//! be kept consistent across servers.
//!
//! Associated data: every call takes `aad`, bytes that are authenticated but
//! not stored. Pass what the ciphertext belongs to (for example
//! `tenant id || report id || "report-text"`), so a ciphertext or a wrapped
//! key moved to another row or tenant fails to open instead of showing the
//! wrong content. The same `aad` must be given to open.
//!
//! Byte formats (version 1):
//!
//! - [`Sealed`]: `0x01 || nonce (24) || ciphertext || tag (16)`
//! - [`WrappedKey`]: `0x01 || KEK id (4) || nonce (24) || wrapped key (32) || tag (16)`,
//!   77 bytes
//!
//! The version byte and the KEK id are part of the authenticated data, so
//! editing them breaks the tag.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{RandomnessUnavailable, hkdf_sha256_32, random_array};

const VERSION: u8 = 1;
const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const KEK_ID_LEN: usize = 4;
/// Length of [`WrappedKey::to_bytes`].
pub const WRAPPED_KEY_LEN: usize = 1 + KEK_ID_LEN + NONCE_LEN + KEY_LEN + TAG_LEN;
/// Shortest valid [`Sealed::to_bytes`] (an empty plaintext).
pub const MIN_SEALED_LEN: usize = 1 + NONCE_LEN + TAG_LEN;
/// HKDF salt labelling tenant key derivation, so the same master key used
/// for anything else (it should not be) could never give the same keys.
const TENANT_KEK_LABEL: &[u8] = b"adal-reporting/tenant-kek/v1";

/// Why a key could not be loaded or a ciphertext could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The key file is empty (or only whitespace).
    #[error("the key-encryption key file is empty; generate one with `openssl rand -hex 32`")]
    KekEmpty,
    /// The key file's content is neither 64 hex characters nor base64.
    #[error(
        "a key-encryption key file holds 64 hex characters or the base64 of 32 bytes \
         (e.g. `openssl rand -hex 32`); this one holds {found_chars} characters and is neither"
    )]
    KekFormat {
        /// Characters after trimming.
        found_chars: usize,
    },
    /// The key file's base64 decodes to the wrong number of bytes.
    #[error("a key-encryption key is 32 bytes; the file's base64 decodes to {found_bytes}")]
    KekLength {
        /// Bytes decoded.
        found_bytes: usize,
    },
    /// The key is all zero bytes, a placeholder rather than a key.
    #[error("the key-encryption key is all zeros; generate one with `openssl rand -hex 32`")]
    KekAllZero,
    /// The wrapped key names another key-encryption key.
    #[error("this report key was wrapped under key-encryption key {wrapped_under}, not {offered}")]
    WrongKek {
        /// The id stored with the wrapped key.
        wrapped_under: KekId,
        /// The id of the key offered to unwrap it.
        offered: KekId,
    },
    /// Bytes that are not a sealed value or a wrapped key of a known version.
    #[error("not a sealed value or wrapped key this version can read: {0}")]
    Format(&'static str),
    /// The tag did not verify: wrong key, wrong associated data, or the
    /// bytes were altered. AEAD cannot tell these apart, by design.
    #[error("decryption failed: wrong key, wrong associated data, or altered bytes")]
    Decrypt,
    /// The cipher refused to encrypt (input beyond its 256 GiB limit).
    #[error("encryption failed: input too long")]
    Encrypt,
    /// No randomness for a key or nonce.
    #[error(transparent)]
    Randomness(#[from] RandomnessUnavailable),
}

/// Names a key-encryption key: the first 4 bytes (8 hex characters) of
/// SHA-256 over the installation key's 32 raw bytes, so an operator can
/// compute it (`xxd -r -p kek.hex | sha256sum | cut -c1-8`) and stored
/// wrapped keys say which configured key opens them.
///
/// Keys derived with [`Kek::for_tenant`] carry their master's id: the id
/// answers "which configured key", and the tenant is known from the record.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KekId([u8; KEK_ID_LEN]);

impl KekId {
    /// The 4 raw bytes.
    pub fn as_bytes(&self) -> &[u8; KEK_ID_LEN] {
        &self.0
    }
}

impl fmt::Display for KekId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for KekId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KekId({self})")
    }
}

/// A key-encryption key: the installation's, or one derived from it for a
/// tenant. Zeroed on drop; `Debug` shows only its id.
#[derive(Clone)]
pub struct Kek {
    key: Zeroizing<[u8; KEY_LEN]>,
    id: KekId,
}

impl fmt::Debug for Kek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kek")
            .field("id", &self.id)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl Kek {
    /// An installation key from its raw bytes.
    pub fn from_bytes(key: [u8; KEY_LEN]) -> Result<Self, EnvelopeError> {
        let key = Zeroizing::new(key);
        if key.iter().all(|&b| b == 0) {
            return Err(EnvelopeError::KekAllZero);
        }
        let digest = Sha256::digest(key.as_slice());
        let mut id = [0u8; KEK_ID_LEN];
        id.copy_from_slice(&digest[..KEK_ID_LEN]);
        Ok(Self { key, id: KekId(id) })
    }

    /// An installation key from the content of its secret file (`*_FILE`):
    /// 64 hex characters, or the base64 (standard or URL-safe, padded or
    /// not) of 32 bytes, with surrounding whitespace ignored. Errors never
    /// quote the content.
    pub fn from_file_contents(contents: &str) -> Result<Self, EnvelopeError> {
        let text = contents.trim();
        if text.is_empty() {
            return Err(EnvelopeError::KekEmpty);
        }
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        if text.bytes().all(|b| b.is_ascii_hexdigit()) {
            // Hex of the wrong length would often decode as base64 too and
            // then be reported as a base64 length; say what it is instead.
            if text.len() != 2 * KEY_LEN {
                return Err(EnvelopeError::KekFormat {
                    found_chars: text.len(),
                });
            }
            hex::decode_to_slice(text, key.as_mut_slice()).map_err(|_| {
                EnvelopeError::KekFormat {
                    found_chars: text.chars().count(),
                }
            })?;
            return Self::from_bytes(*key);
        }
        let decoded = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(text).ok())
            .map(Zeroizing::new)
            .ok_or(EnvelopeError::KekFormat {
                found_chars: text.chars().count(),
            })?;
        if decoded.len() != KEY_LEN {
            return Err(EnvelopeError::KekLength {
                found_bytes: decoded.len(),
            });
        }
        key.copy_from_slice(&decoded);
        Self::from_bytes(*key)
    }

    /// Which configured key this is (or was derived from).
    pub fn id(&self) -> KekId {
        self.id
    }

    /// The tenant's own key-encryption key, derived with HKDF-SHA256 from
    /// this one and the tenant's id (pass a UUID's 16 bytes,
    /// `uuid.as_bytes()`). Report keys of different tenants are thus
    /// wrapped under different keys, and nothing per tenant is stored.
    pub fn for_tenant(&self, tenant: &[u8]) -> Kek {
        Kek {
            key: hkdf_sha256_32(TENANT_KEK_LABEL, self.key.as_slice(), tenant),
            id: self.id,
        }
    }

    /// A 32-byte secret for another purpose (a signing key's seed), derived
    /// with HKDF-SHA256 from this key under `label` (which names the
    /// purpose, so no two purposes share a secret) and `context`.
    pub fn derive_secret(&self, label: &[u8], context: &[u8]) -> Zeroizing<[u8; 32]> {
        hkdf_sha256_32(label, self.key.as_slice(), context)
    }

    /// Encrypts a report key under this key for storage.
    pub fn wrap(&self, key: &ReportKey, aad: &[u8]) -> Result<WrappedKey, EnvelopeError> {
        let nonce: [u8; NONCE_LEN] = random_array()?;
        let ciphertext = cipher(&self.key)
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: key.key.as_slice(),
                    aad: &wrap_aad(self.id, aad),
                },
            )
            .map_err(|_| EnvelopeError::Encrypt)?;
        let ciphertext = <[u8; KEY_LEN + TAG_LEN]>::try_from(ciphertext.as_slice())
            .map_err(|_| EnvelopeError::Encrypt)?;
        Ok(WrappedKey {
            kek_id: self.id,
            nonce,
            ciphertext,
        })
    }

    /// Decrypts a wrapped report key. Fails with [`EnvelopeError::WrongKek`]
    /// when the wrapped key names another key-encryption key, and with
    /// [`EnvelopeError::Decrypt`] on a wrong tenant, wrong `aad` or altered
    /// bytes.
    pub fn unwrap(&self, wrapped: &WrappedKey, aad: &[u8]) -> Result<ReportKey, EnvelopeError> {
        if wrapped.kek_id != self.id {
            return Err(EnvelopeError::WrongKek {
                wrapped_under: wrapped.kek_id,
                offered: self.id,
            });
        }
        let plain = cipher(&self.key)
            .decrypt(
                &XNonce::from(wrapped.nonce),
                Payload {
                    msg: &wrapped.ciphertext,
                    aad: &wrap_aad(wrapped.kek_id, aad),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| EnvelopeError::Decrypt)?;
        let key = <[u8; KEY_LEN]>::try_from(plain.as_slice())
            .map_err(|_| EnvelopeError::Format("the wrapped key is not 32 bytes"))?;
        Ok(ReportKey {
            key: Zeroizing::new(key),
        })
    }
}

/// Moves a wrapped report key from one key-encryption key to another, for
/// rotation: unwrap under `old`, wrap under `new` with the same `aad`. With
/// tenant keys, pass `old.for_tenant(t)` and `new.for_tenant(t)`.
pub fn rewrap(
    old: &Kek,
    new: &Kek,
    wrapped: &WrappedKey,
    aad: &[u8],
) -> Result<WrappedKey, EnvelopeError> {
    new.wrap(&old.unwrap(wrapped, aad)?, aad)
}

/// The key a single report's content is sealed under. Zeroed on drop;
/// `Debug` redacts it. It has no byte export: it leaves this type only
/// wrapped.
#[derive(Clone)]
pub struct ReportKey {
    key: Zeroizing<[u8; KEY_LEN]>,
}

impl fmt::Debug for ReportKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReportKey(<redacted>)")
    }
}

impl ReportKey {
    /// A new random key from the OS random number generator.
    pub fn generate() -> Result<Self, RandomnessUnavailable> {
        Ok(Self {
            key: Zeroizing::new(random_array()?),
        })
    }

    /// Encrypts `plaintext`, binding `aad`.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Sealed, EnvelopeError> {
        let nonce: [u8; NONCE_LEN] = random_array()?;
        let ciphertext = cipher(&self.key)
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: &sealed_aad(aad),
                },
            )
            .map_err(|_| EnvelopeError::Encrypt)?;
        Ok(Sealed { nonce, ciphertext })
    }

    /// Decrypts what [`seal`](Self::seal) produced with the same `aad`.
    pub fn open(&self, sealed: &Sealed, aad: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
        cipher(&self.key)
            .decrypt(
                &XNonce::from(sealed.nonce),
                Payload {
                    msg: &sealed.ciphertext,
                    aad: &sealed_aad(aad),
                },
            )
            .map_err(|_| EnvelopeError::Decrypt)
    }
}

/// Encrypted content with its nonce.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    nonce: [u8; NONCE_LEN],
    /// Ciphertext followed by the 16-byte tag.
    ciphertext: Vec<u8>,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sealed({} bytes)", self.ciphertext.len())
    }
}

impl Sealed {
    /// `0x01 || nonce || ciphertext || tag`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + NONCE_LEN + self.ciphertext.len());
        out.push(VERSION);
        out.extend_from_slice(&self.nonce);
        out.extend_from_slice(&self.ciphertext);
        out
    }

    /// Reads [`to_bytes`](Self::to_bytes)' output. Checks only the shape;
    /// authenticity is checked by [`ReportKey::open`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        let (&version, rest) = bytes.split_first().ok_or(EnvelopeError::Format("empty"))?;
        if version != VERSION {
            return Err(EnvelopeError::Format("unknown version byte"));
        }
        if bytes.len() < MIN_SEALED_LEN {
            return Err(EnvelopeError::Format("too short for a nonce and a tag"));
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = <[u8; NONCE_LEN]>::try_from(nonce)
            .map_err(|_| EnvelopeError::Format("too short for a nonce and a tag"))?;
        Ok(Self {
            nonce,
            ciphertext: ciphertext.to_vec(),
        })
    }
}

/// A report key encrypted under a key-encryption key, with that key's id.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKey {
    kek_id: KekId,
    nonce: [u8; NONCE_LEN],
    ciphertext: [u8; KEY_LEN + TAG_LEN],
}

impl fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrappedKey")
            .field("kek_id", &self.kek_id)
            .finish_non_exhaustive()
    }
}

impl WrappedKey {
    /// The key-encryption key it was wrapped under, for rotation ("rewrap
    /// everything not under the current id").
    pub fn kek_id(&self) -> KekId {
        self.kek_id
    }

    /// `0x01 || KEK id || nonce || wrapped key || tag`, [`WRAPPED_KEY_LEN`]
    /// bytes.
    pub fn to_bytes(&self) -> [u8; WRAPPED_KEY_LEN] {
        let mut out = [0u8; WRAPPED_KEY_LEN];
        out[0] = VERSION;
        out[1..1 + KEK_ID_LEN].copy_from_slice(&self.kek_id.0);
        out[1 + KEK_ID_LEN..1 + KEK_ID_LEN + NONCE_LEN].copy_from_slice(&self.nonce);
        out[1 + KEK_ID_LEN + NONCE_LEN..].copy_from_slice(&self.ciphertext);
        out
    }

    /// Reads [`to_bytes`](Self::to_bytes)' output.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        let bytes = <&[u8; WRAPPED_KEY_LEN]>::try_from(bytes)
            .map_err(|_| EnvelopeError::Format("a wrapped key is 77 bytes"))?;
        if bytes[0] != VERSION {
            return Err(EnvelopeError::Format("unknown version byte"));
        }
        let mut kek_id = [0u8; KEK_ID_LEN];
        let mut nonce = [0u8; NONCE_LEN];
        let mut ciphertext = [0u8; KEY_LEN + TAG_LEN];
        kek_id.copy_from_slice(&bytes[1..1 + KEK_ID_LEN]);
        nonce.copy_from_slice(&bytes[1 + KEK_ID_LEN..1 + KEK_ID_LEN + NONCE_LEN]);
        ciphertext.copy_from_slice(&bytes[1 + KEK_ID_LEN + NONCE_LEN..]);
        Ok(Self {
            kek_id: KekId(kek_id),
            nonce,
            ciphertext,
        })
    }
}

fn cipher(key: &[u8; KEY_LEN]) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(&Key::from(*key))
}

/// Authenticated data of a seal: the version, then the caller's bytes. The
/// version's fixed length keeps the concatenation unambiguous.
fn sealed_aad(aad: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + aad.len());
    out.push(VERSION);
    out.extend_from_slice(aad);
    out
}

/// Authenticated data of a wrap: version and KEK id (fixed length), then
/// the caller's bytes.
fn wrap_aad(kek_id: KekId, aad: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + KEK_ID_LEN + aad.len());
    out.push(VERSION);
    out.extend_from_slice(&kek_id.0);
    out.extend_from_slice(aad);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEK_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const TENANT_A: [u8; 16] = [0xaa; 16];
    const TENANT_B: [u8; 16] = [0xbb; 16];
    const AAD: &[u8] = b"tenant-a/report-1/text";

    fn kek() -> Kek {
        Kek::from_file_contents(KEK_HEX).unwrap()
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn kek_files_in_hex_and_base64_give_the_same_key() {
        let bytes = hex::decode(KEK_HEX).unwrap();
        let from_hex = kek();
        for contents in [
            format!("  {KEK_HEX}\n"),
            KEK_HEX.to_uppercase(),
            STANDARD.encode(&bytes),
            format!("{}\n", STANDARD.encode(&bytes)),
            STANDARD_NO_PAD.encode(&bytes),
            URL_SAFE.encode(&bytes),
        ] {
            let loaded = Kek::from_file_contents(&contents).unwrap();
            assert_eq!(loaded.id(), from_hex.id(), "{contents:?}");
            assert_eq!(*loaded.key, *from_hex.key);
        }
    }

    #[test]
    fn kek_id_is_the_start_of_sha256_of_the_key() {
        // `xxd -r -p <<< 000102...1f | sha256sum`
        assert_eq!(kek().id().to_string(), "630dcd29");
        assert_eq!(format!("{:?}", kek().id()), "KekId(630dcd29)");
    }

    #[test]
    fn bad_kek_files_say_what_is_wrong_without_quoting_them() {
        let err = Kek::from_file_contents("not a key at all!").unwrap_err();
        assert_eq!(err, EnvelopeError::KekFormat { found_chars: 17 });
        assert!(!err.to_string().contains("not a key"));
        assert_eq!(
            Kek::from_file_contents(&KEK_HEX[..62]).unwrap_err(),
            EnvelopeError::KekFormat { found_chars: 62 }
        );
        assert_eq!(
            Kek::from_file_contents(&KEK_HEX[..60]).unwrap_err(),
            EnvelopeError::KekFormat { found_chars: 60 }
        );
        assert_eq!(
            Kek::from_file_contents(&STANDARD.encode([1u8; 16])).unwrap_err(),
            EnvelopeError::KekLength { found_bytes: 16 }
        );
        assert_eq!(
            Kek::from_file_contents(" \n").unwrap_err(),
            EnvelopeError::KekEmpty
        );
        assert_eq!(
            Kek::from_file_contents(&"0".repeat(64)).unwrap_err(),
            EnvelopeError::KekAllZero
        );
    }

    #[test]
    fn debug_redacts_keys() {
        let key = ReportKey::generate().unwrap();
        let shown = format!("{:?} {:?}", kek(), key);
        assert!(shown.contains("redacted"));
        assert!(!shown.contains("0, 1, 2"));
        assert!(!shown.contains("000102"));
    }

    #[test]
    fn seal_and_open_round_trip_through_bytes() {
        let key = ReportKey::generate().unwrap();
        let text = "Бастық тендер үшін пара алды — директор взял взятку".as_bytes();
        let sealed = key.seal(text, AAD).unwrap();
        let bytes = sealed.to_bytes();
        assert_eq!(bytes[0], 1);
        assert_eq!(bytes.len(), 1 + 24 + text.len() + 16);
        let back = Sealed::from_bytes(&bytes).unwrap();
        assert_eq!(back, sealed);
        assert_eq!(key.open(&back, AAD).unwrap(), text);
        // Empty content works too.
        let empty = key.seal(b"", AAD).unwrap();
        assert_eq!(
            key.open(&Sealed::from_bytes(&empty.to_bytes()).unwrap(), AAD)
                .unwrap(),
            b""
        );
    }

    #[test]
    fn ciphertext_does_not_contain_the_plaintext_and_nonces_differ() {
        let key = ReportKey::generate().unwrap();
        let marker = b"UNIQUE-MARKER-7f3a9c UNIQUE-MARKER-7f3a9c";
        let a = key.seal(marker, AAD).unwrap().to_bytes();
        let b = key.seal(marker, AAD).unwrap().to_bytes();
        assert!(!contains(&a, b"UNIQUE-MARKER"));
        assert!(!contains(&a, b"7f3a9c"));
        assert_ne!(a, b, "the same plaintext must not seal to the same bytes");
    }

    #[test]
    fn opening_fails_with_another_key_aad_or_any_altered_byte() {
        let key = ReportKey::generate().unwrap();
        let sealed = key.seal(b"what happened", AAD).unwrap();
        let other = ReportKey::generate().unwrap();
        assert_eq!(other.open(&sealed, AAD), Err(EnvelopeError::Decrypt));
        assert_eq!(
            key.open(&sealed, b"tenant-a/report-2/text"),
            Err(EnvelopeError::Decrypt)
        );
        let bytes = sealed.to_bytes();
        for index in 1..bytes.len() {
            let mut altered = bytes.clone();
            altered[index] ^= 0x01;
            let altered = Sealed::from_bytes(&altered).unwrap();
            assert_eq!(
                key.open(&altered, AAD),
                Err(EnvelopeError::Decrypt),
                "byte {index}"
            );
        }
    }

    #[test]
    fn sealed_bytes_of_the_wrong_shape_are_refused() {
        assert!(matches!(
            Sealed::from_bytes(&[]),
            Err(EnvelopeError::Format(_))
        ));
        assert!(matches!(
            Sealed::from_bytes(&[1; MIN_SEALED_LEN - 1]),
            Err(EnvelopeError::Format(_))
        ));
        assert!(matches!(
            Sealed::from_bytes(&[2; MIN_SEALED_LEN]),
            Err(EnvelopeError::Format(_))
        ));
        assert!(Sealed::from_bytes(&[1; MIN_SEALED_LEN]).is_ok());
    }

    #[test]
    fn wrap_and_unwrap_round_trip_through_bytes() {
        let tenant_kek = kek().for_tenant(&TENANT_A);
        let key = ReportKey::generate().unwrap();
        let wrapped = tenant_kek.wrap(&key, AAD).unwrap();
        let bytes = wrapped.to_bytes();
        assert_eq!(bytes.len(), WRAPPED_KEY_LEN);
        assert_eq!(&bytes[1..5], kek().id().as_bytes());
        assert!(!contains(&bytes, key.key.as_slice()));
        let back = WrappedKey::from_bytes(&bytes).unwrap();
        assert_eq!(back, wrapped);
        assert_eq!(back.kek_id(), kek().id());
        let unwrapped = tenant_kek.unwrap(&back, AAD).unwrap();
        assert_eq!(*unwrapped.key, *key.key);

        let sealed = key.seal(b"report", AAD).unwrap();
        assert_eq!(unwrapped.open(&sealed, AAD).unwrap(), b"report");
    }

    #[test]
    fn tenants_get_different_keys_and_cannot_unwrap_each_others() {
        let a = kek().for_tenant(&TENANT_A);
        let b = kek().for_tenant(&TENANT_B);
        assert_ne!(*a.key, *b.key);
        assert_ne!(*a.key, *kek().key);
        // Deterministic: the same tenant always gets the same key.
        assert_eq!(*a.key, *kek().for_tenant(&TENANT_A).key);
        let wrapped = a.wrap(&ReportKey::generate().unwrap(), AAD).unwrap();
        assert_eq!(b.unwrap(&wrapped, AAD).unwrap_err(), EnvelopeError::Decrypt);
        assert_eq!(
            kek().unwrap(&wrapped, AAD).unwrap_err(),
            EnvelopeError::Decrypt
        );
    }

    #[test]
    fn unwrapping_fails_with_wrong_aad_wrong_kek_or_altered_bytes() {
        let tenant_kek = kek().for_tenant(&TENANT_A);
        let wrapped = tenant_kek
            .wrap(&ReportKey::generate().unwrap(), AAD)
            .unwrap();
        assert_eq!(
            tenant_kek
                .unwrap(&wrapped, b"tenant-a/report-2/text")
                .unwrap_err(),
            EnvelopeError::Decrypt
        );

        let other = Kek::from_bytes([9; 32]).unwrap().for_tenant(&TENANT_A);
        assert_eq!(
            other.unwrap(&wrapped, AAD).unwrap_err(),
            EnvelopeError::WrongKek {
                wrapped_under: kek().id(),
                offered: other.id()
            }
        );

        let bytes = wrapped.to_bytes();
        for index in 0..bytes.len() {
            let mut altered = bytes;
            altered[index] ^= 0x01;
            let result = WrappedKey::from_bytes(&altered).and_then(|w| tenant_kek.unwrap(&w, AAD));
            assert!(result.is_err(), "byte {index}");
        }
        assert!(matches!(
            WrappedKey::from_bytes(&bytes[..76]),
            Err(EnvelopeError::Format(_))
        ));
    }

    #[test]
    fn rewrap_moves_a_key_to_the_new_kek() {
        let old = kek();
        let new = Kek::from_file_contents(&"42".repeat(32)).unwrap();
        assert_ne!(old.id(), new.id());
        let key = ReportKey::generate().unwrap();
        let sealed = key.seal(b"unchanged content", AAD).unwrap();
        let wrapped = old.for_tenant(&TENANT_A).wrap(&key, AAD).unwrap();

        let rewrapped = rewrap(
            &old.for_tenant(&TENANT_A),
            &new.for_tenant(&TENANT_A),
            &wrapped,
            AAD,
        )
        .unwrap();
        assert_eq!(rewrapped.kek_id(), new.id());
        let unwrapped = new.for_tenant(&TENANT_A).unwrap(&rewrapped, AAD).unwrap();
        assert_eq!(unwrapped.open(&sealed, AAD).unwrap(), b"unchanged content");
        assert!(matches!(
            old.for_tenant(&TENANT_A).unwrap(&rewrapped, AAD),
            Err(EnvelopeError::WrongKek { .. })
        ));
        // Rewrapping with the wrong aad changes nothing.
        assert!(rewrap(&old, &new, &wrapped, b"other").is_err());
    }
}
