//! Signed notes (C2SP `signed-note`) and log checkpoints (C2SP
//! `tlog-checkpoint`), with Ed25519 keys.
//!
//! A signed note is text, a blank line, then one line per signature:
//! `— <key name> <base64(key id || signature)>`, where the dash is U+2014
//! and the key id is the first four bytes of
//! `SHA-256(key name || "\n" || 0x01 || public key)`. The signature is
//! Ed25519 over the text, final newline included. A verifier key is
//! written `<name>+<key id as 8 hex digits>+<base64(0x01 || public key)>`.
//!
//! A checkpoint is a note whose text is the log's origin (its unique
//! name), the tree size in decimal and the base64 root hash, one per line.
//! Byte for byte as the Go reference implementation and the transparency
//! ecosystem write them, so their tools verify Adal's checkpoints (a test
//! reproduces the reference example's signature).

use crate::Hash;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The Ed25519 algorithm byte of a key id and a key encoding.
const ED25519: u8 = 0x01;
const DASH: &str = "\u{2014} ";

/// Why a note, key or checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("a key name is non-empty, without spaces, newlines or '+': {0:?}")]
    BadName(String),
    #[error("not a verifier key (name+id+base64 key): {0}")]
    BadKey(String),
    #[error("not a signed note: {0}")]
    Malformed(&'static str),
    #[error("the signature of {0} does not verify")]
    BadSignature(String),
    #[error("no signature by a known key ({0})")]
    Unsigned(String),
    #[error("not a checkpoint: {0}")]
    BadCheckpoint(&'static str),
}

fn check_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty() || name.contains(char::is_whitespace) || name.contains('+') {
        return Err(NoteError::BadName(name.to_owned()));
    }
    Ok(())
}

fn key_id(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ED25519]);
    h.update(key.as_bytes());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// A public key that checks signatures by one named signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    name: String,
    id: [u8; 4],
    key: VerifyingKey,
}

impl Verifier {
    pub fn new(name: &str, key: VerifyingKey) -> Result<Self, NoteError> {
        check_name(name)?;
        Ok(Self {
            id: key_id(name, &key),
            name: name.to_owned(),
            key,
        })
    }

    /// Reads a verifier key, `name+id+base64`, checking that the id is the
    /// key's.
    pub fn parse(vkey: &str) -> Result<Self, NoteError> {
        let bad = || NoteError::BadKey(vkey.to_owned());
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        if id.len() != 8 || id.bytes().any(|b| !matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(bad());
        }
        let raw = STANDARD.decode(key).map_err(|_| bad())?;
        let (&[ED25519], key) = raw.split_at_checked(1).ok_or_else(bad)? else {
            return Err(bad());
        };
        let key: [u8; 32] = key.try_into().map_err(|_| bad())?;
        let key = VerifyingKey::from_bytes(&key).map_err(|_| bad())?;
        let v = Self::new(name, key).map_err(|_| bad())?;
        if hex::encode(v.id) != id {
            return Err(bad());
        }
        Ok(v)
    }

    /// The verifier key as text, `name+id+base64`.
    pub fn to_vkey(&self) -> String {
        let mut raw = vec![ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(self.id),
            STANDARD.encode(raw)
        )
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A private key that signs notes under a name.
pub struct Signer {
    name: String,
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({}, <redacted>)", self.name)
    }
}

impl Signer {
    /// A signer from a 32-byte Ed25519 seed (kept outside the database).
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, NoteError> {
        check_name(name)?;
        Ok(Self {
            name: name.to_owned(),
            key: SigningKey::from_bytes(seed),
        })
    }

    pub fn verifier(&self) -> Verifier {
        let key = self.key.verifying_key();
        Verifier {
            id: key_id(&self.name, &key),
            name: self.name.clone(),
            key,
        }
    }

    /// The signature line of `text` (a note's text, newline-terminated).
    pub fn signature_line(&self, text: &str) -> String {
        let sig = self.key.sign(text.as_bytes());
        let mut raw = key_id(&self.name, &self.key.verifying_key()).to_vec();
        raw.extend_from_slice(&sig.to_bytes());
        format!("{DASH}{} {}\n", self.name, STANDARD.encode(raw))
    }

    /// `text` signed: the text, a blank line and the signature line.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        check_text(text)?;
        Ok(format!("{text}\n{}", self.signature_line(text)))
    }
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if text.is_empty() || !text.ends_with('\n') {
        return Err(NoteError::Malformed("the text must end with a newline"));
    }
    if text.contains("\n\n") {
        return Err(NoteError::Malformed(
            "the text must not contain a blank line",
        ));
    }
    Ok(())
}

/// A note whose signatures were checked: its text, and the names of the
/// known keys that signed it (signatures by unknown keys are ignored, as
/// the format allows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub text: String,
    pub signed_by: Vec<String>,
}

/// Checks `note` against `known` keys: at least one must have signed it,
/// and every signature by a known key must verify.
pub fn open(note: &str, known: &[Verifier]) -> Result<Opened, NoteError> {
    let split = note
        .rfind("\n\n")
        .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
    let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
    check_text(text)?;
    if sigs.is_empty() || !sigs.ends_with('\n') {
        return Err(NoteError::Malformed("no signature lines"));
    }
    let mut signed_by = Vec::new();
    for line in sigs.lines() {
        let rest = line
            .strip_prefix(DASH)
            .ok_or(NoteError::Malformed("a signature line starts with '— '"))?;
        let (name, b64) = rest.split_once(' ').ok_or(NoteError::Malformed(
            "a signature line is '— name signature'",
        ))?;
        let raw = STANDARD
            .decode(b64)
            .map_err(|_| NoteError::Malformed("a signature is base64"))?;
        let Some((id, sig)) = raw.split_at_checked(4) else {
            return Err(NoteError::Malformed("a signature starts with a key id"));
        };
        let Some(v) = known.iter().find(|v| v.name == name && v.id == id) else {
            continue;
        };
        let sig = Signature::from_slice(sig).map_err(|_| NoteError::BadSignature(name.into()))?;
        v.key
            .verify_strict(text.as_bytes(), &sig)
            .map_err(|_| NoteError::BadSignature(name.into()))?;
        if !signed_by.iter().any(|n| n == name) {
            signed_by.push(name.to_owned());
        }
    }
    if signed_by.is_empty() {
        return Err(NoteError::Unsigned(
            known
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    Ok(Opened {
        text: text.to_owned(),
        signed_by,
    })
}

/// What a checkpoint commits to: the log, its size, its root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    /// The note text: origin, size, base64 root, one per line.
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        )
    }

    /// Reads a checkpoint's text (extension lines after the root are
    /// allowed and ignored).
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let mut lines = text.lines();
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or(NoteError::BadCheckpoint("no origin line"))?;
        let size = lines
            .next()
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .filter(|s| s.len() == 1 || !s.starts_with('0'))
            .and_then(|s| s.parse().ok())
            .ok_or(NoteError::BadCheckpoint(
                "the second line is the tree size in decimal",
            ))?;
        let root: Hash = lines
            .next()
            .and_then(|r| STANDARD.decode(r).ok())
            .and_then(|r| r.try_into().ok())
            .ok_or(NoteError::BadCheckpoint(
                "the third line is the base64 root hash",
            ))?;
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // The example key and note of the Go reference implementation's
    // documentation (golang.org/x/mod/sumdb/note).
    const VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const SEED_B64: &str = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                        then you don't know what your problem is.\n";
    const SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    fn peter() -> Signer {
        let raw = STANDARD.decode(SEED_B64).unwrap();
        assert_eq!(raw[0], ED25519);
        Signer::from_seed("PeterNeumann", &raw[1..].try_into().unwrap()).unwrap()
    }

    #[test]
    fn the_reference_example_is_reproduced_byte_for_byte() {
        let s = peter();
        assert_eq!(s.verifier().to_vkey(), VKEY);
        assert_eq!(s.sign(TEXT).unwrap(), format!("{TEXT}\n{SIG}"));
        let v = Verifier::parse(VKEY).unwrap();
        let opened = open(&format!("{TEXT}\n{SIG}"), &[v]).unwrap();
        assert_eq!(opened.text, TEXT);
        assert_eq!(opened.signed_by, ["PeterNeumann"]);
    }

    #[test]
    fn altered_notes_and_keys_are_refused() {
        let v = Verifier::parse(VKEY).unwrap();
        let note = format!("{TEXT}\n{SIG}");
        let altered = note.replacen("problem", "problems", 1);
        assert_eq!(
            open(&altered, std::slice::from_ref(&v)),
            Err(NoteError::BadSignature("PeterNeumann".into()))
        );
        // Signed only by an unknown key.
        let other = Signer::from_seed("Other", &[7; 32]).unwrap();
        assert!(matches!(
            open(&other.sign(TEXT).unwrap(), std::slice::from_ref(&v)),
            Err(NoteError::Unsigned(_))
        ));
        // A second signature by an unknown key is ignored.
        let cosigned = format!("{note}{}", other.signature_line(TEXT));
        assert_eq!(
            open(&cosigned, std::slice::from_ref(&v)).unwrap().signed_by,
            ["PeterNeumann"]
        );
        let both = open(&cosigned, &[v.clone(), other.verifier()]).unwrap();
        assert_eq!(both.signed_by, ["PeterNeumann", "Other"]);
        for bad in [
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+c74f20a3",
            "PeterNeumann+c74f20a3+!!!!",
        ] {
            assert!(Verifier::parse(bad).is_err(), "{bad}");
        }
        assert!(peter().sign("no newline").is_err());
        assert!(open(TEXT, &[v]).is_err());
    }

    #[test]
    fn checkpoints_round_trip_and_refuse_bad_lines() {
        let c = Checkpoint {
            origin: "adal.example/tenants/7c0d".into(),
            size: 12345,
            root: crate::leaf_hash(b"x"),
        };
        let text = c.to_text();
        assert_eq!(text.lines().count(), 3);
        assert_eq!(Checkpoint::parse(&text).unwrap(), c);
        let s = Signer::from_seed(&c.origin, &[9; 32]).unwrap();
        let opened = open(&s.sign(&text).unwrap(), &[s.verifier()]).unwrap();
        assert_eq!(Checkpoint::parse(&opened.text).unwrap(), c);
        for bad in [
            "",
            "origin\n",
            "o\n012\nAAAA\n",
            "o\n-1\nAAAA\n",
            "o\n5\nAAAA\n",
        ] {
            assert!(Checkpoint::parse(bad).is_err(), "{bad:?}");
        }
    }
}
