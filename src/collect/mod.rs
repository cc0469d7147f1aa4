//! Building a Snapshot: from a mock world or a saved snapshot file
//! (`mock`), or from live AWS (`aws`). Collectors produce facts only;
//! judging them is the engine's job (see `docs/architecture.md`).

pub mod aws;
pub mod mock;
