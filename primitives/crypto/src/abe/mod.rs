//! Revocable, server-aided CP-ABE on BLS12-381 (`CRYPTO.md` section 1).
//!
//! Ciphertext elements are in G1, key elements in G2. The flow:
//! 1. KGC: [`setup`], then [`att_keygen`] per doctor and [`upd_keygen`] per epoch.
//! 2. Doctor: [`user_keygen`]; keeps `beta`.
//! 3. Patient: [`encapsulate`] a payload key under a policy and the current epoch, then
//!    [`seal`](crate::aead::seal) the record with it.
//! 4. Hospital: [`pre_keygen`] per doctor and epoch, [`PreparedPreKey::new`], [`pre_decrypt`].
//! 5. Doctor: [`decrypt`] the `SemiCT`, then [`open`](crate::aead::open) the payload.

mod capsule;
mod decrypt;
mod fixed_base;
mod keys;
mod params;

pub use capsule::{encapsulate, Capsule, CapsuleRow, CapsuleShape};
pub use decrypt::{decrypt, pre_decrypt, PreparedPreKey, SemiCt};
pub use fixed_base::FixedBase;
pub use keys::{
    att_keygen, attribute_set, pre_keygen, upd_keygen, user_keygen, Attribute, AttributeKey,
    AttributeSet, NodeKey, PreDecryptionKey, UpdateKey, UpdateKeyNodes, UserPublicKey,
    UserSecretKey,
};
pub use params::{setup, EncryptionTables, KeyTables, MasterSecretKey, PublicParams};

/// Most attributes in one doctor's key.
pub const MAX_ATTRIBUTES: usize = 64;
/// Most nodes in one update key (`KUNodes` of a long revocation list in a deep tree).
pub const MAX_UPDATE_NODES: usize = 1 << 15;

#[cfg(test)]
mod tests;
