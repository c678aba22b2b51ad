//! The binary revocation tree (Boldyreva-Goyal-Kumar) and `KUNodes`.
//!
//! Pure integer arithmetic, shared by the KGC (which issues update keys for `KUNodes`) and the
//! runtime (which accepts an update key only when its node set equals `KUNodes` of the on-chain
//! revocation list). Nodes are numbered heap-style: root 1, children of `n` are `2n` and
//! `2n + 1`, and the `2^d` leaves are `2^d ..= 2^(d+1) - 1`.

use alloc::{collections::BTreeSet, vec::Vec};
use core::borrow::Borrow;

use crate::{Error, Result};

/// Deepest tree supported: `2^32` doctors, node numbers below `2^33`.
pub const MAX_DEPTH: u8 = 32;

/// A tree node, numbered heap-style.
pub type NodeId = u64;

/// A leaf's index among the leaves, `0 .. 2^depth`.
pub type LeafIndex = u64;

/// One entry of the revocation list: the leaf is revoked from `epoch` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, codec::Encode, codec::Decode)]
pub struct Revocation {
    /// Revoked leaf.
    pub leaf: LeafIndex,
    /// First epoch in which the leaf is revoked.
    pub epoch: u64,
}

/// The shape of a revocation tree of a given depth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tree {
    depth: u8,
}

impl Tree {
    /// A tree with `2^depth` leaves, `1 <= depth <= MAX_DEPTH`.
    pub fn new(depth: u8) -> Result<Self> {
        if depth == 0 || depth > MAX_DEPTH {
            return Err(Error::InvalidDepth);
        }
        Ok(Self { depth })
    }

    /// Depth of the tree (edges from the root to a leaf).
    pub fn depth(&self) -> u8 {
        self.depth
    }

    /// Number of leaves, `2^depth`.
    pub fn leaf_count(&self) -> u64 {
        1u64 << self.depth
    }

    /// The node number of leaf `leaf`.
    pub fn leaf_node(&self, leaf: LeafIndex) -> Result<NodeId> {
        if leaf >= self.leaf_count() {
            return Err(Error::LeafOutOfRange);
        }
        Ok(self.leaf_count() + leaf)
    }

    /// `Path(leaf)`: the `depth + 1` nodes from the root down to the leaf.
    pub fn path(&self, leaf: LeafIndex) -> Result<Vec<NodeId>> {
        let mut node = self.leaf_node(leaf)?;
        let mut path = Vec::with_capacity(usize::from(self.depth) + 1);
        while node >= 1 {
            path.push(node);
            node /= 2;
        }
        path.reverse();
        Ok(path)
    }

    /// `Revoke(leaf, epoch, rl)`: appends `(leaf, epoch)` to `list`. A leaf already on the list
    /// keeps its earliest revocation epoch, so the list never grows by repeats.
    pub fn revoke(&self, list: &mut Vec<Revocation>, leaf: LeafIndex, epoch: u64) -> Result<()> {
        self.leaf_node(leaf)?;
        match list.iter_mut().find(|r| r.leaf == leaf) {
            Some(existing) => existing.epoch = existing.epoch.min(epoch),
            None => list.push(Revocation { leaf, epoch }),
        }
        Ok(())
    }

    /// Whether `node` is a node of this tree.
    pub fn contains(&self, node: NodeId) -> bool {
        node >= 1 && node < 2 * self.leaf_count()
    }

    /// `KUNodes(rl, T)`: the minimal node set covering exactly the leaves not revoked at `epoch`.
    ///
    /// Entries dated after `epoch` are not yet in force and are ignored. When nobody is revoked
    /// the answer is the root; when every leaf is revoked it is **empty** (adding the root there
    /// would let everyone back in).
    pub fn ku_nodes(
        &self,
        revocations: impl IntoIterator<Item = impl Borrow<Revocation>>,
        epoch: u64,
    ) -> Result<BTreeSet<NodeId>> {
        let mut revoked_paths = BTreeSet::new();
        for revocation in revocations
            .into_iter()
            .filter(|r| r.borrow().epoch <= epoch)
        {
            let revocation = revocation.borrow();
            let mut node = self.leaf_node(revocation.leaf)?;
            // Climbing stops at the first node already marked: its ancestors are marked too.
            while node >= 1 && revoked_paths.insert(node) {
                node /= 2;
            }
        }
        if revoked_paths.is_empty() {
            return Ok(BTreeSet::from([1]));
        }
        let first_leaf = self.leaf_count();
        Ok(revoked_paths
            .iter()
            .filter(|&&node| node < first_leaf)
            .flat_map(|&node| [2 * node, 2 * node + 1])
            .filter(|child| !revoked_paths.contains(child))
            .collect())
    }

    /// The node of `Path(leaf)` that is in `cover`, if any: there is at most one when `cover` is
    /// a `KUNodes` answer, and none exactly when the leaf is revoked.
    pub fn covering_node(
        &self,
        leaf: LeafIndex,
        cover: &BTreeSet<NodeId>,
    ) -> Result<Option<NodeId>> {
        Ok(self
            .path(leaf)?
            .into_iter()
            .find(|node| cover.contains(node)))
    }
}

/// Hands out leaves in order, as the KGC assigns them to doctors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, codec::Encode, codec::Decode)]
pub struct LeafAllocator {
    next: LeafIndex,
}

impl LeafAllocator {
    /// An allocator that continues after `assigned` leaves.
    pub fn starting_at(assigned: LeafIndex) -> Self {
        Self { next: assigned }
    }

    /// The next free leaf of `tree`, or [`Error::TreeFull`].
    pub fn assign(&mut self, tree: &Tree) -> Result<LeafIndex> {
        if self.next >= tree.leaf_count() {
            return Err(Error::TreeFull);
        }
        let leaf = self.next;
        self.next += 1;
        Ok(leaf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn revoked(leaves: &[u64], epoch: u64) -> Vec<Revocation> {
        leaves
            .iter()
            .map(|&leaf| Revocation { leaf, epoch })
            .collect()
    }

    /// Leaves covered by `cover`, computed the slow way: for every leaf, count covering nodes.
    fn covered_leaves(tree: &Tree, cover: &BTreeSet<NodeId>) -> Vec<u64> {
        (0..tree.leaf_count())
            .filter(|&leaf| {
                let hits = tree
                    .path(leaf)
                    .unwrap()
                    .iter()
                    .filter(|n| cover.contains(n))
                    .count();
                assert!(hits <= 1, "leaf {leaf} covered {hits} times");
                hits == 1
            })
            .collect()
    }

    #[test]
    fn depth_limits() {
        assert_eq!(Tree::new(0), Err(Error::InvalidDepth));
        assert_eq!(Tree::new(MAX_DEPTH + 1), Err(Error::InvalidDepth));
        assert_eq!(Tree::new(MAX_DEPTH).unwrap().leaf_count(), 1 << 32);
    }

    #[test]
    fn path_runs_root_to_leaf() {
        let tree = Tree::new(3).unwrap();
        assert_eq!(tree.path(0).unwrap(), [1, 2, 4, 8]);
        assert_eq!(tree.path(7).unwrap(), [1, 3, 7, 15]);
        assert_eq!(tree.path(8), Err(Error::LeafOutOfRange));
    }

    #[test]
    fn nobody_revoked_is_the_root() {
        let tree = Tree::new(4).unwrap();
        assert_eq!(
            tree.ku_nodes(Vec::<Revocation>::new(), 5).unwrap(),
            BTreeSet::from([1])
        );
    }

    #[test]
    fn one_revoked_leaf_is_covered_by_its_path_siblings() {
        let tree = Tree::new(3).unwrap();
        let cover = tree.ku_nodes(revoked(&[0], 1), 1).unwrap();
        assert_eq!(cover, BTreeSet::from([3, 5, 9]));
        assert_eq!(covered_leaves(&tree, &cover), [1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn many_revoked_leaves_cover_exactly_the_rest() {
        let tree = Tree::new(5).unwrap();
        let gone = [0, 3, 4, 17, 30, 31];
        let cover = tree.ku_nodes(revoked(&gone, 2), 2).unwrap();
        let expected: Vec<u64> = (0..32).filter(|l| !gone.contains(l)).collect();
        assert_eq!(covered_leaves(&tree, &cover), expected);
    }

    #[test]
    fn all_leaves_revoked_leaves_nothing_covered() {
        let tree = Tree::new(3).unwrap();
        let all: Vec<u64> = (0..8).collect();
        let cover = tree.ku_nodes(revoked(&all, 1), 1).unwrap();
        assert!(cover.is_empty(), "the root must not come back: {cover:?}");
    }

    #[test]
    fn revocation_dated_in_the_future_is_not_yet_in_force() {
        let tree = Tree::new(3).unwrap();
        let list = revoked(&[2], 10);
        assert_eq!(tree.ku_nodes(&list, 9).unwrap(), BTreeSet::from([1]));
        let later = tree.ku_nodes(&list, 10).unwrap();
        assert_eq!(tree.covering_node(2, &later).unwrap(), None);
        assert!(tree.covering_node(3, &later).unwrap().is_some());
    }

    #[test]
    fn revocation_of_a_leaf_outside_the_tree_is_an_error() {
        let tree = Tree::new(2).unwrap();
        assert_eq!(
            tree.ku_nodes(revoked(&[4], 0), 0),
            Err(Error::LeafOutOfRange)
        );
    }

    #[test]
    fn revoke_appends_once_and_keeps_the_earliest_epoch() {
        let tree = Tree::new(2).unwrap();
        let mut list = Vec::new();
        tree.revoke(&mut list, 1, 5).unwrap();
        tree.revoke(&mut list, 1, 3).unwrap();
        tree.revoke(&mut list, 1, 9).unwrap();
        assert_eq!(list, [Revocation { leaf: 1, epoch: 3 }]);
        assert_eq!(tree.revoke(&mut list, 4, 0), Err(Error::LeafOutOfRange));
    }

    #[test]
    fn allocator_reports_a_full_tree() {
        let tree = Tree::new(1).unwrap();
        let mut leaves = LeafAllocator::starting_at(0);
        assert_eq!(leaves.assign(&tree), Ok(0));
        assert_eq!(leaves.assign(&tree), Ok(1));
        assert_eq!(leaves.assign(&tree), Err(Error::TreeFull));
    }
}
