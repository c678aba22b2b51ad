//! Access policies: boolean formulas over attributes, and their linear secret-sharing scheme.
//!
//! A policy such as `(dept:cardiology or dept:oncology) and role:physician` or
//! `2 of (role:physician, role:surgeon, dept:icu)` is parsed into a threshold tree (the
//! `parser` module), turned into an LSSS matrix with one row per attribute occurrence, and, for
//! a given attribute set, solved for the reconstruction coefficients (the `lsss` module).

mod lsss;
mod parser;

use alloc::{string::String, vec::Vec};

pub use lsss::{coefficients, Coefficient, Lsss};

use crate::{Error, Result};

/// Longest accepted policy text, in bytes.
pub const MAX_POLICY_LEN: usize = 4096;
/// Most attribute occurrences (LSSS rows) in one policy.
pub const MAX_ROWS: usize = 64;
/// Longest attribute, in bytes (after normalisation).
pub const MAX_ATTRIBUTE_LEN: usize = 128;
/// Deepest nesting of parentheses and gates.
pub const MAX_NESTING: usize = 32;

/// A node of the threshold tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A leaf: the normalised attribute and its row in the LSSS matrix.
    Attribute {
        /// The attribute, normalised (trimmed, lower case).
        name: String,
        /// Its row in the matrix (leaves are numbered left to right).
        row: usize,
    },
    /// `threshold` of the children must be satisfied: `AND` is all, `OR` is one.
    Gate {
        /// How many children must be satisfied, `1 ..= children.len()`.
        threshold: usize,
        /// The children, at least two.
        children: Vec<Node>,
    },
}

/// A parsed, size-checked policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    root: Node,
    rows: Vec<String>,
}

impl Policy {
    /// Parses `text`; see the module documentation for the syntax.
    pub fn parse(text: &str) -> Result<Self> {
        if text.len() > MAX_POLICY_LEN {
            return Err(Error::PolicyTooLarge {
                what: "bytes",
                limit: MAX_POLICY_LEN,
            });
        }
        let root = parser::parse(text)?;
        let mut rows = Vec::new();
        collect_rows(&root, &mut rows);
        Ok(Self { root, rows })
    }

    /// The threshold tree.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// The attribute labelling each row, `rho(i)`.
    pub fn rows(&self) -> &[String] {
        &self.rows
    }

    /// Whether `attributes` (normalised) satisfy the policy.
    pub fn is_satisfied_by(&self, attributes: &[String]) -> bool {
        lsss::reconstruct(&self.root, attributes).is_some()
    }
}

fn collect_rows(node: &Node, rows: &mut Vec<String>) {
    match node {
        Node::Attribute { name, .. } => rows.push(name.clone()),
        Node::Gate { children, .. } => children.iter().for_each(|c| collect_rows(c, rows)),
    }
}

/// Normalises an attribute and checks its length.
pub fn normalise_attribute(attribute: &str) -> Result<String> {
    let name = crate::hash::normalise(attribute);
    if name.is_empty() || name.len() > MAX_ATTRIBUTE_LEN {
        return Err(Error::InvalidAttribute);
    }
    Ok(name)
}
