//! The binary revocation tree (Boldyreva-Goyal-Kumar) and `KUNodes`.
//!
//! Pure integer arithmetic, shared by the KGC (which issues update keys for `KUNodes`) and the
//! runtime (which accepts an update key only when its node set equals `KUNodes` of the on-chain
//! revocation list). Nodes are numbered heap-style: root 1, children of `n` are `2n` and
//! `2n + 1`, and the `2^d` leaves are `2^d ..= 2^(d+1) - 1`.

use alloc::{collections::BTreeSet, vec::Vec};
use core::borrow::Borrow;
pub use medchain_types::{Epoch, LeafIndex, NodeId, Revocation};

use crate::{Error, Result};

/// Deepest tree supported: `2^32` doctors, node numbers below `2^33`.
pub const MAX_DEPTH: u8 = 32;

/// The root's number.
const ROOT: NodeId = NodeId::new(1);

/// The node above `node` (the root's parent is 0, which is no node).
fn parent(node: NodeId) -> NodeId {
    NodeId::new(node.get() / 2)
}

/// The two nodes below `node`, which must not be a leaf.
fn children(node: NodeId) -> [NodeId; 2] {
    [NodeId::new(2 * node.get()), NodeId::new(2 * node.get() + 1)]
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
        if leaf.get() >= self.leaf_count() {
            return Err(Error::LeafOutOfRange);
        }
        Ok(NodeId::new(self.leaf_count() + leaf.get()))
    }

    /// `Path(leaf)`: the `depth + 1` nodes from the root down to the leaf.
    pub fn path(&self, leaf: LeafIndex) -> Result<Vec<NodeId>> {
        let mut node = self.leaf_node(leaf)?;
        let mut path = Vec::with_capacity(usize::from(self.depth) + 1);
        while node >= ROOT {
            path.push(node);
            node = parent(node);
        }
        path.reverse();
        Ok(path)
    }

    /// `Revoke(leaf, epoch, rl)`: appends `(leaf, epoch)` to `list`. A leaf already on the list
    /// keeps its earliest revocation epoch, so the list never grows by repeats.
    pub fn revoke(&self, list: &mut Vec<Revocation>, leaf: LeafIndex, epoch: Epoch) -> Result<()> {
        self.leaf_node(leaf)?;
        match list.iter_mut().find(|r| r.leaf == leaf) {
            Some(existing) => existing.epoch = existing.epoch.min(epoch),
            None => list.push(Revocation { leaf, epoch }),
        }
        Ok(())
    }

    /// Whether `node` is a node of this tree.
    pub fn contains(&self, node: NodeId) -> bool {
        node >= ROOT && node.get() < 2 * self.leaf_count()
    }

    /// `KUNodes(rl, T)`: the minimal node set covering exactly the leaves not revoked at `epoch`.
    ///
    /// Entries dated after `epoch` are not yet in force and are ignored. When nobody is revoked
    /// the answer is the root; when every leaf is revoked it is **empty** (adding the root there
    /// would let everyone back in).
    pub fn ku_nodes(
        &self,
        revocations: impl IntoIterator<Item = impl Borrow<Revocation>>,
        epoch: Epoch,
    ) -> Result<BTreeSet<NodeId>> {
        let mut revoked_paths = BTreeSet::new();
        for revocation in revocations
            .into_iter()
            .filter(|r| r.borrow().epoch <= epoch)
        {
            let revocation = revocation.borrow();
            let mut node = self.leaf_node(revocation.leaf)?;
            // Climbing stops at the first node already marked: its ancestors are marked too.
            while node >= ROOT && revoked_paths.insert(node) {
                node = parent(node);
            }
        }
        if revoked_paths.is_empty() {
            return Ok(BTreeSet::from([ROOT]));
        }
        let first_leaf = NodeId::new(self.leaf_count());
        Ok(revoked_paths
            .iter()
            .filter(|&&node| node < first_leaf)
            .flat_map(|&node| children(node))
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
        if self.next.get() >= tree.leaf_count() {
            return Err(Error::TreeFull);
        }
        let leaf = self.next;
        self.next = leaf.next().ok_or(Error::TreeFull)?;
        Ok(leaf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(n: u64) -> LeafIndex {
        LeafIndex::new(n)
    }

    fn epoch(n: u64) -> Epoch {
        Epoch::new(n)
    }

    fn nodes<const N: usize>(numbers: [u64; N]) -> BTreeSet<NodeId> {
        numbers.into_iter().map(NodeId::new).collect()
    }

    fn revoked(leaves: &[u64], at: u64) -> Vec<Revocation> {
        leaves
            .iter()
            .map(|&n| Revocation {
                leaf: leaf(n),
                epoch: epoch(at),
            })
            .collect()
    }

    /// Leaves covered by `cover`, computed the slow way: for every leaf, count covering nodes.
    fn covered_leaves(tree: &Tree, cover: &BTreeSet<NodeId>) -> Vec<u64> {
        (0..tree.leaf_count())
            .filter(|&n| {
                let hits = tree
                    .path(leaf(n))
                    .unwrap()
                    .iter()
                    .filter(|n| cover.contains(n))
                    .count();
                assert!(hits <= 1, "leaf {n} covered {hits} times");
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
        let numbers = |path: Vec<NodeId>| path.into_iter().map(NodeId::get).collect::<Vec<_>>();
        assert_eq!(numbers(tree.path(leaf(0)).unwrap()), [1, 2, 4, 8]);
        assert_eq!(numbers(tree.path(leaf(7)).unwrap()), [1, 3, 7, 15]);
        assert_eq!(tree.path(leaf(8)), Err(Error::LeafOutOfRange));
    }

    #[test]
    fn nobody_revoked_is_the_root() {
        let tree = Tree::new(4).unwrap();
        assert_eq!(
            tree.ku_nodes(Vec::<Revocation>::new(), epoch(5)).unwrap(),
            nodes([1])
        );
    }

    #[test]
    fn one_revoked_leaf_is_covered_by_its_path_siblings() {
        let tree = Tree::new(3).unwrap();
        let cover = tree.ku_nodes(revoked(&[0], 1), epoch(1)).unwrap();
        assert_eq!(cover, nodes([3, 5, 9]));
        assert_eq!(covered_leaves(&tree, &cover), [1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn many_revoked_leaves_cover_exactly_the_rest() {
        let tree = Tree::new(5).unwrap();
        let gone = [0, 3, 4, 17, 30, 31];
        let cover = tree.ku_nodes(revoked(&gone, 2), epoch(2)).unwrap();
        let expected: Vec<u64> = (0..32).filter(|l| !gone.contains(l)).collect();
        assert_eq!(covered_leaves(&tree, &cover), expected);
    }

    #[test]
    fn all_leaves_revoked_leaves_nothing_covered() {
        let tree = Tree::new(3).unwrap();
        let all: Vec<u64> = (0..8).collect();
        let cover = tree.ku_nodes(revoked(&all, 1), epoch(1)).unwrap();
        assert!(cover.is_empty(), "the root must not come back: {cover:?}");
    }

    #[test]
    fn revocation_dated_in_the_future_is_not_yet_in_force() {
        let tree = Tree::new(3).unwrap();
        let list = revoked(&[2], 10);
        assert_eq!(tree.ku_nodes(&list, epoch(9)).unwrap(), nodes([1]));
        let later = tree.ku_nodes(&list, epoch(10)).unwrap();
        assert_eq!(tree.covering_node(leaf(2), &later).unwrap(), None);
        assert!(tree.covering_node(leaf(3), &later).unwrap().is_some());
    }

    #[test]
    fn revocation_of_a_leaf_outside_the_tree_is_an_error() {
        let tree = Tree::new(2).unwrap();
        assert_eq!(
            tree.ku_nodes(revoked(&[4], 0), epoch(0)),
            Err(Error::LeafOutOfRange)
        );
    }

    #[test]
    fn revoke_appends_once_and_keeps_the_earliest_epoch() {
        let tree = Tree::new(2).unwrap();
        let mut list = Vec::new();
        tree.revoke(&mut list, leaf(1), epoch(5)).unwrap();
        tree.revoke(&mut list, leaf(1), epoch(3)).unwrap();
        tree.revoke(&mut list, leaf(1), epoch(9)).unwrap();
        assert_eq!(list, revoked(&[1], 3));
        assert_eq!(
            tree.revoke(&mut list, leaf(4), epoch(0)),
            Err(Error::LeafOutOfRange)
        );
    }

    #[test]
    fn allocator_reports_a_full_tree() {
        let tree = Tree::new(1).unwrap();
        let mut leaves = LeafAllocator::starting_at(leaf(0));
        assert_eq!(leaves.assign(&tree), Ok(leaf(0)));
        assert_eq!(leaves.assign(&tree), Ok(leaf(1)));
        assert_eq!(leaves.assign(&tree), Err(Error::TreeFull));
    }
}
