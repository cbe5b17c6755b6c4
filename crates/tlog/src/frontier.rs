//! The right edge of a growing tree: enough to append leaves and compute
//! the root without the leaves themselves.
//!
//! A tree of `n` leaves is, left to right, one perfect subtree for each bit
//! set in `n`, largest first (RFC 9162's split at the largest power of two
//! below `n` peels them off in that order). Keeping those subtrees' roots
//! (at most 64 hashes) lets a sequencer extend the log in `O(log n)` per
//! leaf and sign its root, however long the log is.

use crate::{Hash, node_hash, root};

/// The roots of the perfect subtrees of a tree of `size` leaves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// One per bit set in `size`, largest subtree first.
    hashes: Vec<Hash>,
}

/// A stored frontier whose hashes do not fit its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a frontier of size {size} has {count_ones} perfect subtrees, not {found}")]
pub struct FrontierMismatch {
    size: u64,
    count_ones: u32,
    found: usize,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// A frontier read back from storage: `hashes` are the perfect
    /// subtrees' roots, largest first, as [`Frontier::hashes`] gave them.
    pub fn from_parts(size: u64, hashes: Vec<Hash>) -> Result<Self, FrontierMismatch> {
        if hashes.len() != size.count_ones() as usize {
            return Err(FrontierMismatch {
                size,
                count_ones: size.count_ones(),
                found: hashes.len(),
            });
        }
        Ok(Self { size, hashes })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// Appends a leaf (its leaf hash, [`crate::leaf_hash`]).
    pub fn push(&mut self, leaf: Hash) {
        let mut carry = leaf;
        // Each trailing one bit of the old size is a perfect subtree of the
        // new leaf's height, which the new leaf completes into one twice as
        // tall.
        let mut s = self.size;
        while s & 1 == 1 {
            if let Some(left) = self.hashes.pop() {
                carry = node_hash(&left, &carry);
            }
            s >>= 1;
        }
        self.hashes.push(carry);
        self.size += 1;
    }

    /// The root of the tree: the perfect subtrees folded right to left.
    pub fn root(&self) -> Hash {
        let mut it = self.hashes.iter().rev();
        match it.next() {
            None => root(&[]),
            Some(last) => it.fold(*last, |acc, left| node_hash(left, &acc)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::leaf_hash;

    #[test]
    fn every_size_has_the_root_of_the_whole_leaf_list() {
        let leaves: Vec<Hash> = (0u32..300).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut f = Frontier::new();
        assert_eq!(f.root(), root(&[]));
        for (n, leaf) in leaves.iter().enumerate() {
            f.push(*leaf);
            assert_eq!(f.size(), n as u64 + 1);
            assert_eq!(f.hashes().len(), (n + 1).count_ones() as usize);
            assert_eq!(f.root(), root(&leaves[..=n]), "size {}", n + 1);
        }
    }

    #[test]
    fn a_frontier_survives_storage_and_refuses_a_wrong_shape() {
        let mut f = Frontier::new();
        for i in 0u8..13 {
            f.push(leaf_hash(&[i]));
        }
        let back = Frontier::from_parts(f.size(), f.hashes().to_vec()).unwrap();
        assert_eq!(back, f);
        assert!(Frontier::from_parts(15, f.hashes().to_vec()).is_err());
        assert!(Frontier::from_parts(13, f.hashes()[1..].to_vec()).is_err());
    }
}
