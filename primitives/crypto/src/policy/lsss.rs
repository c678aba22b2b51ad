//! From a threshold tree to an LSSS matrix, and back to reconstruction coefficients.
//!
//! Every gate passes its vector `v` down (Lewko-Waters, generalised to thresholds):
//! * `OR` (1 of n): every child gets `v`;
//! * `AND` (n of n): a chain over `n - 1` fresh columns `e_1..e_(n-1)`: the children get
//!   `v + e_1`, `-e_1 + e_2`, ..., `-e_(n-1)`, which sum to `v`, so all coefficients stay 1;
//! * `k of n` otherwise: a Vandermonde block over `k - 1` fresh columns: child `x` (1-based) gets
//!   `v + x e_1 + x^2 e_2 + ... + x^(k-1) e_(k-1)`, reconstructed with Lagrange coefficients at 0.
//!
//! Coefficients come from the tree rather than Gaussian elimination: it is exact, picks the
//! cheapest satisfying rows (each row costs the hospital two pairings), and keeps the
//! coefficients of `AND`/`OR` policies at 1, which makes pre-decryption cheaper.

use alloc::{vec, vec::Vec};
use ark_ff::{Field, One, Zero};

use super::{Node, Policy};
use crate::{Error, Fr, Result};

/// The LSSS matrix `M` (one row per attribute occurrence); `rho` is [`Policy::rows`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lsss {
    matrix: Vec<Vec<Fr>>,
}

/// A reconstruction coefficient `omega_i` for row `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Coefficient {
    /// Row index into the matrix.
    pub row: usize,
    /// `omega_i`.
    pub omega: Fr,
}

impl Lsss {
    /// The matrix of `policy`.
    pub fn new(policy: &Policy) -> Self {
        let mut sparse = Vec::new();
        let mut columns = 1;
        share(
            policy.root(),
            vec![(0, Fr::one())],
            &mut columns,
            &mut sparse,
        );
        let matrix = sparse
            .into_iter()
            .map(|entries| {
                let mut row = vec![Fr::zero(); columns];
                entries
                    .into_iter()
                    .for_each(|(col, value)| row[col] += value);
                row
            })
            .collect();
        Self { matrix }
    }

    /// Rows of the matrix.
    pub fn rows(&self) -> &[Vec<Fr>] {
        &self.matrix
    }

    /// Number of columns, `n`.
    pub fn columns(&self) -> usize {
        self.matrix.first().map_or(0, Vec::len)
    }

    /// Shares `lambda = M * (s, y_2, ..., y_n)` of `vector = (s, y_2, ..., y_n)`.
    pub fn shares(&self, vector: &[Fr]) -> Result<Vec<Fr>> {
        if vector.len() != self.columns() {
            return Err(Error::MalformedKey);
        }
        Ok(self
            .matrix
            .iter()
            .map(|row| {
                row.iter()
                    .zip(vector)
                    .filter(|(m, _)| !m.is_zero())
                    .map(|(m, y)| if m.is_one() { *y } else { *m * y })
                    .sum()
            })
            .collect())
    }
}

/// Reconstruction coefficients for `attributes` (normalised): rows `I` and `omega_i` with
/// `sum omega_i M_i = (1, 0, ..., 0)`, or [`Error::PolicyNotSatisfied`].
pub fn coefficients(
    policy: &Policy,
    attributes: &[alloc::string::String],
) -> Result<Vec<Coefficient>> {
    let (_, mut coefficients) =
        reconstruct(policy.root(), attributes).ok_or(Error::PolicyNotSatisfied)?;
    coefficients.sort_by_key(|c| c.row);
    Ok(coefficients)
}

type SparseRow = Vec<(usize, Fr)>;

fn share(node: &Node, vector: SparseRow, columns: &mut usize, rows: &mut Vec<SparseRow>) {
    let Node::Gate {
        threshold,
        children,
    } = node
    else {
        rows.push(vector);
        return;
    };
    let n = children.len();
    let k = *threshold;
    let base = *columns;
    if k == 1 {
        children
            .iter()
            .for_each(|child| share(child, vector.clone(), columns, rows));
    } else if k == n {
        *columns += n - 1;
        for (j, child) in children.iter().enumerate() {
            let mut v = if j == 0 { vector.clone() } else { Vec::new() };
            if j > 0 {
                v.push((base + j - 1, -Fr::one()));
            }
            if j < n - 1 {
                v.push((base + j, Fr::one()));
            }
            share(child, v, columns, rows);
        }
    } else {
        *columns += k - 1;
        for (i, child) in children.iter().enumerate() {
            let x = Fr::from(i as u64 + 1);
            let mut v = vector.clone();
            let mut power = x;
            for j in 0..k - 1 {
                v.push((base + j, power));
                power *= x;
            }
            share(child, v, columns, rows);
        }
    }
}

/// Cheapest reconstruction of `node` from `attributes`: (rows used, coefficients), or `None`
/// when unsatisfied.
pub(super) fn reconstruct(
    node: &Node,
    attributes: &[alloc::string::String],
) -> Option<(usize, Vec<Coefficient>)> {
    match node {
        Node::Attribute { name, row } => attributes.iter().any(|a| a == name).then(|| {
            (
                1,
                vec![Coefficient {
                    row: *row,
                    omega: Fr::one(),
                }],
            )
        }),
        Node::Gate {
            threshold,
            children,
        } => {
            let mut satisfied: Vec<(usize, usize, Vec<Coefficient>)> = children
                .iter()
                .enumerate()
                .filter_map(|(i, child)| {
                    reconstruct(child, attributes).map(|(cost, c)| (cost, i, c))
                })
                .collect();
            if satisfied.len() < *threshold {
                return None;
            }
            satisfied.sort_by_key(|(cost, i, _)| (*cost, *i));
            satisfied.truncate(*threshold);
            let vandermonde = *threshold > 1 && *threshold < children.len();
            let points: Vec<Fr> = satisfied
                .iter()
                .map(|(_, i, _)| Fr::from(*i as u64 + 1))
                .collect();
            let mut cost = 0;
            let mut all = Vec::new();
            for (index, (child_cost, _, child)) in satisfied.into_iter().enumerate() {
                let scale = if vandermonde {
                    lagrange_at_zero(&points, index)?
                } else {
                    Fr::one()
                };
                cost += child_cost;
                all.extend(child.into_iter().map(|c| Coefficient {
                    row: c.row,
                    omega: c.omega * scale,
                }));
            }
            Some((cost, all))
        }
    }
}

/// `L_i(0) = prod_{j != i} x_j / (x_j - x_i)` over distinct `points`.
fn lagrange_at_zero(points: &[Fr], i: usize) -> Option<Fr> {
    let xi = points[i];
    let (num, den) = points
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .fold((Fr::one(), Fr::one()), |(num, den), (_, xj)| {
            (num * xj, den * (*xj - xi))
        });
    den.inverse().map(|inv| num * inv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::{String, ToString};
    use proptest::prelude::*;

    fn attrs(list: &[&str]) -> Vec<String> {
        list.iter().map(|a| a.to_string()).collect()
    }

    /// `sum omega_i M_i`, which must be `(1, 0, ..., 0)`.
    fn combine(lsss: &Lsss, coefficients: &[Coefficient]) -> Vec<Fr> {
        let mut sum = vec![Fr::zero(); lsss.columns()];
        for c in coefficients {
            for (s, m) in sum.iter_mut().zip(&lsss.rows()[c.row]) {
                *s += c.omega * m;
            }
        }
        sum
    }

    fn target(columns: usize) -> Vec<Fr> {
        let mut t = vec![Fr::zero(); columns];
        t[0] = Fr::one();
        t
    }

    #[test]
    fn and_or_policies_have_unit_coefficients() {
        let policy =
            Policy::parse("(dept:cardiology or dept:oncology) and role:physician").unwrap();
        let lsss = Lsss::new(&policy);
        assert_eq!(lsss.rows().len(), 3);
        let omega = coefficients(&policy, &attrs(&["dept:oncology", "role:physician"])).unwrap();
        assert_eq!(omega.iter().map(|c| c.row).collect::<Vec<_>>(), [1, 2]);
        assert!(omega.iter().all(|c| c.omega.is_one()));
        assert_eq!(combine(&lsss, &omega), target(lsss.columns()));
    }

    #[test]
    fn thresholds_reconstruct_with_lagrange() {
        let policy = Policy::parse("2 of (a, b, c)").unwrap();
        let lsss = Lsss::new(&policy);
        let omega = coefficients(&policy, &attrs(&["a", "c"])).unwrap();
        assert_eq!(combine(&lsss, &omega), target(lsss.columns()));
        assert_eq!(
            coefficients(&policy, &attrs(&["b"])),
            Err(Error::PolicyNotSatisfied)
        );
    }

    #[test]
    fn cheapest_branch_is_chosen() {
        let policy = Policy::parse("(a and b and c) or d").unwrap();
        let omega = coefficients(&policy, &attrs(&["a", "b", "c", "d"])).unwrap();
        assert_eq!(omega.len(), 1);
        assert_eq!(omega[0].row, 3);
    }

    #[test]
    fn repeated_attribute_occupies_several_rows() {
        let policy = Policy::parse("(a and b) or (a and c)").unwrap();
        assert_eq!(policy.rows(), attrs(&["a", "b", "a", "c"]).as_slice());
        let lsss = Lsss::new(&policy);
        let omega = coefficients(&policy, &attrs(&["a", "c"])).unwrap();
        assert_eq!(omega.iter().map(|c| c.row).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(combine(&lsss, &omega), target(lsss.columns()));
    }

    /// Random policies over a small alphabet, as text.
    fn policy_text() -> impl Strategy<Value = String> {
        let leaf = prop::sample::select(vec!["a", "b", "c", "d", "e"]).prop_map(String::from);
        leaf.prop_recursive(4, 24, 4, |inner| {
            (prop::collection::vec(inner, 2..4), 0usize..4).prop_map(|(children, kind)| {
                let n = children.len();
                match kind {
                    0 => format!("({})", children.join(" and ")),
                    1 => format!("({})", children.join(" or ")),
                    _ => format!("{} of ({})", 1 + kind % n, children.join(", ")),
                }
            })
        })
    }

    /// Plain boolean evaluation of the tree, the reference for satisfaction.
    fn evaluate(node: &Node, set: &[String]) -> bool {
        match node {
            Node::Attribute { name, .. } => set.contains(name),
            Node::Gate {
                threshold,
                children,
            } => children.iter().filter(|c| evaluate(c, set)).count() >= *threshold,
        }
    }

    proptest! {
        #[test]
        fn reconstruction_exists_iff_satisfied(
            text in policy_text(),
            set in prop::sample::subsequence(vec!["a", "b", "c", "d", "e"], 0..=5),
        ) {
            let policy = Policy::parse(&text).unwrap();
            let set = attrs(&set);
            let lsss = Lsss::new(&policy);
            match coefficients(&policy, &set) {
                Ok(omega) => {
                    prop_assert!(evaluate(policy.root(), &set));
                    prop_assert!(omega.iter().all(|c| set.contains(&policy.rows()[c.row])));
                    prop_assert_eq!(combine(&lsss, &omega), target(lsss.columns()));
                }
                Err(e) => {
                    prop_assert_eq!(e, Error::PolicyNotSatisfied);
                    prop_assert!(!evaluate(policy.root(), &set));
                }
            }
        }
    }
}
