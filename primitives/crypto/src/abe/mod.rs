//! Revocable, server-aided CP-ABE on BLS12-381 (`CRYPTO.md` section 1).
//!
//! Ciphertext elements are in G1, key elements in G2. The flow:
//! 1. KGC: [`setup`]; per doctor [`keygen`] on a fresh leaf, [`SealedAttributeKey::seal`]ed to
//!    the doctor's registered `pk_D`; per epoch [`upd_keygen`].
//! 2. Doctor: [`doctor_setup`] once (keeps `x_D` and `zseed`); opens `SK` with
//!    [`SealedAttributeKey::open`]; per epoch in which they read, [`tk_gen`] from the chain's
//!    `updk_T`, handed to their hospital.
//! 3. Patient: [`encapsulate`] a payload key under a policy and the current epoch, then
//!    [`seal`](crate::aead::seal) the record with it.
//! 4. Hospital: [`PreparedTransformationKey::new`] per doctor and epoch, [`pre_decrypt`].
//! 5. Doctor: [`decrypt`] the `SemiCT`, then [`open`](crate::aead::open) the payload.

mod attribute_key;
mod capsule;
mod decrypt;
mod doctor;
mod fixed_base;
mod params;
mod transform;
mod update_key;

pub use attribute_key::{
    attribute_set, keygen, Attribute, AttributeKey, AttributeSet, NodeKey, PerAttribute,
    SealedAttributeKey,
};
pub use capsule::{encapsulate, Capsule, CapsuleRow, CapsuleShape};
pub use decrypt::{decrypt, pre_decrypt, PreparedTransformationKey, SemiCt};
pub use doctor::{doctor_setup, DoctorSecretKey};
pub use fixed_base::FixedBase;
pub use params::{setup, EncryptionTables, KeyTables, MasterSecretKey, PublicParams};
pub use transform::{tk_gen, TransformationKey};
pub use update_key::{upd_keygen, UpdateKey, UpdateKeyNodes};

/// Most attributes in one doctor's key.
pub const MAX_ATTRIBUTES: usize = 64;
/// Most nodes in one update key (`KUNodes` of a long revocation list in a deep tree).
pub const MAX_UPDATE_NODES: usize = 1 << 15;

#[cfg(test)]
mod tests;
