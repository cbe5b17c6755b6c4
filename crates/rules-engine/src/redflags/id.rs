//! Organisation identifiers as keys of the per-organisation counts.

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};

/// Identifiers up to this many bytes are kept inline (most are: "GB-COH-
/// 01234567", "KZ-BIN-123456789012"), which keeps `Id` at 24 bytes.
const INLINE: usize = 22;

/// An identifier as a map key. Short ones are kept in the table itself, so
/// a lookup compares them without following a pointer: with thousands of
/// identifiers spread over the heap, those pointer chases were most of the
/// time of the per-organisation folds.
#[derive(Debug, Clone)]
pub(super) enum Id {
    Inline(u8, [u8; INLINE]),
    Heap(Box<str>),
}

impl Id {
    pub(super) fn new(id: &str) -> Id {
        match (u8::try_from(id.len()), id.as_bytes()) {
            (Ok(len), bytes) if bytes.len() <= INLINE => {
                let mut inline = [0; INLINE];
                inline[..bytes.len()].copy_from_slice(bytes);
                Id::Inline(len, inline)
            }
            _ => Id::Heap(id.into()),
        }
    }

    pub(super) fn as_str(&self) -> &str {
        match self {
            // Always valid: the bytes are those of a `&str`, whole.
            Id::Inline(len, bytes) => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Id::Heap(id) => id,
        }
    }
}

/// Looked up by `&str`: equality and hash are those of the string.
impl Borrow<str> for Id {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Id {
    fn eq(&self, other: &Id) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Id {}

impl Hash for Id {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn short_and_long_ids_are_found_by_their_text() {
        let long = "XI-LEI-5493001KJTIIGC8Y1R12-and-more";
        let mut map = HashMap::new();
        for id in ["", "KZ-BIN-T00001", "é-ü", &"x".repeat(INLINE), long] {
            map.insert(Id::new(id), id.len());
        }
        assert!(matches!(Id::new("KZ-BIN-T00001"), Id::Inline(..)));
        assert!(matches!(Id::new(long), Id::Heap(_)));
        assert_eq!(map.get(long), Some(&long.len()));
        assert_eq!(map.get("é-ü"), Some(&5));
        assert_eq!(map.get(&"x".repeat(INLINE)[..]), Some(&INLINE));
        assert_eq!(map.get(""), Some(&0));
        assert_eq!(map.get("KZ-BIN-T0000"), None);
        assert_eq!(Id::new(long).as_str(), long);
        assert_eq!(std::mem::size_of::<Id>(), 24);
    }
}
