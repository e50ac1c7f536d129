//! volte finds contradictions across dated sources.
//!
//! The pipeline runs in one direction: a [`rulebook`] and a [`corpus`] are read,
//! the [`matcher`] maps every sentence onto the rulebook's propositions as
//! [`matcher::Claim`]s, the [`ledger`] lines the claims up by date and finds the
//! contradictions, and [`report`] renders the result. `main.rs` only wires it.

pub mod acknowledge;
pub mod add;
pub mod atomic;
pub mod bench;
pub mod cache;
pub mod casebook;
pub mod corpus;
pub mod error;
pub mod fsutil;
pub mod git;
pub mod ledger;
pub mod lexicon;
pub mod lint;
pub mod matcher;
pub mod missed;
pub mod pipeline;
pub mod prefilter;
pub mod report;
pub mod rulebook;
pub mod since;
pub mod suggest;
pub mod text;
pub mod timings;

pub use error::Error;
