//! Building a Snapshot: from a mock world or a saved snapshot file (and,
//! later, from live AWS). Collectors produce facts only; judging them is the
//! engine's job.

pub mod aws;
pub mod mock;
