//! Who may use the chain: the transaction extension that admits members only and bounds what one
//! member can queue.
//!
//! MedChain has no token and no fees, so the usual spam protection (paying for what you submit)
//! does not exist. Instead [`CheckMemberNonce`] refuses, before a transaction enters the pool:
//!
//! - a signed transaction from an account that is neither a registered hospital nor one of their
//!   doctors: `InvalidTransaction::Custom(`[`NOT_A_MEMBER`]`)`;
//! - a transaction whose nonce is [`Config::MaxPendingPerAccount`] or more ahead of the signer's
//!   on-chain nonce: `InvalidTransaction::Custom(`[`TOO_MANY_PENDING`]`)`. Since the pool holds
//!   at most one transaction per (signer, nonce), this caps each member's share of the pool;
//! - a call the runtime's call filter (`frame_system::Config::BaseCallFilter`) excludes:
//!   `InvalidTransaction::Call`. Dispatch would refuse it anyway, but only after the transaction
//!   had taken room in a block for free; refused here, it takes none, and a block that carries
//!   one anyway (made outside the pool) does not import: FRAME runs `validate` again, with
//!   `TransactionSource::InBlock`, when a block applies the transaction;
//! - a hospital's or doctor's transaction heavier or longer than one hospital's share of a block
//!   ([`Config::BlockSharePerAccount`] of its normal-class weight and length):
//!   `InvalidTransaction::Custom(`[`OVER_BLOCK_SHARE`]`)`.
//!
//! And when a block is built, a transaction that would take its hospital past its share of that
//! block is left for a later one (`InvalidTransaction::ExhaustsResources`, which keeps it in the
//! pool). A hospital's own transactions and its doctors' count together, so a hospital cannot
//! multiply its share by registering doctors: however many transactions one hospital and its
//! doctors queue, the rest of each block stays for the others. A block that holds more of one
//! hospital's is refused on import. The [`Config::OtherMembers`] (the KGC) have no share: an
//! update key for a long revocation list needs most of a block, and the epoch cannot advance
//! without it.
//!
//! It then does what [`frame_system::CheckNonce`] does, and replaces it in the runtime's extension
//! list. It keeps `CheckNonce`'s identifier and encoding (a compact nonce), so wallets and
//! generic tools that fill in `CheckNonce` sign MedChain transactions unchanged.

use crate::{BlockUsage, Config, Pallet, WeightInfo};
use codec::{Decode, DecodeWithMemTracking, Encode};
use polkadot_sdk::{
    frame_support::{
        dispatch::{DispatchClass, DispatchInfo},
        pallet_prelude::TransactionSource,
        traits::{Contains, Get},
    },
    frame_system::{self, CheckNonce},
    sp_runtime::{
        traits::{
            AsSystemOriginSigner, DispatchInfoOf, Dispatchable, Implication, PostDispatchInfoOf,
            TransactionExtension, ValidateResult,
        },
        transaction_validity::{InvalidTransaction, TransactionValidityError},
        DispatchResult, Saturating, Weight,
    },
};
use scale_info::TypeInfo;

/// `InvalidTransaction::Custom` code: the signer is not a hospital or a doctor.
pub const NOT_A_MEMBER: u8 = 1;
/// `InvalidTransaction::Custom` code: the signer already has `MaxPendingPerAccount` transactions
/// waiting (its nonce is too far ahead of the on-chain one).
pub const TOO_MANY_PENDING: u8 = 2;
/// `InvalidTransaction::Custom` code: the transaction alone is heavier or longer than one
/// account's share of a block, so no block could include it.
pub const OVER_BLOCK_SHARE: u8 = 3;

/// Members-only nonce check, in place of [`frame_system::CheckNonce`]: refuses signed
/// transactions from non-members (`InvalidTransaction::Custom(`[`NOT_A_MEMBER`]`)`) and nonces
/// [`Config::MaxPendingPerAccount`] or more ahead of the signer's
/// (`InvalidTransaction::Custom(`[`TOO_MANY_PENDING`]`)`), with `CheckNonce`'s identifier and
/// encoding.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckMemberNonce<T: Config>(CheckNonce<T>);

impl<T: Config> CheckMemberNonce<T> {
    /// The extension for a transaction signed with `nonce`.
    pub fn from(nonce: T::Nonce) -> Self {
        Self(CheckNonce::from(nonce))
    }

    /// Refuses a call the chain does not dispatch.
    fn dispatchable(call: &T::RuntimeCall) -> Result<(), TransactionValidityError> {
        if <T as frame_system::Config>::BaseCallFilter::contains(call) {
            Ok(())
        } else {
            Err(InvalidTransaction::Call.into())
        }
    }

    /// One account's share of a block: its weight and length.
    pub(crate) fn block_share() -> (Weight, u32) {
        let share = T::BlockSharePerAccount::get();
        let weights = <T as frame_system::Config>::BlockWeights::get();
        let normal = weights.get(DispatchClass::Normal);
        let weight = normal.max_total.unwrap_or(weights.max_block);
        let length = *<T as frame_system::Config>::BlockLength::get()
            .max
            .get(DispatchClass::Normal);
        (
            Weight::from_parts(
                share.mul_floor(weight.ref_time()),
                share.mul_floor(weight.proof_size()),
            ),
            share.mul_floor(length),
        )
    }

    /// Refuses a transaction that alone exceeds one account's share of a block.
    fn within_share(info: &DispatchInfo, len: usize) -> Result<(), TransactionValidityError> {
        let (weight, length) = Self::block_share();
        if info.total_weight().any_gt(weight) || len > length as usize {
            return Err(InvalidTransaction::Custom(OVER_BLOCK_SHARE).into());
        }
        Ok(())
    }

    /// Counts a transaction of `who` into what its hospital (`who` itself, or the hospital of
    /// the doctor `who`) used of the current block; refuses it (for this block) if that would
    /// pass the hospital's share.
    fn use_share(
        who: &T::AccountId,
        info: &DispatchInfo,
        len: usize,
    ) -> Result<(), TransactionValidityError> {
        let hospital = Pallet::<T>::hospital_of(who).unwrap_or_else(|| who.clone());
        let now = frame_system::Pallet::<T>::block_number();
        let (used_weight, used_length) = match BlockUsage::<T>::get(&hospital) {
            Some((at, weight, length)) if at == now => (weight, length),
            _ => (Weight::zero(), 0),
        };
        let weight = used_weight.saturating_add(info.total_weight());
        let length = used_length.saturating_add(u32::try_from(len).unwrap_or(u32::MAX));
        let (share_weight, share_length) = Self::block_share();
        if weight.any_gt(share_weight) || length > share_length {
            return Err(InvalidTransaction::ExhaustsResources.into());
        }
        BlockUsage::<T>::insert(&hospital, (now, weight, length));
        Ok(())
    }

    /// Refuses non-members and nonces too far ahead of `who`'s on-chain nonce.
    fn admit(&self, who: &T::AccountId) -> Result<(), TransactionValidityError> {
        if !Pallet::<T>::is_member(who) {
            return Err(InvalidTransaction::Custom(NOT_A_MEMBER).into());
        }
        let next = frame_system::Pallet::<T>::account_nonce(who);
        let limit = next.saturating_add(T::MaxPendingPerAccount::get().into());
        if self.0 .0 >= limit {
            return Err(InvalidTransaction::Custom(TOO_MANY_PENDING).into());
        }
        Ok(())
    }
}

impl<T: Config> core::fmt::Debug for CheckMemberNonce<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
        write!(f, "CheckMemberNonce({:?})", self.0)
    }
}

impl<T: Config> TransactionExtension<T::RuntimeCall> for CheckMemberNonce<T>
where
    T::RuntimeCall: Dispatchable<Info = DispatchInfo>,
    <T::RuntimeCall as Dispatchable>::RuntimeOrigin: AsSystemOriginSigner<T::AccountId> + Clone,
{
    const IDENTIFIER: &'static str =
        <CheckNonce<T> as TransactionExtension<T::RuntimeCall>>::IDENTIFIER;
    type Implicit = ();
    type Val = <CheckNonce<T> as TransactionExtension<T::RuntimeCall>>::Val;
    type Pre = <CheckNonce<T> as TransactionExtension<T::RuntimeCall>>::Pre;

    fn weight(&self, _call: &T::RuntimeCall) -> Weight {
        // Measured for a doctor (both registries read, then the nonce); one of the
        // `OtherMembers` (the KGC) also reads where that set is stored. The account's block
        // hospital and its block usage (two reads and a write) are added here until the
        // benchmark is run again with them.
        T::WeightInfo::check_member_nonce().saturating_add(T::DbWeight::get().reads_writes(3, 1))
    }

    fn validate(
        &self,
        origin: T::RuntimeOrigin,
        call: &T::RuntimeCall,
        info: &DispatchInfoOf<T::RuntimeCall>,
        len: usize,
        self_implicit: Self::Implicit,
        inherited_implication: &impl Implication,
        source: TransactionSource,
    ) -> ValidateResult<Self::Val, T::RuntimeCall> {
        if let Some(who) = origin.as_system_origin_signer() {
            self.admit(who)?;
            if !T::OtherMembers::contains(who) {
                Self::within_share(info, len)?;
            }
        }
        Self::dispatchable(call)?;
        self.0.validate(
            origin,
            call,
            info,
            len,
            self_implicit,
            inherited_implication,
            source,
        )
    }

    fn prepare(
        self,
        val: Self::Val,
        origin: &T::RuntimeOrigin,
        call: &T::RuntimeCall,
        info: &DispatchInfoOf<T::RuntimeCall>,
        len: usize,
    ) -> Result<Self::Pre, TransactionValidityError> {
        // Checked again at inclusion: membership may have ended since the pool admitted it.
        // Then the transaction is counted into the member's share of this block.
        if let Some(who) = origin.as_system_origin_signer() {
            if !Pallet::<T>::is_member(who) {
                return Err(InvalidTransaction::Custom(NOT_A_MEMBER).into());
            }
            if !T::OtherMembers::contains(who) {
                Self::use_share(who, info, len)?;
            }
        }
        self.0.prepare(val, origin, call, info, len)
    }

    fn post_dispatch_details(
        pre: Self::Pre,
        info: &DispatchInfo,
        post_info: &PostDispatchInfoOf<T::RuntimeCall>,
        len: usize,
        result: &DispatchResult,
    ) -> Result<Weight, TransactionValidityError> {
        <CheckNonce<T> as TransactionExtension<T::RuntimeCall>>::post_dispatch_details(
            pre, info, post_info, len, result,
        )
    }
}
