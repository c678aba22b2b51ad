//! The crate's one error type: every failure has a name a caller can match on and show.

use core::fmt;
use medchain_types::Epoch;

/// Result of this crate's fallible operations.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Why a cryptographic operation refused its input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The policy text has no attribute in it.
    EmptyPolicy,
    /// The policy text does not parse; `at` is the byte offset of the problem.
    PolicySyntax {
        /// Byte offset into the policy text.
        at: usize,
        /// What the parser expected there.
        expected: &'static str,
    },
    /// The policy is over a configured limit (length, rows, nesting or attribute length).
    PolicyTooLarge {
        /// Which limit was exceeded.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// `k of (...)` with `k` zero or larger than the number of children.
    InvalidThreshold {
        /// The threshold asked for.
        k: usize,
        /// The number of children.
        n: usize,
    },
    /// The attribute set does not satisfy the policy.
    PolicyNotSatisfied,
    /// An attribute string is empty or longer than [`policy::MAX_ATTRIBUTE_LEN`](crate::policy::MAX_ATTRIBUTE_LEN).
    InvalidAttribute,
    /// More attributes than [`abe::MAX_ATTRIBUTES`](crate::abe::MAX_ATTRIBUTES) in one key.
    TooManyAttributes,
    /// The tree depth is outside `1..=`[`tree::MAX_DEPTH`](crate::tree::MAX_DEPTH).
    InvalidDepth,
    /// A leaf index beyond the tree's `2^depth` leaves.
    LeafOutOfRange,
    /// Every leaf of the tree is assigned.
    TreeFull,
    /// The doctor's leaf has no node in the update key: the doctor is revoked for that epoch.
    Revoked,
    /// An update key or transformation key of one epoch used with a capsule of another.
    EpochMismatch {
        /// Epoch of the capsule.
        capsule: Epoch,
        /// Epoch of the key.
        key: Epoch,
    },
    /// The key has no component for an attribute the reconstruction needs.
    MissingAttributeKey,
    /// A key or capsule whose parts do not fit together (wrong lengths, wrong tree).
    MalformedKey,
    /// A capsule whose rows do not match its policy.
    MalformedCapsule,
    /// The payload names a different capsule than the one supplied.
    CapsuleMismatch,
    /// A payload over [`aead::MAX_PAYLOAD_LEN`](crate::aead::MAX_PAYLOAD_LEN).
    PayloadTooLarge,
    /// AES-GCM authentication failed: the ciphertext was modified or the key is wrong.
    Tampered,
    /// A keyword set that is empty or over [`index::MAX_KEYWORDS`](crate::index::MAX_KEYWORDS).
    InvalidKeywordSet,
    /// A Chaum-Pedersen proof that does not verify.
    InvalidProof,
    /// The identity point offered as a public key: anything sealed to it would be public.
    IdentityKey,
    /// Public parameters with a non-standard or identity generator, or `Y = 1`.
    DegenerateParams,
    /// A sealed attribute key opened for another doctor, leaf or attribute set than it names.
    KeyMismatch,
    /// Bytes that are not a compressed point of G1's prime-order subgroup.
    InvalidPoint,
}

impl From<medchain_types::InvalidPoint> for Error {
    fn from(_: medchain_types::InvalidPoint) -> Self {
        Error::InvalidPoint
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::EmptyPolicy => f.write_str("the policy is empty"),
            Error::PolicySyntax { at, expected } => {
                write!(f, "policy syntax error at byte {at}: expected {expected}")
            }
            Error::PolicyTooLarge { what, limit } => {
                write!(f, "policy too large: more than {limit} {what}")
            }
            Error::InvalidThreshold { k, n } => {
                write!(f, "threshold {k} of {n} is not between 1 and {n}")
            }
            Error::PolicyNotSatisfied => f.write_str("the attributes do not satisfy the policy"),
            Error::InvalidAttribute => f.write_str("an attribute is empty or too long"),
            Error::TooManyAttributes => f.write_str("too many attributes in one key"),
            Error::InvalidDepth => f.write_str("tree depth out of range"),
            Error::LeafOutOfRange => f.write_str("leaf index outside the tree"),
            Error::TreeFull => f.write_str("every leaf of the revocation tree is assigned"),
            Error::Revoked => f.write_str("the doctor is revoked for this epoch"),
            Error::EpochMismatch { capsule, key } => {
                write!(
                    f,
                    "capsule of epoch {capsule} used with a key of epoch {key}"
                )
            }
            Error::MissingAttributeKey => f.write_str("the key lacks a needed attribute"),
            Error::MalformedKey => f.write_str("key or capsule parts do not fit together"),
            Error::MalformedCapsule => f.write_str("the capsule's rows do not match its policy"),
            Error::CapsuleMismatch => f.write_str("the payload belongs to another capsule"),
            Error::PayloadTooLarge => f.write_str("payload larger than the limit"),
            Error::Tampered => {
                f.write_str("authentication failed: ciphertext modified or wrong key")
            }
            Error::InvalidKeywordSet => f.write_str("keyword set empty or too large"),
            Error::InvalidProof => f.write_str("the proof does not verify"),
            Error::IdentityKey => f.write_str("the identity point is not a valid public key"),
            Error::DegenerateParams => f.write_str(
                "the public parameters are degenerate (non-standard or identity generator, or Y = 1)",
            ),
            Error::InvalidPoint => f.write_str("not a valid compressed BLS12-381 G1 point"),
            Error::KeyMismatch => f.write_str(
                "the sealed attribute key belongs to another doctor, leaf or attribute set",
            ),
        }
    }
}

impl core::error::Error for Error {}
