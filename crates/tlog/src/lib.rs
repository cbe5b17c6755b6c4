//! The Merkle tree of a transparency log, as RFC 6962 defines it and RFC
//! 9162 (section 2.1) restates it: the tree hash of a list of entries,
//! inclusion proofs (an entry is in a tree of a given size) and
//! consistency proofs (a tree of one size is a prefix of a larger one).
//!
//! This is the base of the verifiable audit log (issue 15): each tenant's
//! audit entries are the leaves, a signed checkpoint commits to a tree size
//! and its root, and an auditor who kept an older checkpoint checks that
//! the log only grew. Everything here is pure: hashes in, hashes out.
//!
//! Hashing, byte for byte (so a third party can write its own verifier):
//!
//! - leaf: `SHA-256(0x00 || entry bytes)`;
//! - interior node: `SHA-256(0x01 || left || right)`;
//! - the empty tree: `SHA-256("")`;
//! - a tree of `n > 1` leaves splits at `k`, the largest power of two
//!   below `n`: the left subtree holds the first `k` leaves.
//!
//! The prefixes keep a leaf from ever being taken for a node (a second
//! preimage attack on the tree).

pub mod entry;
pub mod frontier;
pub mod note;

pub use frontier::Frontier;

use sha2::{Digest, Sha256};

/// A SHA-256 hash of a leaf, a node or a tree.
pub type Hash = [u8; 32];

/// Why a proof was not produced or did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("entry {index} is not in a tree of {size} entries")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("a tree of {old} entries is not a prefix of one of {new}")]
    SizesOutOfOrder { old: u64, new: u64 },
    #[error("the proof has the wrong number of hashes for these sizes")]
    WrongLength,
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
}

/// The hash of a leaf holding `entry`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(entry);
    h.finalize().into()
}

/// The hash of an interior node over two subtrees.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two strictly below `n` (`n >= 2`).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// The tree hash of the leaves whose hashes are `leaves`.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => Sha256::digest([]).into(),
        [one] => *one,
        _ => {
            let k = split(leaves.len());
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The inclusion proof of leaf `index` in the tree of `leaves`: the
/// sibling hashes from the leaf up to the root.
pub fn inclusion_proof(leaves: &[Hash], index: u64) -> Result<Vec<Hash>, ProofError> {
    let size = leaves.len() as u64;
    let i = usize::try_from(index)
        .ok()
        .filter(|&i| i < leaves.len())
        .ok_or(ProofError::IndexOutOfRange { index, size })?;
    let mut proof = Vec::new();
    path(i, leaves, &mut proof);
    Ok(proof)
}

fn path(m: usize, leaves: &[Hash], out: &mut Vec<Hash>) {
    if leaves.len() <= 1 {
        return;
    }
    let k = split(leaves.len());
    if m < k {
        path(m, &leaves[..k], out);
        out.push(root(&leaves[k..]));
    } else {
        path(m - k, &leaves[k..], out);
        out.push(root(&leaves[..k]));
    }
}

/// Checks that `leaf` is entry `index` of the tree of `size` entries whose
/// root is `expected`, by the algorithm of RFC 9162, section 2.1.3.2.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    expected: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    if r == *expected {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// The proof that the tree of the first `old` of `leaves` is a prefix of
/// the tree of all of them (empty when the sizes are equal).
pub fn consistency_proof(leaves: &[Hash], old: u64) -> Result<Vec<Hash>, ProofError> {
    let new = leaves.len() as u64;
    let m = usize::try_from(old)
        .ok()
        .filter(|&m| m >= 1 && m <= leaves.len())
        .ok_or(ProofError::SizesOutOfOrder { old, new })?;
    let mut proof = Vec::new();
    if m < leaves.len() {
        subproof(m, leaves, true, &mut proof);
    }
    Ok(proof)
}

fn subproof(m: usize, leaves: &[Hash], whole: bool, out: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !whole {
            out.push(root(leaves));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &leaves[..k], whole, out);
        out.push(root(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, out);
        out.push(root(&leaves[..k]));
    }
}

/// Checks that the tree of `old` entries with root `old_root` is a prefix
/// of the tree of `new` entries with root `new_root`, by the algorithm of
/// RFC 9162, section 2.1.4.2.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old == 0 || old > new {
        return Err(ProofError::SizesOutOfOrder { old, new });
    }
    if old == new {
        return match (proof.is_empty(), old_root == new_root) {
            (false, _) => Err(ProofError::WrongLength),
            (true, true) => Ok(()),
            (true, false) => Err(ProofError::RootMismatch),
        };
    }
    // A tree whose size is a power of two is a whole subtree of the new
    // one: its root starts the path.
    let with_old: Vec<Hash>;
    let path = if old & (old - 1) == 0 {
        with_old = std::iter::once(*old_root)
            .chain(proof.iter().copied())
            .collect();
        &with_old[..]
    } else {
        proof
    };
    let Some((first, rest)) = path.split_first() else {
        return Err(ProofError::WrongLength);
    };
    let (mut f, mut s) = (old - 1, new - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    if fr == *old_root && sr == *new_root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The leaves of the reference test vectors of Certificate
    /// Transparency (RFC 6962), as hex.
    const LEAVES: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];

    /// The published tree hashes of the first 1..8 of them.
    const ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    fn leaves() -> Vec<Hash> {
        LEAVES
            .iter()
            .map(|h| leaf_hash(&hex::decode(h).unwrap()))
            .collect()
    }

    fn flip(h: &Hash) -> Hash {
        let mut x = *h;
        x[7] ^= 0x20;
        x
    }

    #[test]
    fn tree_hashes_match_the_published_vectors() {
        let l = leaves();
        for (n, expected) in ROOTS.iter().enumerate() {
            assert_eq!(hex::encode(root(&l[..=n])), *expected, "size {}", n + 1);
        }
        assert_eq!(
            hex::encode(root(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn every_entry_proves_its_inclusion_and_nothing_else_does() {
        let l = leaves();
        for size in 1..=l.len() {
            let tree = &l[..size];
            let r = root(tree);
            for i in 0..size {
                let proof = inclusion_proof(tree, i as u64).unwrap();
                let (i, n) = (i as u64, size as u64);
                verify_inclusion(&tree[i as usize], i, n, &proof, &r).unwrap();
                // Another leaf, another position, another root, or any
                // altered hash of the proof: refused.
                assert!(verify_inclusion(&flip(&tree[i as usize]), i, n, &proof, &r).is_err());
                if n > 1 {
                    let other = (i + 1) % n;
                    assert!(verify_inclusion(&tree[i as usize], other, n, &proof, &r).is_err());
                }
                // (A wrong size with the same root can pass where the
                // paths have the same shape: the checkpoint, which signs
                // size and root together, is what binds the size.)
                assert!(verify_inclusion(&tree[i as usize], i, n, &proof, &flip(&r)).is_err());
                for k in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[k] = flip(&bad[k]);
                    assert!(verify_inclusion(&tree[i as usize], i, n, &bad, &r).is_err());
                }
                let mut longer = proof.clone();
                longer.push(r);
                assert!(verify_inclusion(&tree[i as usize], i, n, &longer, &r).is_err());
            }
        }
        assert_eq!(
            inclusion_proof(&l[..3], 3),
            Err(ProofError::IndexOutOfRange { index: 3, size: 3 })
        );
    }

    #[test]
    fn every_prefix_proves_consistency_and_a_forked_log_does_not() {
        let l = leaves();
        for new in 1..=l.len() {
            let new_root = root(&l[..new]);
            for old in 1..=new {
                let old_root = root(&l[..old]);
                let proof = consistency_proof(&l[..new], old as u64).unwrap();
                let (o, n) = (old as u64, new as u64);
                verify_consistency(o, n, &old_root, &new_root, &proof).unwrap();
                assert!(verify_consistency(o, n, &flip(&old_root), &new_root, &proof).is_err());
                assert!(verify_consistency(o, n, &old_root, &flip(&new_root), &proof).is_err());
                for k in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[k] = flip(&bad[k]);
                    assert!(verify_consistency(o, n, &old_root, &new_root, &bad).is_err());
                }
                // A log that rewrote one of the old entries is not an
                // extension of what the auditor saw.
                let mut forked = l[..new].to_vec();
                forked[old - 1] = flip(&forked[old - 1]);
                let proof = consistency_proof(&forked, o).unwrap();
                assert!(verify_consistency(o, n, &old_root, &root(&forked), &proof).is_err());
            }
        }
        assert!(consistency_proof(&l[..3], 0).is_err());
        assert!(consistency_proof(&l[..3], 4).is_err());
        assert!(verify_consistency(4, 3, &l[0], &l[0], &[]).is_err());
    }
}
