//! auditscope: is audit logging and monitoring really in place, in every
//! account and region of an AWS organization, and which controls of NIST SP
//! 800-53, PCI DSS and the CIS AWS Foundations Benchmark does that satisfy?
//!
//! Data flows one way (see `docs/architecture.md`):
//! `collect` builds a [`model::Snapshot`], `engine` evaluates the checks
//! loaded by `checks` into a [`result::ScanResult`], and `report` renders it.

pub mod atomic;
pub mod checks;
pub mod collect;
pub mod diag;
pub mod diff;
pub mod embedded;
pub mod engine;
pub mod event_pattern;
pub mod filter_pattern;
pub mod i18n;
pub mod input;
pub mod journal;
pub mod model;
pub mod ocsf;
pub mod report;
pub mod result;
pub mod shell;
pub mod spooled;
pub mod waivers;
pub mod wildcard;
