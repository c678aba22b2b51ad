//! A dispatch error named, for the programs that report one to people: the pallet, the error's
//! name and its documentation, read from the runtime's own type information (what the metadata
//! is built from), so that a name is never spelled twice.

use crate::RuntimeError;
use alloc::{borrow::ToOwned, string::String};
use polkadot_sdk::sp_runtime::DispatchError;
use scale_info::{TypeDef, TypeInfo};

/// A pallet's error, named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedError {
    /// The pallet, as the runtime names it (e.g. `Results`).
    pub pallet: String,
    /// The error's variant name, e.g. `TooManyAccesses`.
    pub name: String,
    /// The error's documentation.
    pub doc: String,
}

/// The pallet error `error` is, if it is one of this runtime's pallets' errors.
pub fn named(error: &DispatchError) -> Option<NamedError> {
    let DispatchError::Module(module) = error else {
        return None;
    };
    let TypeDef::Variant(pallets) = RuntimeError::type_info().type_def else {
        return None;
    };
    let pallet = pallets.variants.iter().find(|p| p.index == module.index)?;
    let TypeDef::Variant(errors) = pallet.fields.first()?.ty.type_info().type_def else {
        return None;
    };
    let variant = errors
        .variants
        .iter()
        .find(|e| e.index == module.error[0])?;
    Some(NamedError {
        pallet: pallet.name.to_owned(),
        name: variant.name.to_owned(),
        doc: variant.docs.join(" "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{pallet_results, Runtime};

    #[test]
    fn a_pallet_error_is_named_with_its_doc() {
        let error: DispatchError = pallet_results::Error::<Runtime>::TooManyAccesses.into();
        let error = named(&error).expect("a pallet error");
        assert_eq!(
            (error.pallet.as_str(), error.name.as_str()),
            ("Results", "TooManyAccesses")
        );
        assert!(
            error.doc.contains("share of this block's access log"),
            "{}",
            error.doc
        );
        assert_eq!(named(&DispatchError::BadOrigin), None);
    }
}
